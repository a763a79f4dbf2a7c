package suites

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	. "github.com/onsi/ginkgo/v2"

	. "github.com/swr-conformance/swr-conformance/suites/swrspec"

	"github.com/swr-conformance/swr-conformance/fixtures/target"
	"github.com/swr-conformance/swr-conformance/generators"
	"github.com/swr-conformance/swr-conformance/internal/contract"
	"github.com/swr-conformance/swr-conformance/internal/report"
	"github.com/swr-conformance/swr-conformance/internal/runner"
	"github.com/swr-conformance/swr-conformance/internal/swrclient"
)

// stopNotChecked records what the spec could not check and stops it.
func stopNotChecked(cause report.Cause, reason, remedy string, reqs ...contract.Requirement) {
	GinkgoHelper()
	Must(Undecided(cause, reason, remedy, reqs...))
}

// runProblem records something that went wrong around the two operations:
// a problem of the run, never a verdict.
func runProblem(what string) { runner.RunProblem(what) }

// observation records what the target chose where the contract is open.
func observation(point, choice string, ex *swrclient.Exchange) {
	example := ""
	if ex != nil {
		example = runner.RequestLine(ex)
	}
	AddReportEntry(report.EntryObservation, report.Observation{Point: point, Choice: choice, Example: example}, ReportEntryVisibilityNever)
}

// lease takes a fresh slot for this spec and gives it back after the spec,
// whatever the outcome.
func lease(ctx context.Context) *target.Slot {
	GinkgoHelper()
	s, err := run.Target().Lease(ctx)
	if err != nil {
		stopNotChecked(report.CauseRun, "setting up: "+err.Error(), "")
	}
	// A failed cleanup is no verdict on the contract (the neighbouring
	// delete is not what the suite certifies): it is a problem of the run,
	// the account is kept out of use, and the run's end lists what was left.
	DeferCleanup(func(ctx SpecContext) {
		defer run.Leftovers().Clear(s)
		defer run.Trails().Release(s)
		if err := s.Release(ctx); err != nil {
			runProblem(err.Error())
		}
	})
	return s
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
func checkProperty(req contract.Requirement, in generators.Inputs, check func(string) error) {
	GinkgoHelper()
	runProperty(req, in, run.Config().Concurrency, check)
}

// checkPropertyInSeries is checkProperty for checks that read back the
// state the cases change: they never run at once.
func checkPropertyInSeries(req contract.Requirement, in generators.Inputs, check func(string) error) {
	GinkgoHelper()
	runProperty(req, in, 1, check)
}

func runProperty(req contract.Requirement, in generators.Inputs, concurrency int, check func(string) error) {
	GinkgoHelper()
	name := CurrentSpecReport().FullText()
	seed := generators.SeedFor(GinkgoRandomSeed(), name)
	// A case whose every check passed is a pass of each requirement the
	// spec checks; it stands even when a later case fails another one.
	var casePassed atomic.Bool
	out := generators.Check(generators.Params{Seed: seed, Cases: run.Config().Cases, Concurrency: concurrency}, in, func(input string) error {
		err := check(input)
		if err == nil {
			casePassed.Store(true)
		}
		return err
	})
	AddReportEntry(report.EntryProperty, report.Property{Label: in.Label, Cases: out.Tried, NotChecked: out.Undecided, Seed: seed, RunSeed: GinkgoRandomSeed()}, ReportEntryVisibilityNever)
	if out.Problem != nil {
		Fail("suite defect, not a verdict on the target: " + out.Problem.Error())
	}
	if casePassed.Load() {
		for _, r := range specRequirements() {
			RecordPass(r)
		}
	}
	if out.Failure != nil {
		replay := fmt.Sprintf("-ginkgo.seed=%d -ginkgo.focus=%s", GinkgoRandomSeed(), swrclient.ShellQuote(focusFor(name)))
		var v *Violation
		if errors.As(out.Failure.Err, &v) {
			AddReportEntry(report.EntryFailed, report.Failed{Requirement: v.Requirement.ID, SecurityDefect: v.SecurityDefect}, ReportEntryVisibilityNever)
			RecordEvidence(v, counterexample(out.Failure), replay)
			if v.Requirement.ID != req.ID {
				// The failing case got past the property's own check
				// before another requirement's failed.
				RecordPass(req)
			}
		}
		Fail(fmt.Sprintf("%s\nreplay (same inputs, add to the suite's arguments): %s", out.Failure, replay))
	}
	if out.Undecided > 0 {
		var u *NotChecked
		nc := report.NotChecked{Requirements: []string{req.ID}, Cause: report.CauseRun}
		if errors.As(out.FirstUndecided, &u) {
			nc = u.NotChecked
		}
		nc.Reason = fmt.Sprintf("%d of %d cases of %s were not checked; the first: %s", out.Undecided, out.Tried, in.Label, nc.Reason)
		AddReportEntry(report.EntryNotChecked, nc, ReportEntryVisibilityNever)
	}
}

// eachAtOnce runs check(i) for i from 0 to n-1, up to SWR_CONCURRENCY at
// once as a property's cases are sent, and returns the errors in that
// order. Only for checks that are independent of each other: each judges
// its own answer, and none reads back state another one changes.
func eachAtOnce(n int, check func(i int) error) []error {
	errs := make([]error, n)
	slots := make(chan struct{}, max(1, run.Config().Concurrency))
	var wg sync.WaitGroup
	for i := range n {
		slots <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			errs[i] = check(i)
		}()
	}
	wg.Wait()
	return errs
}

