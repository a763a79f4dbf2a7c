package suites

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"

	"github.com/swr-conformance/swr-conformance/fixtures/target"
	"github.com/swr-conformance/swr-conformance/generators"
	"github.com/swr-conformance/swr-conformance/generators/grammar"
	"github.com/swr-conformance/swr-conformance/internal/report"
	"github.com/swr-conformance/swr-conformance/internal/swrclient"
)

// A valid body variant, as the pages and the contract notes list them.
type variant struct {
	name        string
	deadline    string
	description *string // nil: field omitted
	contentType string
}

func str(s string) *string { return &s }

var bodyVariants = []variant{
	{"without description, deadline forever", grammar.Forever, nil, ""},
	{"with description", grammar.Forever, str("shared by swr-conformance"), ""},
	{"with an empty description", grammar.Forever, str(""), ""},
	{"deadline in RFC 3339 UTC with fractional seconds", "2045-10-01T16:00:00.000Z", str("d"), ""},
	{"deadline in RFC 3339 UTC without fractional seconds", future, str("d"), ""},
}

var contentTypes = []string{swrclient.ContentTypeJSON, swrclient.ContentTypeJSONCharset}

var _ = Describe("Create a share: POST .../access-domains", Label("create"), func() {
	for _, v := range bodyVariants {
		It(specName(Create201, v.name), labels(nil, Create201, CreateVisible), func(ctx SpecContext) {
			s := lease(ctx)
			b := generators.Body{AccessDomain: s.Account, Permit: grammar.ReadPermit, Deadline: v.deadline, Description: v.description}
			must(createStatus(ctx, Create201, s, b, create(ctx, s, b.CreateJSON(), false)))
			must(visibleError(ctx, CreateVisible, s, b))
		})
	}

	for _, ct := range contentTypes {
		It(specName(CreateContentType, "Content-Type: "+ct), labels(nil, CreateContentType, Create201), func(ctx SpecContext) {
			s := lease(ctx)
			b := validBody(s, grammar.Forever, "")
			must(createStatus(ctx, CreateContentType, s, b, create(ctx, s, b.CreateJSON(), false, swrclient.WithContentType(ct))))
		})
	}

	It(specName(CreateNested, ""), labels(nil, CreateNested, CreateVisible), func(ctx SpecContext) {
		s := lease(ctx)
		if !strings.Contains(s.Repository, "/") {
			stopNotChecked(report.CauseConfiguration, "SWR_REPOSITORY has no '/'", "configure a nested repository such as team/app, or use SWR_PROVISION=true", CreateNested)
		}
		b := validBody(s, future, "nested")
		must(createStatus(ctx, CreateNested, s, b, create(ctx, s, b.CreateJSON(), false)))
		must(visibleError(ctx, CreateVisible, s, b))
	})

	It(specName(Create201, "property: random valid bodies, each read back"), labels([]string{"property"}, Create201, CreateVisible), func(ctx SpecContext) {
		s := lease(ctx)
		checkPropertyInSeries(Create201, validCreateBodies(s.Account), func(body string) error {
			b, err := parseBody([]byte(body))
			if err != nil {
				return err
			}
			ex := create(ctx, s, []byte(body), false)
			defer undoCreate(ctx, s, ex)
			if err := createStatus(ctx, Create201, s, b, ex); err != nil {
				return err
			}
			return visibleError(ctx, CreateVisible, s, b)
		})
	})

	It(specName(Create409, "property: second bodies with any valid permit, deadline and description"), labels([]string{"property"}, Create409), func(ctx SpecContext) {
		s := lease(ctx)
		createShare(ctx, s)
		checkProperty(Create409, validCreateBodies(s.Account), func(body string) error {
			return statusError(Create409, create(ctx, s, []byte(body), true), http.StatusConflict)
		})
	})

	It(specName(CreateNoEffect, "409: duplicates with other values leave the first share as it was"), labels(nil, CreateNoEffect, Create409), func(ctx SpecContext) {
		s := lease(ctx)
		first := createShare(ctx, s)
		other := validBody(s, "2046-03-04T05:06:07Z", "a duplicate must not replace the first share")
		must(statusError(Create409, create(ctx, s, other.CreateJSON(), true), http.StatusConflict))
		must(unchangedError(ctx, CreateNoEffect, s, first, false, "a duplicate create answered 409"))
	})

	It(specName(CreateNoEffect, "400: refused invalid bodies create nothing, property over every body rule"), labels([]string{"property", "bodies"}, CreateNoEffect), func(ctx SpecContext) {
		s := lease(ctx)
		checkPropertyInSeries(CreateNoEffect, generators.InvalidCreateBodiesOfAnyRule(s.Account), func(body string) error {
			ex := create(ctx, s, []byte(body), false)
			defer undoCreate(ctx, s, ex)
			if !ex.Answered() || ex.Status != http.StatusBadRequest {
				return nil // the status is the body rules' business; only a refusal is checked here
			}
			return absentError(ctx, CreateNoEffect, s, false, ex)
		})
	})

	It(specName(Create409Concurrent, "2 and then 8 identical creates at once, in rounds"), labels([]string{"concurrency"}, Create409Concurrent), func(ctx SpecContext) {
		s := lease(ctx)
		body := validBody(s, grammar.Forever, "race").CreateJSON()
		// Two at once is the contract's case; eight generalise it, since a
		// check-then-insert race shows more often with more racers.
		rounds := []int{2, 2, 2, 8, 8}
		for round, racers := range rounds {
			// Sent once each: a racer sent again would race no one.
			exs := race(racers, func() *swrclient.Exchange {
				return tgt.Client.CreateShare(ctx, s.Namespace, s.Repository, body)
			})
			must(oneWinner(exs, round+1, len(rounds)))
			if err := tgt.RemoveShare(ctx, s.Namespace, s.Repository, s.Account); err != nil {
				stopNotChecked(report.CauseRun, "setting up the next round: "+err.Error(), "")
			}
		}
	})
})

