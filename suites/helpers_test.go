package suites

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"

	"github.com/swr-conformance/swr-conformance/fixtures/target"
	"github.com/swr-conformance/swr-conformance/generators"
	"github.com/swr-conformance/swr-conformance/generators/grammar"
	"github.com/swr-conformance/swr-conformance/internal/swrclient"
)

// labels turns requirements into Ginkgo labels: their IDs and the groups a
// user filters by (create, update, auth, names, bodies, property, ...).
func labels(groups []string, reqs ...Requirement) Labels {
	l := Labels(groups)
	for _, r := range reqs {
		l = append(l, r.ID)
	}
	return l
}

// specName names a spec after the rule it checks: "[ID] rule text".
func specName(r Requirement, detail string) string {
	if detail == "" {
		return "[" + r.ID + "] " + r.Text
	}
	return "[" + r.ID + "] " + r.Text + " (" + detail + ")"
}

// lease takes a fresh slot for this spec and gives it back after the spec,
// whatever the outcome.
func lease(ctx context.Context) *target.Slot {
	GinkgoHelper()
	s, err := tgt.Lease(ctx)
	if err != nil {
		Fail("setting up: " + err.Error())
	}
	// A failed cleanup is no verdict on the contract (the neighbouring
	// delete is not what the suite certifies): it is reported, the account
	// is kept out of use, and the run's end lists what was left behind.
	DeferCleanup(func(ctx SpecContext) {
		if err := s.Release(ctx); err != nil {
			AddReportEntry("cleanup problem", ReportEntryVisibilityAlways, err.Error())
		}
	})
	return s
}

// statusError says, in one message, what was expected, what came back and
// why it matters; nil when the status is one of want.
func statusError(req Requirement, ex *swrclient.Exchange, want ...int) error {
	for _, w := range want {
		if ex.Err == nil && ex.Status == w {
			return nil
		}
	}
	return verdictError(req, describeWant(want), ex)
}

// classError checks a status class: lo <= status <= hi.
func classError(req Requirement, ex *swrclient.Exchange, lo, hi int, what string) error {
	if ex.Err == nil && ex.Status >= lo && ex.Status <= hi {
		return nil
	}
	return verdictError(req, what, ex)
}

func verdictError(req Requirement, want string, ex *swrclient.Exchange) error {
	got := fmt.Sprintf("%d %s", ex.Status, http.StatusText(ex.Status))
	if ex.Err != nil && ex.Status == 0 {
		got = "no answer: " + ex.Redact(ex.Err.Error())
	}
	return fmt.Errorf("rule %s: %s\nsource:   %s\nexpected: %s\ngot:      %s\n%s",
		req.ID, req.Text, req.Source, want, got, ex)
}

func describeWant(want []int) string {
	parts := make([]string, len(want))
	for i, w := range want {
		parts[i] = fmt.Sprintf("%d %s", w, http.StatusText(w))
	}
	return strings.Join(parts, " or ")
}

// must fails the spec with err, if any.
func must(err error) {
	GinkgoHelper()
	if err != nil {
		Fail(err.Error())
	}
}

// precondition fails the spec when a setup step did not answer as needed,
// saying that it is the setup that failed.
func precondition(step string, ex *swrclient.Exchange, want int) {
	GinkgoHelper()
	if ex.Err != nil || ex.Status != want {
		Fail(fmt.Sprintf("setting up (%s) needs %d %s:\n%s", step, want, http.StatusText(want), ex))
	}
}

// checkProperty runs a property over in with the spec's own seed, up to
// SWR_CONCURRENCY cases at once, and fails the spec with the shrunk
// counterexample and how to replay it. check must not depend on the other
// cases (each expects the same answer from the same state).
func checkProperty(in generators.Inputs, check func(string) error) {
	GinkgoHelper()
	runProperty(in, tgt.Config.Concurrency, check)
}

// checkPropertyInSeries is checkProperty for checks that change the state
// the next case starts from (a create read back and removed, say).
func checkPropertyInSeries(in generators.Inputs, check func(string) error) {
	GinkgoHelper()
	runProperty(in, 1, check)
}

func runProperty(in generators.Inputs, concurrency int, check func(string) error) {
	GinkgoHelper()
	name := CurrentSpecReport().FullText()
	seed := generators.SeedFor(GinkgoRandomSeed(), name)
	out := generators.Check(generators.Params{Seed: seed, Cases: tgt.Config.Cases, Concurrency: concurrency}, in, check)
	AddReportEntry("property", ReportEntryVisibilityNever, fmt.Sprintf("%s: %d inputs checked, property seed %d (run seed %d)", in.Label, out.Tried, seed, GinkgoRandomSeed()))
	if out.Problem != nil {
		Fail("suite defect, not a verdict on the target: " + out.Problem.Error())
	}
	if out.Failure != nil {
		Fail(fmt.Sprintf("%s\nreplay (same inputs, add to the suite's arguments): -ginkgo.seed=%d -ginkgo.focus=%s",
			out.Failure, GinkgoRandomSeed(), swrclient.ShellQuote(focusFor(name))))
	}
}

