package suites

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	. "github.com/swr-conformance/swr-conformance/suites/swrspec"

	"github.com/swr-conformance/swr-conformance/fixtures/target"
	"github.com/swr-conformance/swr-conformance/generators"
	"github.com/swr-conformance/swr-conformance/internal/contract"
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
	{"without description, deadline forever", contract.Forever, nil, ""},
	{"with description", contract.Forever, str("shared by swr-conformance"), ""},
	{"with an empty description", contract.Forever, str(""), ""},
	{"deadline in RFC 3339 UTC with fractional seconds", "2045-10-01T16:00:00.000Z", str("d"), ""},
	{"deadline in RFC 3339 UTC without fractional seconds", future, str("d"), ""},
}

var contentTypes = []string{contract.ContentTypeJSON, contract.ContentTypeJSONCharset}

// startEarly marks the property specs that read back every case before the
// next (checkPropertyInSeries): each takes a round trip or three per case,
// one after another, the longest specs of a run against a distant registry.
// Ginkgo starts them before the others (it gives their containers the
// priority), so that in parallel processes the short specs fill in around
// them instead of one of them running alone at the end.
var startEarly = SpecPriority(1)

var _ = Describe("Create a share: POST .../access-domains", Label("create"), func() {
	for _, v := range bodyVariants {
		ItChecks(contract.Create201, v.name, Also{contract.CreateVisible}, func(ctx SpecContext) {
			s := lease(ctx)
			b := generators.Body{AccessDomain: s.Account, Permit: contract.ReadPermit, Deadline: v.deadline, Description: v.description}
			ex := create(ctx, s, b.CreateJSON(), false)
			Expect(createStatus(ctx, contract.Create201, s, b, ex)).To(Hold(contract.Create201))
			Expect(visible(ctx, contract.CreateVisible, s, b, nil, ex)).Error().To(Hold(contract.CreateVisible))
		})
	}

	for _, ct := range contentTypes {
		ItChecks(contract.CreateContentType, "Content-Type: "+ct, Also{contract.Create201}, func(ctx SpecContext) {
			s := lease(ctx)
			b := validBody(s, contract.Forever, "")
			Expect(createStatus(ctx, contract.CreateContentType, s, b, create(ctx, s, b.CreateJSON(), false, swrclient.WithContentType(ct)))).To(Hold(contract.CreateContentType))
		})
	}

	ItChecks(contract.CreateNested, "", Also{contract.CreateVisible}, func(ctx SpecContext) {
		s := lease(ctx)
		if !strings.Contains(s.Repository, "/") {
			stopNotChecked(report.CauseConfiguration, "SWR_REPOSITORY has no '/'", "configure a nested repository such as team/app, or use SWR_PROVISION=true", contract.CreateNested)
		}
		b := validBody(s, future, "nested")
		ex := create(ctx, s, b.CreateJSON(), false)
		Expect(createStatus(ctx, contract.CreateNested, s, b, ex)).To(Hold(contract.CreateNested))
		Expect(visible(ctx, contract.CreateVisible, s, b, nil, ex)).Error().To(Hold(contract.CreateVisible))
	})

	ItChecks(contract.Create201, "property: random valid bodies, each read back", Also{contract.CreateVisible}, contract.GroupProperty, startEarly, func(ctx SpecContext) {
		s := lease(ctx)
		checkPropertyInSeries(contract.Create201, generators.ValidCreateBodies(s.Account), func(body string) error {
			b, err := generators.ParseBody([]byte(body))
			if err != nil {
				return err
			}
			ex := create(ctx, s, []byte(body), false)
			defer undoCreate(ctx, s, ex)
			if err := createStatus(ctx, contract.Create201, s, b, ex); err != nil {
				return err
			}
			_, err = visible(ctx, contract.CreateVisible, s, b, nil, ex)
			return err
		})
	})

	ItChecks(contract.Create409, "property: second bodies with any valid permit, deadline and description", contract.GroupProperty, func(ctx SpecContext) {
		s := lease(ctx)
		createShare(ctx, s)
		checkProperty(contract.Create409, generators.ValidCreateBodies(s.Account), func(body string) error {
			return Check(create(ctx, s, []byte(body), true), Answer(contract.Create409))
		})
	})

	ItChecks(contract.CreateNoEffect, "409: duplicates with other values leave the first share as it was", Also{contract.Create409}, func(ctx SpecContext) {
		s := lease(ctx)
		first := createShare(ctx, s)
		other := validBody(s, "2046-03-04T05:06:07Z", "a duplicate must not replace the first share")
		ex := create(ctx, s, other.CreateJSON(), true)
		Expect(ex).To(Answer(contract.Create409))
		Expect(readBack(ctx, s, ex)).To(BeUnchanged(contract.CreateNoEffect, first, "a duplicate create answered 409", false))
	})

	ItChecks(contract.CreateNoEffect, "400: refused invalid bodies create nothing, property over every body rule", contract.GroupProperty, contract.GroupBodies, startEarly, func(ctx SpecContext) {
		s := lease(ctx)
		checkPropertyInSeries(contract.CreateNoEffect, generators.InvalidCreateBodiesOfAnyRule(s.Account), func(body string) error {
			ex := create(ctx, s, []byte(body), false)
			defer undoCreate(ctx, s, ex)
			if !ex.Answered() || !contract.InvalidInput.Allows(ex.Status) {
				return nil // the status is the body rules' business; only a refusal is checked here
			}
			return absent(ctx, contract.CreateNoEffect, s, ex, false)
		})
	})

	ItChecks(contract.Create409Concurrent, "2 and then 8 identical creates at once, in rounds", contract.GroupConcurrency, func(ctx SpecContext) {
		s := lease(ctx)
		body := validBody(s, contract.Forever, "race").CreateJSON()
		// Two at once is the contract's case; eight generalise it, since a
		// check-then-insert race shows more often with more racers.
		rounds := []int{2, 2, 2, 8, 8}
		for round, racers := range rounds {
			// Sent once each: a racer sent again would race no one.
			exs := race(racers, func() *swrclient.Exchange {
				ex := run.Target().Client.CreateShare(ctx, s.Namespace, s.Repository, body)
				s.Wrote(ex)
				return ex
			})
			Expect(exs).To(HaveOneWinner(contract.Create409Concurrent, round+1, len(rounds)))
			if err := run.Target().RemoveShare(ctx, s.Namespace, s.Repository, s.Account); err != nil {
				stopNotChecked(report.CauseRun, "setting up the next round: "+err.Error(), "")
			}
			run.Trails().Forget(s)
		}
	})
})