var _ = Describe("Update a share: PATCH .../access-domains/{account}", Label("update"), func() {
	for _, v := range bodyVariants {
		It(specName(Update201, v.name), labels(nil, Update201, UpdateVisible), func(ctx SpecContext) {
			s := lease(ctx)
			created := createShare(ctx, s)
			b := generators.Body{AccessDomain: s.Account, Permit: grammar.ReadPermit, Deadline: v.deadline, Description: v.description}
			must(statusError(Update201, tgt.Client.UpdateShare(ctx, s.Namespace, s.Repository, s.Account, b.UpdateJSON()), http.StatusCreated))
			if b.Description == nil {
				b.Description = created.Description // PATCH: an absent description stays as it was
			}
			must(visibleError(ctx, UpdateVisible, s, b))
		})
	}

	for _, ct := range contentTypes {
		It(specName(UpdateContentType, "Content-Type: "+ct), labels(nil, UpdateContentType, Update201), func(ctx SpecContext) {
			s := lease(ctx)
			createShare(ctx, s)
			b := validBody(s, future, "")
			must(statusError(UpdateContentType, tgt.Client.UpdateShare(ctx, s.Namespace, s.Repository, s.Account, b.UpdateJSON(), swrclient.WithContentType(ct)), http.StatusCreated))
		})
	}

	It(specName(UpdateNested, ""), labels(nil, UpdateNested, UpdateVisible), func(ctx SpecContext) {
		s := lease(ctx)
		if !strings.Contains(s.Repository, "/") {
			stopNotChecked(report.CauseConfiguration, "SWR_REPOSITORY has no '/'", "configure a nested repository such as team/app, or use SWR_PROVISION=true", UpdateNested)
		}
		createShare(ctx, s)
		b := validBody(s, "2046-01-02T03:04:05.678Z", "nested update")
		must(statusError(UpdateNested, tgt.Client.UpdateShare(ctx, s.Namespace, s.Repository, s.Account, b.UpdateJSON()), http.StatusCreated))
		must(visibleError(ctx, UpdateVisible, s, b))
	})

	It(specName(Update201, "property: random valid bodies, each read back"), labels([]string{"property"}, Update201, UpdateVisible), func(ctx SpecContext) {
		s := lease(ctx)
		current := createShare(ctx, s)
		checkPropertyInSeries(Update201, validUpdateBodies(s.Account), func(body string) error {
			if err := statusError(Update201, tgt.Client.UpdateShare(ctx, s.Namespace, s.Repository, s.Account, []byte(body)), http.StatusCreated); err != nil {
				return err
			}
			b, err := parseBody([]byte(body))
			if err != nil {
				return err
			}
			b.AccessDomain = s.Account
			if b.Description == nil {
				b.Description = current.Description // PATCH: an absent description stays as it was
			}
			if err := visibleError(ctx, UpdateVisible, s, b); err != nil {
				return err
			}
			current = b
			return nil
		})
	})

	It(specName(UpdateNoEffect, "400: refused invalid bodies change nothing, property over every body rule"), labels([]string{"property", "bodies"}, UpdateNoEffect), func(ctx SpecContext) {
		s := lease(ctx)
		created := createShare(ctx, s)
		checkPropertyInSeries(UpdateNoEffect, generators.InvalidUpdateBodiesOfAnyRule(), func(body string) error {
			ex := tgt.Client.UpdateShare(ctx, s.Namespace, s.Repository, s.Account, []byte(body))
			if !ex.Answered() || ex.Status != http.StatusBadRequest {
				return nil // the status is the body rules' business; only a refusal is checked here
			}
			err := unchangedError(ctx, UpdateNoEffect, s, created, false, "an update answered 400:\n"+ex.String())
			if err != nil {
				// Put the share back, so the next case starts from the same state.
				restore := tgt.Client.UpdateShare(ctx, s.Namespace, s.Repository, s.Account, created.UpdateJSON())
				if !restore.Succeeded() {
					runProblem("restoring the share after a refused update changed it failed:\n" + restore.String())
				}
			}
			return err
		})
	})

	It(specName(UpdateOwnShare, "an update of one account's share leaves another account's share as it was"), labels(nil, UpdateOwnShare, Update201), func(ctx SpecContext) {
		s := lease(ctx)
		other, ok := leaseSecond(ctx, s)
		if !ok {
			stopNotChecked(report.CauseConfiguration, "needs two share accounts at once, and this process has one", "name at least two accounts per parallel process in SWR_SHARE_ACCOUNTS", UpdateOwnShare)
		}
		createShare(ctx, s)
		untouched := createShare(ctx, other)
		b := validBody(s, "2047-05-06T07:08:09Z", "only this share changes")
		must(statusError(Update201, tgt.Client.UpdateShare(ctx, s.Namespace, s.Repository, s.Account, b.UpdateJSON()), http.StatusCreated))
		must(unchangedError(ctx, UpdateOwnShare, other, untouched, false, fmt.Sprintf("the update named %q, not %q", s.Account, other.Account)))
	})

	It(specName(UpdateMissing, ""), labels(nil, UpdateMissing), func(ctx SpecContext) {
		s := lease(ctx) // no share is created: the slot is empty
		b := validBody(s, grammar.Forever, "")
		ex := tgt.Client.UpdateShare(ctx, s.Namespace, s.Repository, s.Account, b.UpdateJSON())
		if ex.Answered() {
			observation("update of a share that does not exist", fmt.Sprintf("%d %s", ex.Status, http.StatusText(ex.Status)), ex)
		}
		must(classError(UpdateMissing, ex, 400, 499, "a 4xx status"))
	})
})