// focusFor is a focus regexp that selects exactly the spec.
func focusFor(name string) string {
	var b strings.Builder
	for _, r := range name {
		if strings.ContainsRune(`\.+*?()|[]{}^$`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// validBody is a complete valid body for the slot's account.
func validBody(s *target.Slot, deadline, description string) generators.Body {
	d := description
	return generators.Body{AccessDomain: s.Account, Permit: grammar.ReadPermit, Deadline: deadline, Description: &d}
}

// createShare creates the slot's share with a valid body, as setup.
func createShare(ctx context.Context, s *target.Slot) generators.Body {
	GinkgoHelper()
	b := validBody(s, grammar.Forever, "created by swr-conformance")
	precondition("create the share to work on", tgt.Client.CreateShare(ctx, s.Namespace, s.Repository, b.CreateJSON()), http.StatusCreated)
	return b
}

// undoCreate removes a share that a create which should have failed made,
// so each case of a property starts from the same state.
func undoCreate(ctx context.Context, s *target.Slot, ex *swrclient.Exchange) {
	if ex.Err == nil && ex.Status >= 200 && ex.Status < 300 {
		tgt.Client.DeleteShare(ctx, s.Namespace, s.Repository, s.Account)
	}
}

// observe reads the slot's share through show, or else list. It skips the
// spec when the target offers neither.
func observe(ctx context.Context, s *target.Slot) (swrclient.Share, bool, *swrclient.Exchange, error) {
	GinkgoHelper()
	switch {
	case tgt.Caps.Show:
		ex := tgt.Client.ShowShare(ctx, s.Namespace, s.Repository, s.Account)
		if ex.Err != nil || ex.Status != http.StatusOK {
			return swrclient.Share{}, false, ex, fmt.Errorf("show answered %d", ex.Status)
		}
		share, exists, err := swrclient.DecodeShow(ex)
		return share, exists, ex, err
	case tgt.Caps.List:
		ex := tgt.Client.ListShares(ctx, s.Namespace, s.Repository)
		if ex.Err != nil || ex.Status != http.StatusOK {
			return swrclient.Share{}, false, ex, fmt.Errorf("list answered %d", ex.Status)
		}
		list, err := swrclient.DecodeList(ex)
		for _, sh := range list {
			if sh.AccessDomain == s.Account {
				return sh, true, ex, err
			}
		}
		return swrclient.Share{}, false, ex, err
	}
	Skip("the target offers neither show nor list of shares (GET .../access-domains[/{account}]), so a write cannot be checked for effect")
	return swrclient.Share{}, false, nil, nil
}

// visibleError checks that the slot's share holds the values of b.
func visibleError(ctx context.Context, req Requirement, s *target.Slot, b generators.Body) error {
	share, exists, ex, err := observe(ctx, s)
	fail := func(what string) error {
		return fmt.Errorf("rule %s: %s\nsource: %s\n%s\nsent: %s\nread back with:\n%s", req.ID, req.Text, req.Source, what, b.CreateJSON(), ex)
	}
	switch {
	case err != nil:
		return fail("the share could not be read back: " + err.Error())
	case !exists:
		return fail("the write answered 201, but the share does not exist")
	case share.Permit != b.Permit:
		return fail(fmt.Sprintf("permit: sent %q, stored %q", b.Permit, share.Permit))
	case !sameDeadline(share.Deadline, b.Deadline):
		return fail(fmt.Sprintf("deadline: sent %q, stored %q", b.Deadline, share.Deadline))
	case b.Description != nil && share.Description != *b.Description:
		return fail(fmt.Sprintf("description: sent %q, stored %q", *b.Description, share.Description))
	case share.AccessDomain != "" && share.AccessDomain != s.Account:
		return fail(fmt.Sprintf("access_domain: sent %q, stored %q", s.Account, share.AccessDomain))
	}
	return nil
}

// sameDeadline compares deadlines as instants: a registry may store
// 2030-10-01T16:00:00Z as 2030-10-01T16:00:00.000Z, and that is the same
// value (README, contract reading).
func sameDeadline(stored, sent string) bool {
	if stored == sent {
		return true
	}
	a, errA := time.Parse(time.RFC3339Nano, stored)
	b, errB := time.Parse(time.RFC3339Nano, sent)
	return errA == nil && errB == nil && a.Equal(b)
}

// parseBody reads back a valid body the suite generated.
func parseBody(raw []byte) (generators.Body, error) {
	var f struct {
		AccessDomain string  `json:"access_domain"`
		Permit       string  `json:"permit"`
		Deadline     string  `json:"deadline"`
		Description  *string `json:"description"`
	}
	if err := json.Unmarshal(raw, &f); err != nil {
		return generators.Body{}, fmt.Errorf("suite defect: a generated valid body does not decode: %v", err)
	}
	return generators.Body{AccessDomain: f.AccessDomain, Permit: f.Permit, Deadline: f.Deadline, Description: f.Description}, nil
}

// future is a fixed valid deadline far from now.
const future = "2045-10-01T16:00:00Z"