// counterexample says which input of a property failed, for the reports'
// failure cards: as found and as shrunk, each shown as it was sent (a body
// as JSON, not Go-quoted, unless it holds what a page cannot show).
func counterexample(f *generators.Failure) string {
	switch {
	case f.Boundary:
		return fmt.Sprintf("boundary case (%s): %s", f.Label, shownInput(f.Shrunk))
	case f.Shrinks == 0:
		return fmt.Sprintf("counterexample (%s, seed %d, could not be shrunk): %s", f.Label, f.Seed, shownInput(f.Shrunk))
	}
	return fmt.Sprintf("counterexample (%s, seed %d): %s\nshrunk in %d steps from: %s", f.Label, f.Seed, shownInput(f.Shrunk), f.Shrinks, shownInput(f.Original))
}

// shownInput is an input as a person reads it: as it is when every
// character shows and none is lost at either end, else Go-quoted.
func shownInput(s string) string {
	if s == "" || strings.TrimSpace(s) != s {
		return strconv.Quote(s)
	}
	for _, r := range s {
		if !unicode.IsPrint(r) || r == utf8.RuneError {
			return strconv.Quote(s)
		}
	}
	return s
}

// specRequirements are the catalogue's requirements the running spec is
// labelled with: the one it is named after and its Also.
func specRequirements() []contract.Requirement {
	byID := map[string]contract.Requirement{}
	for _, r := range contract.All() {
		byID[r.ID] = r
	}
	var out []contract.Requirement
	for _, l := range CurrentSpecReport().Labels() {
		if r, ok := byID[l]; ok {
			out = append(out, r)
		}
	}
	return out
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
	return generators.Body{AccessDomain: s.Account, Permit: contract.ReadPermit, Deadline: deadline, Description: &d}
}

// create sends a create of the slot's share. A create that got no answer
// is sent again only once the slot is known to be empty again (the first
// attempt may have made the share); when the share exists already (a
// duplicate is expected), a second sending cannot change the outcome.
func create(ctx context.Context, s *target.Slot, body []byte, shareExists bool, opts ...swrclient.Option) *swrclient.Exchange {
	resend := swrclient.WithResendOnceRemoved(swrclient.ShareKey{Namespace: s.Namespace, Repository: s.Repository, Account: s.Account})
	if shareExists {
		resend = swrclient.WithResend(swrclient.ResendFreely)
	}
	setup := run.Trails().Of(s)
	ex := run.Target().Client.CreateShare(ctx, s.Namespace, s.Repository, body, append([]swrclient.Option{resend, swrclient.WithReplay(replay(s, setup))}, opts...)...)
	if !shareExists && len(ex.Unanswered()) > 0 {
		run.Trails().Forget(s) // the slot was emptied before the create was sent again
	}
	run.Trails().Wrote(s, ex)
	return ex
}

// update sends an update of the slot's share.
func update(ctx context.Context, s *target.Slot, body []byte, opts ...swrclient.Option) *swrclient.Exchange {
	setup := run.Trails().Of(s)
	ex := run.Target().Client.UpdateShare(ctx, s.Namespace, s.Repository, s.Account, body, append([]swrclient.Option{swrclient.WithReplay(replay(s, setup))}, opts...)...)
	run.Trails().Wrote(s, ex)
	return ex
}

// replay is the reproduction of a request on the slot's share on a clean
// target: the writes that made the state it met first, then its removal.
func replay(s *target.Slot, setup []*swrclient.Exchange) *swrclient.Replay {
	return &swrclient.Replay{Setup: setup, Remove: run.Trails().Removal(s)}
}

// createStatus checks a create of a new share against req (201). A 409 after the
// transport waited out a slow-down may answer the suite's own first
// attempt (contract section 6): it is checked through show or
// list before it is judged.
func createStatus(ctx context.Context, req contract.Requirement, s *target.Slot, sent generators.Body, ex *swrclient.Exchange) error {
	if ex.Answered() && ex.Status == http.StatusConflict {
		if err := leftoverError(s, req); err != nil {
			return err
		}
	}
	if ex.Answered() && ex.Status == http.StatusConflict && ex.SlowDowns() > 0 {
		share, exists, _, err := run.Target().ShareState(ctx, s.Namespace, s.Repository, s.Account)
		if err == nil && exists && share.Permit == sent.Permit && contract.SameDeadline(share.Deadline, sent.Deadline) {
			return Undecided(report.CauseRun, "a create retried after a slow-down (429/503) met 409, and the share holds the values sent: the 409 may answer the suite's own first attempt", "", req)
		}
	}
	return Check(ex, Answer(req))
}