// validCreateBodies and validUpdateBodies are valid bodies as property inputs.
func validCreateBodies(account string) generators.Inputs {
	return generators.Inputs{
		Label: "valid create body",
		Gen:   generators.ValidBodies(account).Map(func(b generators.Body) string { return string(b.CreateJSON()) }),
		Holds: func(s string) bool { return grammar.CreateBody([]byte(s), time.Now()).Valid() },
	}
}

func validUpdateBodies(account string) generators.Inputs {
	return generators.Inputs{
		Label: "valid update body",
		Gen:   generators.ValidBodies(account).Map(func(b generators.Body) string { return string(b.UpdateJSON()) }),
		Holds: func(s string) bool { return grammar.UpdateBody([]byte(s), time.Now()).Valid() },
	}
}

// unchangedError checks, after a refused write (what says how it was
// refused), that the slot's share still holds want's values. security: the
// write was refused with 401, so a change is a security defect.
func unchangedError(ctx context.Context, req Requirement, s *target.Slot, want generators.Body, security bool, what string) error {
	share, exists, ex, err := readBack(ctx, req, s)
	if err != nil {
		return err
	}
	if diff := shareDiff(share, exists, s, want); diff != "" {
		return &violation{req: req, security: security, msg: fmt.Sprintf("rule %s: %s\nsource: %s\n%s%s, yet the share changed: %s\nthe share held: %s\nread back with:\n%s",
			req.ID, req.Text, req.Source, securityNote(security), what, diff, want.CreateJSON(), ex)}
	}
	return nil
}

