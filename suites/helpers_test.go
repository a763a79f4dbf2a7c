package suites

import (
	"context"
	"encoding/json"
	"errors"
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

// A check ends in one of three ways: it passes (nil), the target broke a
// rule (*violation), or it could not decide (*undecided): no answer, a
// neighbouring operation that failed, a target that cannot show what the
// check needs. Only a violation is a verdict (CONTRACT-NOTES.md section 7).

// violation is a request answered against the contract.
type violation struct {
	req      Requirement
	security bool // a write refused with 401 took effect
	msg      string
}

func (v *violation) Error() string { return v.msg }

// undecided is a check that could not be made. It wraps
// generators.ErrUndecided, so a property counts the case as not checked.
type undecided struct {
	nc report.NotChecked
}

func (u *undecided) Error() string { return "not checked: " + u.nc.Reason }
func (u *undecided) Unwrap() error { return generators.ErrUndecided }

func notCheckedError(cause report.Cause, reason, remedy string, reqs ...Requirement) error {
	return &undecided{report.NotChecked{Requirements: ids(reqs), Cause: cause, Reason: reason, Remedy: remedy}}
}

func ids(reqs []Requirement) []string {
	var out []string
	for _, r := range reqs {
		out = append(out, r.ID)
	}
	return out
}

// must ends the spec on err: a violation fails it, naming the requirement;
// an undecided check records what was not checked and why, and stops the
// spec without a verdict.
func must(err error) {
	GinkgoHelper()
	var v *violation
	var u *undecided
	switch {
	case err == nil:
	case errors.As(err, &v):
		AddReportEntry(report.EntryFailed, report.Failed{Requirement: v.req.ID, SecurityDefect: v.security}, ReportEntryVisibilityNever)
		Fail(err.Error())
	case errors.As(err, &u):
		AddReportEntry(report.EntryNotChecked, u.nc, ReportEntryVisibilityNever)
		Skip("not checked: " + u.nc.Reason)
	default:
		Fail(err.Error())
	}
}

// notChecked records that the spec leaves reqs unchecked (none given: all
// of its requirements) and goes on: the spec still checks the rest.
func notChecked(cause report.Cause, reason, remedy string, reqs ...Requirement) {
	AddReportEntry(report.EntryNotChecked, report.NotChecked{Requirements: ids(reqs), Cause: cause, Reason: reason, Remedy: remedy}, ReportEntryVisibilityNever)
}

// stopNotChecked records what the spec could not check and stops it.
func stopNotChecked(cause report.Cause, reason, remedy string, reqs ...Requirement) {
	GinkgoHelper()
	must(notCheckedError(cause, reason, remedy, reqs...))
}

// runProblem records something that went wrong around the two operations.
func runProblem(what string) {
	AddReportEntry(report.EntryRunProblem, report.RunProblem{What: what}, ReportEntryVisibilityAlways)
}

// observation records what the target chose where the contract is open.
func observation(point, choice string, ex *swrclient.Exchange) {
	example := ""
	if ex != nil {
		example = requestLine(ex)
	}
	AddReportEntry(report.EntryObservation, report.Observation{Point: point, Choice: choice, Example: example}, ReportEntryVisibilityNever)
}

// lease takes a fresh slot for this spec and gives it back after the spec,
// whatever the outcome.
func lease(ctx context.Context) *target.Slot {
	GinkgoHelper()
	s, err := tgt.Lease(ctx)
	if err != nil {
		stopNotChecked(report.CauseRun, "setting up: "+err.Error(), "")
	}
	// A failed cleanup is no verdict on the contract (the neighbouring
	// delete is not what the suite certifies): it is a problem of the run,
	// the account is kept out of use, and the run's end lists what was left.
	DeferCleanup(func(ctx SpecContext) {
		defer leftovers.Delete(s)
		if err := s.Release(ctx); err != nil {
			runProblem(err.Error())
		}
	})
	return s
}

// statusError says, in one message, what was expected, what came back and
// why it matters; nil when the status is one of want. No answer at all is
// no verdict.
func statusError(req Requirement, ex *swrclient.Exchange, want ...int) error {
	if !ex.Answered() {
		return noAnswer(req, ex)
	}
	for _, w := range want {
		if ex.Status == w {
			return nil
		}
	}
	return verdictError(req, describeWant(want), ex)
}

// classError checks a status class: lo <= status <= hi.
func classError(req Requirement, ex *swrclient.Exchange, lo, hi int, what string) error {
	if !ex.Answered() {
		return noAnswer(req, ex)
	}
	if ex.Status >= lo && ex.Status <= hi {
		return nil
	}
	return verdictError(req, what, ex)
}

func noAnswer(req Requirement, ex *swrclient.Exchange) error {
	return notCheckedError(report.CauseRun, fmt.Sprintf("the target did not answer %s %s (%s)", ex.Method, pathOf(ex), ex.Redact(ex.Err.Error())),
		"a stable connection to the target; a longer SWR_TIMEOUT if it is slow", req)
}

func verdictError(req Requirement, want string, ex *swrclient.Exchange) error {
	got := fmt.Sprintf("%d %s", ex.Status, http.StatusText(ex.Status))
	return &violation{req: req, msg: fmt.Sprintf("rule %s: %s\nsource:   %s\nexpected: %s\ngot:      %s\n%s",
		req.ID, req.Text, req.Source, want, got, ex)}
}

func describeWant(want []int) string {
	parts := make([]string, len(want))
	for i, w := range want {
		parts[i] = fmt.Sprintf("%d %s", w, http.StatusText(w))
	}
	return strings.Join(parts, " or ")
}

// success: a neighbouring operation (or a create used as set-up) worked.
func success(ex *swrclient.Exchange) bool {
	return ex.Answered() && ex.Status >= 200 && ex.Status < 300
}

// precondition stops the spec without a verdict when a set-up step did not
// succeed: what it kept from being checked is "not checked", never failed.
func precondition(step string, ex *swrclient.Exchange) {
	GinkgoHelper()
	if !ex.Succeeded() {
		stopNotChecked(report.CauseRun, fmt.Sprintf("setting up (%s) did not succeed:\n%s", step, ex), "")
	}
}

// checkProperty runs a property over in with the spec's own seed, up to
// SWR_CONCURRENCY cases at once, and fails the spec with the counterexample
// (checked alone, then shrunk) and how to replay it.
func checkProperty(req Requirement, in generators.Inputs, check func(string) error) {
	GinkgoHelper()
	runProperty(req, in, tgt.Config.Concurrency, check)
}

// checkPropertyInSeries is checkProperty for checks that read back the
// state the cases change: they never run at once.
func checkPropertyInSeries(req Requirement, in generators.Inputs, check func(string) error) {
	GinkgoHelper()
	runProperty(req, in, 1, check)
}

func runProperty(req Requirement, in generators.Inputs, concurrency int, check func(string) error) {
	GinkgoHelper()
	name := CurrentSpecReport().FullText()
	seed := generators.SeedFor(GinkgoRandomSeed(), name)
	out := generators.Check(generators.Params{Seed: seed, Cases: tgt.Config.Cases, Concurrency: concurrency}, in, check)
	AddReportEntry(report.EntryProperty, report.Property{Label: in.Label, Cases: out.Tried, NotChecked: out.Undecided, Seed: seed, RunSeed: GinkgoRandomSeed()}, ReportEntryVisibilityNever)
	if out.Problem != nil {
		Fail("suite defect, not a verdict on the target: " + out.Problem.Error())
	}
	if out.Failure != nil {
		var v *violation
		if errors.As(out.Failure.Err, &v) {
			AddReportEntry(report.EntryFailed, report.Failed{Requirement: v.req.ID, SecurityDefect: v.security}, ReportEntryVisibilityNever)
		}
		Fail(fmt.Sprintf("%s\nreplay (same inputs, add to the suite's arguments): -ginkgo.seed=%d -ginkgo.focus=%s",
			out.Failure, GinkgoRandomSeed(), swrclient.ShellQuote(focusFor(name))))
	}
	if out.Undecided > 0 {
		var u *undecided
		nc := report.NotChecked{Requirements: []string{req.ID}, Cause: report.CauseRun}
		if errors.As(out.FirstUndecided, &u) {
			nc = u.nc
		}
		nc.Reason = fmt.Sprintf("%d of %d cases of %s were not checked; the first: %s", out.Undecided, out.Tried, in.Label, nc.Reason)
		AddReportEntry(report.EntryNotChecked, nc, ReportEntryVisibilityNever)
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

// create sends a create of the slot's share. A create that got no answer
// is sent again only once the slot is known to be empty again (the first
// attempt may have made the share); when the share exists already (a
// duplicate is expected), a second sending cannot change the outcome.
func create(ctx context.Context, s *target.Slot, body []byte, shareExists bool, opts ...swrclient.Option) *swrclient.Exchange {
	resend := swrclient.WithResend(func(ctx context.Context) error { return tgt.RemoveShare(ctx, s.Namespace, s.Repository, s.Account) })
	if shareExists {
		resend = swrclient.WithResend(swrclient.ResendFreely)
	}
	return tgt.Client.CreateShare(ctx, s.Namespace, s.Repository, body, append([]swrclient.Option{resend}, opts...)...)
}

// createStatus checks a create of a new share: 201. A 409 after the
// transport waited out a slow-down may answer the suite's own first
// attempt (CONTRACT-NOTES.md section 6): it is checked through show or
// list before it is judged.
func createStatus(ctx context.Context, req Requirement, s *target.Slot, sent generators.Body, ex *swrclient.Exchange) error {
	if ex.Answered() && ex.Status == http.StatusConflict {
		if err := leftoverError(s, req); err != nil {
			return err
		}
	}
	if ex.Answered() && ex.Status == http.StatusConflict && ex.SlowDowns > 0 {
		share, exists, _, err := tgt.ShareState(ctx, s.Namespace, s.Repository, s.Account)
		if err == nil && exists && share.Permit == sent.Permit && sameDeadline(share.Deadline, sent.Deadline) {
			return notCheckedError(report.CauseRun, "a create retried after a slow-down (429/503) met 409, and the share holds the values sent: the 409 may answer the suite's own first attempt", "", req)
		}
	}
	return statusError(req, ex, http.StatusCreated)
}

// createShare creates the slot's share with a valid body, as set-up.
func createShare(ctx context.Context, s *target.Slot) generators.Body {
	GinkgoHelper()
	b := validBody(s, grammar.Forever, "created by swr-conformance")
	precondition("create the share to work on", create(ctx, s, b.CreateJSON(), false))
	return b
}

// undoCreate removes a share that a create made, so each case of a property
// starts from the same state. When it cannot, the slot holds a leftover
// share until a later removal works: what the next cases meet is then the
// run's doing, not the target's (see leftoverError).
func undoCreate(ctx context.Context, s *target.Slot, ex *swrclient.Exchange) {
	if ex.Succeeded() {
		if err := tgt.RemoveShare(ctx, s.Namespace, s.Repository, s.Account); err != nil {
			leftovers.Store(s, err.Error())
			runProblem(err.Error())
			return
		}
		leftovers.Delete(s)
	}
}

// leftovers are the slots whose share a failed removal left behind.
var leftovers sync.Map // *target.Slot → the removal's error

// leftoverError is no verdict for a slot that holds a share the run could
// not remove: a 409 or an existing share there answers the leftover.
func leftoverError(s *target.Slot, req Requirement) error {
	if why, ok := leftovers.Load(s); ok {
		return notCheckedError(report.CauseRun, "a share an earlier case made could not be removed, so this case did not start from an empty slot: "+firstLine(why.(string)), "a target that lets its shares be deleted", req)
	}
	return nil
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// readBack reads the slot's share through show, or else list. A target that
// offers neither leaves req not checked (configuration); a read that fails
// leaves it not checked (the run).
func readBack(ctx context.Context, req Requirement, s *target.Slot) (swrclient.Share, bool, *swrclient.Exchange, error) {
	share, exists, ex, err := tgt.ShareState(ctx, s.Namespace, s.Repository, s.Account)
	switch {
	case errors.Is(err, target.ErrCannotObserve):
		return share, false, ex, notCheckedError(report.CauseConfiguration, err.Error(), "a target that offers show or list of shares", req)
	case err != nil:
		shown := ""
		if ex != nil {
			shown = "\n" + ex.String()
		}
		return share, false, ex, notCheckedError(report.CauseRun, "reading the share back failed: "+err.Error()+shown, "", req)
	}
	return share, exists, ex, nil
}

// visibleError checks that the slot's share holds the values of b.
func visibleError(ctx context.Context, req Requirement, s *target.Slot, b generators.Body) error {
	share, exists, ex, err := readBack(ctx, req, s)
	if err != nil {
		return err
	}
	if diff := shareDiff(share, exists, s, b); diff != "" {
		return &violation{req: req, msg: fmt.Sprintf("rule %s: %s\nsource: %s\nthe write answered 201, but %s\nsent: %s\nread back with:\n%s",
			req.ID, req.Text, req.Source, diff, b.CreateJSON(), ex)}
	}
	if strings.Contains(b.Deadline, ".") {
		choice := "kept as sent"
		if !strings.Contains(share.Deadline, ".") {
			choice = "stored to the whole second"
		} else if share.Deadline != b.Deadline {
			choice = "stored with another fraction spelling"
		}
		observation("deadline with fractional seconds, read back", choice, ex)
	}
	return nil
}

// shareDiff says how the stored share differs from the body, "" if not.
func shareDiff(share swrclient.Share, exists bool, s *target.Slot, b generators.Body) string {
	switch {
	case !exists:
		return "the share does not exist"
	case share.Permit != b.Permit:
		return fmt.Sprintf("permit: sent %q, stored %q", b.Permit, share.Permit)
	case !sameDeadline(share.Deadline, b.Deadline):
		return fmt.Sprintf("deadline: sent %q, stored %q", b.Deadline, share.Deadline)
	case b.Description != nil && share.Description != *b.Description:
		return fmt.Sprintf("description: sent %q, stored %q", *b.Description, share.Description)
	case share.AccessDomain != "" && share.AccessDomain != s.Account:
		return fmt.Sprintf("access_domain: sent %q, stored %q", s.Account, share.AccessDomain)
	}
	return ""
}

// sameDeadline compares deadlines as instants to the whole second: a
// registry may store 2030-10-01T16:00:00.000Z as 2030-10-01T16:00:00Z (the
// vendor's own example does), and that is the same value
// (CONTRACT-NOTES.md section 5).
func sameDeadline(stored, sent string) bool {
	if stored == sent {
		return true
	}
	a, errA := time.Parse(time.RFC3339Nano, stored)
	b, errB := time.Parse(time.RFC3339Nano, sent)
	return errA == nil && errB == nil && a.Truncate(time.Second).Equal(b.Truncate(time.Second))
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

// pathOf is an exchange's URL without the target's base.
func pathOf(ex *swrclient.Exchange) string { return strings.TrimPrefix(ex.URL, tgt.Client.Base()) }

// requestLine is one exchange in one line, for examples in the reports.
func requestLine(ex *swrclient.Exchange) string {
	line := ex.Method + " " + pathOf(ex)
	if ex.ReqBody != nil {
		body := ex.Redact(string(ex.ReqBody))
		if len(body) > 200 {
			body = body[:200] + "..."
		}
		line += " " + fmt.Sprintf("%q", body)
	}
	if ex.Answered() {
		line += fmt.Sprintf(" → %d", ex.Status)
	} else {
		line += " → no answer"
	}
	return line
}

// future is a fixed valid deadline far from now.
const future = "2045-10-01T16:00:00Z"