var _ = Describe("Update a share: PATCH .../access-domains/{account}", Label("update"), func() {
	for _, v := range bodyVariants {
		ItChecks(contract.Update201, v.name, Also{contract.UpdateVisible}, func(ctx SpecContext) {
			s := lease(ctx)
			created := createShare(ctx, s)
			b := generators.Body{AccessDomain: s.Account, Permit: contract.ReadPermit, Deadline: v.deadline, Description: v.description}
			ex := update(ctx, s, b.UpdateJSON())
			Expect(ex).To(Answer(contract.Update201))
			Expect(visible(ctx, contract.UpdateVisible, s, b, &created, ex)).Error().To(Hold(contract.UpdateVisible))
		})
	}

	for _, ct := range contentTypes {
		ItChecks(contract.UpdateContentType, "Content-Type: "+ct, Also{contract.Update201}, func(ctx SpecContext) {
			s := lease(ctx)
			createShare(ctx, s)
			b := validBody(s, future, "")
			Expect(update(ctx, s, b.UpdateJSON(), swrclient.WithContentType(ct))).To(Answer(contract.UpdateContentType))
		})
	}

	ItChecks(contract.UpdateNested, "", Also{contract.UpdateVisible}, func(ctx SpecContext) {
		s := lease(ctx)
		if !strings.Contains(s.Repository, "/") {
			stopNotChecked(report.CauseConfiguration, "SWR_REPOSITORY has no '/'", "configure a nested repository such as team/app, or use SWR_PROVISION=true", contract.UpdateNested)
		}
		createShare(ctx, s)
		b := validBody(s, "2046-01-02T03:04:05.678Z", "nested update")
		ex := update(ctx, s, b.UpdateJSON())
		Expect(ex).To(Answer(contract.UpdateNested))
		Expect(visible(ctx, contract.UpdateVisible, s, b, nil, ex)).Error().To(Hold(contract.UpdateVisible))
	})

	ItChecks(contract.Update201, "property: random valid bodies, each read back", Also{contract.UpdateVisible}, contract.GroupProperty, startEarly, func(ctx SpecContext) {
		s := lease(ctx)
		current := createShare(ctx, s)
		checkPropertyInSeries(contract.Update201, generators.ValidUpdateBodies(s.Account), func(body string) error {
			ex := update(ctx, s, []byte(body))
			if err := Check(ex, Answer(contract.Update201)); err != nil {
				return err
			}
			b, err := generators.ParseBody([]byte(body))
			if err != nil {
				return err
			}
			b.AccessDomain = s.Account
			stored, err := visible(ctx, contract.UpdateVisible, s, b, &current, ex)
			if err != nil {
				return err
			}
			current = stored
			return nil
		})
	})

	ItChecks(contract.UpdateNoEffect, "400: refused invalid bodies change nothing, property over every body rule", contract.GroupProperty, contract.GroupBodies, startEarly, func(ctx SpecContext) {
		s := lease(ctx)
		created := createShare(ctx, s)
		checkPropertyInSeries(contract.UpdateNoEffect, generators.InvalidUpdateBodiesOfAnyRule(), func(body string) error {
			// Put the share back, so the next case starts from the same state.
			restore := func(after string) {
				restore := update(ctx, s, created.UpdateJSON())
				if !restore.Succeeded() {
					runProblem("restoring the share after " + after + " failed:\n" + restore.String())
				}
			}
			ex := update(ctx, s, []byte(body))
			if !ex.Answered() || !contract.InvalidInput.Allows(ex.Status) {
				// The status is the body rules' business; only a refusal is
				// checked here. An invalid update that was taken may have
				// changed the share: a later refusal must not be blamed.
				if ex.Succeeded() {
					restore("an invalid update was taken")
				}
				return nil
			}
			err := Check(readBack(ctx, s, ex), BeUnchanged(contract.UpdateNoEffect, created, "an update answered 400", false))
			if err != nil {
				restore("a refused update changed it")
			}
			return err
		})
	})

	// Serial: two shares at once need two accounts, and a parallel process
	// may have one; run alone, after the other processes, the spec may
	// borrow one of theirs (target.LeaseAnother).
	ItChecks(contract.UpdateOwnShare, "an update of one account's share leaves another account's share as it was", Also{contract.Update201}, Serial, func(ctx SpecContext) {
		s := lease(ctx)
		other := leaseSecond(ctx, s, contract.UpdateOwnShare)
		untouched := createShares(ctx, s, other)[1]
		b := validBody(s, "2047-05-06T07:08:09Z", "only this share changes")
		ex := update(ctx, s, b.UpdateJSON())
		Expect(ex).To(Answer(contract.Update201))
		Expect(readAfter(ctx, other, ex, s)).To(BeUnchanged(contract.UpdateOwnShare, untouched, fmt.Sprintf("the update named %q, not %q", s.Account, other.Account), false))
	})

	ItChecks(contract.UpdateMissing, "", func(ctx SpecContext) {
		s := lease(ctx) // no share is created: the slot is empty
		b := validBody(s, contract.Forever, "")
		ex := update(ctx, s, b.UpdateJSON())
		if ex.Answered() {
			observation("update of a share that does not exist", fmt.Sprintf("%d %s", ex.Status, http.StatusText(ex.Status)), ex)
		}
		Expect(ex).To(Answer(contract.UpdateMissing))
	})
})