// absentError checks, after a refused create (ex), that the slot has no share.
func absentError(ctx context.Context, req Requirement, s *target.Slot, security bool, ex *swrclient.Exchange) error {
	share, exists, read, err := readBack(ctx, req, s)
	if err != nil {
		return err
	}
	if exists {
		if err := leftoverError(s, req); err != nil {
			return err
		}
		return &violation{req: req, security: security, msg: fmt.Sprintf("rule %s: %s\nsource: %s\n%sthe create answered %d %s, yet the share exists (permit %q, deadline %q)\nthe refused create:\n%s\nread back with:\n%s",
			req.ID, req.Text, req.Source, securityNote(security), ex.Status, http.StatusText(ex.Status), share.Permit, share.Deadline, ex, read)}
	}
	return nil
}

func securityNote(security bool) string {
	if security {
		return "SECURITY DEFECT: a request without valid credentials took effect.\n"
	}
	return ""
}

// leaseSecond takes a second slot on the same repository with another
// account, for checks that need two shares at once. In existing-fixture
// mode it takes another of the process's accounts, but never waits for one:
// false when the process has no other.
func leaseSecond(ctx context.Context, s *target.Slot) (*target.Slot, bool) {
	other, err := tgt.LeaseAnother(ctx, s)
	if err != nil {
		return nil, false
	}
	DeferCleanup(func(ctx SpecContext) {
		if err := other.Release(ctx); err != nil {
			runProblem(err.Error())
		}
	})
	return other, true
}

// race sends n requests at the same moment and returns their exchanges.
func race(n int, send func() *swrclient.Exchange) []*swrclient.Exchange {
	exs := make([]*swrclient.Exchange, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range exs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			exs[i] = send()
		}()
	}
	close(start)
	wg.Wait()
	return exs
}

// oneWinner checks that exactly one exchange answered 201 and the rest 409.
func oneWinner(exs []*swrclient.Exchange, round, rounds int) error {
	created, conflicts := 0, 0
	var odd []*swrclient.Exchange
	for _, ex := range exs {
		switch {
		case !ex.Answered():
			// Without every answer the round cannot be judged.
			return notCheckedError(report.CauseRun, fmt.Sprintf("round %d of %d: a racer got no answer (%s)", round, rounds, ex.Redact(ex.Err.Error())),
				"a stable connection to the target", Create409Concurrent)
		case ex.Err == nil && ex.Status == http.StatusCreated:
			created++
		case ex.Err == nil && ex.Status == http.StatusConflict:
			conflicts++
		default:
			odd = append(odd, ex)
		}
	}
	if created == 1 && conflicts == len(exs)-1 {
		return nil
	}
	var b strings.Builder
	for _, ex := range exs {
		fmt.Fprintf(&b, "\n%s\n", ex)
	}
	return fmt.Errorf("rule %s: %s\nsource: %s\nround %d of %d, %d identical creates sent at once: expected exactly one 201 and %d × 409, got %d × 201, %d × 409, %d other\n%s",
		Create409Concurrent.ID, Create409Concurrent.Text, Create409Concurrent.Source, round, rounds, len(exs), len(exs)-1, created, conflicts, len(odd), b.String())
}