// createShare creates the slot's share with a valid body, as set-up.
func createShare(ctx context.Context, s *target.Slot) generators.Body {
	GinkgoHelper()
	return createShares(ctx, s)[0]
}

// createShares is createShare for several slots; their creates are
// independent of each other, so they are sent at once.
func createShares(ctx context.Context, slots ...*target.Slot) []generators.Body {
	GinkgoHelper()
	bodies := make([]generators.Body, len(slots))
	exs := make([]*swrclient.Exchange, len(slots))
	eachAtOnce(len(slots), func(i int) error {
		bodies[i] = validBody(slots[i], contract.Forever, "created by swr-conformance")
		exs[i] = create(ctx, slots[i], bodies[i].CreateJSON(), false)
		return nil
	})
	for _, ex := range exs {
		precondition("create the share to work on", ex)
	}
	return bodies
}

// undoCreate removes a share that a create made, so each case of a property
// starts from the same state. When it cannot, the slot holds a leftover
// share until a later removal works: what the next cases meet is then the
// run's doing, not the target's (see leftoverError).
func undoCreate(ctx context.Context, s *target.Slot, ex *swrclient.Exchange) {
	if ex.Succeeded() {
		if err := run.Target().RemoveShare(ctx, s.Namespace, s.Repository, s.Account); err != nil {
			run.Leftovers().Keep(s, err.Error())
			runProblem(err.Error())
			return
		}
		run.Leftovers().Clear(s)
		run.Trails().Forget(s)
	}
}

// leftoverError is no verdict for a slot that holds a share the run could
// not remove: a 409 or an existing share there answers the leftover.
func leftoverError(s *target.Slot, req contract.Requirement) error {
	if why, ok := run.Leftovers().Of(s); ok {
		return Undecided(report.CauseRun, "a share an earlier case made could not be removed, so this case did not start from an empty slot: "+firstLine(why), "a target that lets its shares be deleted", req)
	}
	return nil
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// readBack reads the slot's share through show, or else list, to judge
// the effect of write, a write on the same slot. A failure's reproduction
// is then one snippet: the set-up that write met, the write, this read
// showing the state the failure is about, and cleanup only at the end.
func readBack(ctx context.Context, s *target.Slot, write *swrclient.Exchange) Read {
	return readAfter(ctx, s, write, s)
}

// readAfter is readBack for a read of slot s after a write on another slot
// of the same repository, writeSlot (an update must leave the other shares
// alone): the reproduction sets up both shares and removes both.
func readAfter(ctx context.Context, s *target.Slot, write *swrclient.Exchange, writeSlot *target.Slot) Read {
	// The state the write met: its own set-up, captured when it was sent
	// (the trail now holds the write too), then the read slot's shares
	// when that is another slot.
	setup := run.Trails().Of(writeSlot)
	if write != nil && write.Replay != nil {
		setup = append([]*swrclient.Exchange(nil), write.Replay.Setup...)
	}
	remove := run.Trails().Removal(writeSlot)
	if writeSlot != s {
		setup = append(setup, run.Trails().Of(s)...)
		remove = append(append([]string(nil), run.Trails().Removal(s)...), remove...)
	}
	share, exists, ex, err := run.Target().ShareState(ctx, s.Namespace, s.Repository, s.Account)
	if ex != nil {
		ex.Replay = &swrclient.Replay{Setup: setup, Write: write, Remove: remove}
	}
	return Read{Account: s.Account, Share: share, Exists: exists, Ex: ex, Err: err}
}

// visible checks that the slot's share holds the values of b after a write
// that answered 201, and returns them as stored. It reports what the target
// made of what the contract leaves open: a fractional deadline, and an
// update that left the description out (the PATCH page says the field "is
// left blank by default"; keeping the old one is as defensible), whose
// description is then not judged. before is the share before an update,
// nil for a create; write is the write that answered 201.
func visible(ctx context.Context, req contract.Requirement, s *target.Slot, b generators.Body, before *generators.Body, write *swrclient.Exchange) (generators.Body, error) {
	r := readBack(ctx, s, write)
	if err := Check(r, BeVisibleWith(req, b)); err != nil {
		return generators.Body{}, err // zero, as Gomega's Expect(...).Error() wants it
	}
	if strings.Contains(b.Deadline, ".") {
		choice := "kept as sent"
		if !strings.Contains(r.Share.Deadline, ".") {
			choice = "stored to the whole second"
		} else if r.Share.Deadline != b.Deadline {
			choice = "stored with another fraction spelling"
		}
		observation("deadline with fractional seconds, read back", choice, r.Ex)
	}
	if b.Description == nil {
		if before != nil && before.Description != nil && *before.Description != "" { // else kept and blanked look alike
			choice := "another description: " + r.Share.Description
			switch r.Share.Description {
			case *before.Description:
				choice = "kept the description it had"
			case "":
				choice = "blanked the description"
			}
			observation("update without description", choice, r.Ex)
		}
		d := r.Share.Description
		b.Description = &d
	}
	return b, nil
}

// future is a fixed valid deadline far from now.
const future = "2045-10-01T16:00:00Z"