// absent checks, after a refused create (ex), that the slot has no share;
// a share the run itself could not remove is no verdict.
func absent(ctx context.Context, req contract.Requirement, s *target.Slot, ex *swrclient.Exchange, security bool) error {
	r := readBack(ctx, s, ex)
	if r.Err == nil && r.Exists {
		if err := leftoverError(s, req); err != nil {
			return err
		}
	}
	return Check(r, BeAbsent(req, ex, security))
}

// leaseSecond takes a second slot on the same repository with another
// account, for a spec of req that needs two shares at once, and gives it
// back after the spec. It never waits. In existing-fixture mode it may take
// another process's account, so only a spec marked Serial may use it (in a
// parallel run it runs alone, once the other processes have finished). When
// there is no second account the spec stops, not checked: by configuration
// when SWR_SHARE_ACCOUNTS names one, else by the run (the others were lost
// to shares that could not be removed).
func leaseSecond(ctx context.Context, s *target.Slot, req contract.Requirement) *target.Slot {
	GinkgoHelper()
	if !CurrentSpecReport().IsSerial {
		Fail("suite defect, not a verdict on the target: a spec that takes a second share account must be marked Serial, or it may take an account another process is using")
	}
	other, err := run.Target().LeaseAnother(ctx, s)
	switch {
	case errors.Is(err, target.ErrOneAccount):
		stopNotChecked(report.CauseConfiguration, "needs two share accounts at once, and "+err.Error(), "name at least two accounts in SWR_SHARE_ACCOUNTS", req)
	case err != nil:
		stopNotChecked(report.CauseRun, "needs two share accounts at once: "+err.Error(), "", req)
	}
	DeferCleanup(func(ctx SpecContext) {
		defer run.Trails().Release(other)
		if err := other.Release(ctx); err != nil {
			runProblem(err.Error())
		}
	})
	return other
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
