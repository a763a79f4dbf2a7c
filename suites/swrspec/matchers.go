package swrspec

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega/types"

	"github.com/swr-conformance/swr-conformance/generators"
	"github.com/swr-conformance/swr-conformance/internal/contract"
	"github.com/swr-conformance/swr-conformance/internal/report"
	"github.com/swr-conformance/swr-conformance/internal/swrclient"
)

// Exchange is a request and what came of it, token redacted when shown.
type Exchange = swrclient.Exchange

// Share is a share as show and list return it.
type Share = swrclient.Share

// Body is a create or update body.
type Body = generators.Body

// Read is a share as read back through show or list, for the matchers of
// a write's effect.
type Read struct {
	Account string // the account the share is for
	Share   Share
	Exists  bool
	Ex      *Exchange // the read; nil when none could be sent
	Err     error     // the read did not succeed: the check cannot be made
}

// Answer succeeds when the exchange's status meets req's expectation (a
// status such as 201, or a class such as "a 4xx status"). An exchange that
// got no answer at all is not checked: no answer is never a verdict.
func Answer(req Requirement) types.GomegaMatcher {
	return &matcher{reqs: []Requirement{req}, verdict: func(actual any) error {
		ex, err := exchangeOf(actual)
		if err != nil {
			return err
		}
		return answerVerdict(req, ex)
	}}
}

func answerVerdict(req Requirement, ex *Exchange) error {
	if !ex.Answered() {
		return Undecided(CauseRun, fmt.Sprintf("the target did not answer %s %s (%s)", ex.Method, ex.Path, ex.Redact(ex.Err.Error())),
			"a stable connection to the target; a longer SWR_TIMEOUT if it is slow", req)
	}
	if req.Expect.Allows(ex.Status) {
		return nil
	}
	security := req.Expect.SecurityDefect(ex.Status)
	return &Violation{Requirement: req, SecurityDefect: security, Message: fmt.Sprintf("rule %s: %s\nsource:   %s\n%sexpected: %s\ngot:      %s\n%s",
		req.ID, req.Text, req.Source(), securityNote(security), req.Expect, statusText(ex.Status), ex),
		Evidence: evidence(req, opOf(req, ex), req.Expect.String(), statusText(ex.Status), ex, shown("", ex))}
}

// BeVisibleWith succeeds when the share read back holds the values a write
// that answered 201 sent (deadlines compared to the whole second).
func BeVisibleWith(req Requirement, sent Body) types.GomegaMatcher {
	return &matcher{reqs: []Requirement{req}, verdict: func(actual any) error {
		r, err := readOf(req, actual)
		if err != nil {
			return err
		}
		if diff := Diff(r, sent); diff != "" {
			return &Violation{Requirement: req, Message: fmt.Sprintf("rule %s: %s\nsource: %s\nthe write answered 201, but %s\nsent: %s\n%sread back with:\n%s",
				req.ID, req.Text, req.Source(), diff, sent.CreateJSON(), theWrite(r, nil), r.Ex),
				Evidence: readEvidence(req, r, nil, "the share read back holds the values the write sent: "+string(sent.CreateJSON()), "the write answered 201, but "+diff)}
		}
		return nil
	}}
}

// BeUnchanged succeeds when, after a refused write (refusal says how it was
// refused), the share read back still holds want's values. security: the
// write was refused with 401, so a change is a security defect.
func BeUnchanged(req Requirement, want Body, refusal string, security bool) types.GomegaMatcher {
	return &matcher{reqs: []Requirement{req}, verdict: func(actual any) error {
		r, err := readOf(req, actual)
		if err != nil {
			return err
		}
		if diff := Diff(r, want); diff != "" {
			return &Violation{Requirement: req, SecurityDefect: security, Message: fmt.Sprintf("rule %s: %s\nsource: %s\n%s%s, yet the share changed: %s\nthe share held: %s\n%sread back with:\n%s",
				req.ID, req.Text, req.Source(), securityNote(security), refusal, diff, want.CreateJSON(), theWrite(r, nil), r.Ex),
				Evidence: readEvidence(req, r, nil, "the share unchanged, as it was before: "+string(want.CreateJSON()), refusal+", yet the share changed: "+diff)}
		}
		return nil
	}}
}

// BeAbsent succeeds when, after the refused create, no share exists.
func BeAbsent(req Requirement, refused *Exchange, security bool) types.GomegaMatcher {
	return &matcher{reqs: []Requirement{req}, verdict: func(actual any) error {
		r, err := readOf(req, actual)
		if err != nil {
			return err
		}
		if r.Exists {
			return &Violation{Requirement: req, SecurityDefect: security, Message: fmt.Sprintf("rule %s: %s\nsource: %s\n%sthe create answered %s, yet the share exists (permit %q, deadline %q)\n%sread back with:\n%s",
				req.ID, req.Text, req.Source(), securityNote(security), statusText(refused.Status), r.Share.Permit, r.Share.Deadline, theWrite(r, refused), r.Ex),
				Evidence: readEvidence(req, r, refused, "no share: the create answered "+statusText(refused.Status),
					fmt.Sprintf("the share exists (permit %q, deadline %q)", r.Share.Permit, r.Share.Deadline))}
		}
		return nil
	}}
}

// HaveOneWinner succeeds when, of identical creates sent at once, exactly
// one got the first status of req's expectation (201) and every other the
// second (409): contract.OneWinner. round and rounds say which round of
// how many this was, for the message.
func HaveOneWinner(req Requirement, round, rounds int) types.GomegaMatcher {
	return &matcher{reqs: []Requirement{req}, verdict: func(actual any) error {
		exs, ok := actual.([]*Exchange)
		if !ok {
			return fmt.Errorf("HaveOneWinner expects []*swrclient.Exchange, got %T", actual)
		}
		if req.Expect.Effect != contract.EffectOneWinner || len(req.Expect.Statuses) != 2 {
			return fmt.Errorf("HaveOneWinner needs a requirement that expects one winner (contract.OneWinner), not %q", req.Expect)
		}
		winner, rest := req.Expect.Statuses[0], req.Expect.Statuses[1]
		created, conflicts, other := 0, 0, 0
		for _, ex := range exs {
			switch {
			case !ex.Answered():
				// Without every answer the round cannot be judged.
				return Undecided(CauseRun, fmt.Sprintf("round %d of %d: a racer got no answer (%s)", round, rounds, ex.Redact(ex.Err.Error())),
					"a stable connection to the target", req)
			case ex.Status == winner:
				created++
			case ex.Status == rest:
				conflicts++
			default:
				other++
			}
		}
		if created == 1 && conflicts == len(exs)-1 {
			return nil
		}
		var b strings.Builder
		var shows []report.Shown
		replay := []string{"# export SWR_TOKEN first; the creates go out at once, then wait for every answer (remove the share they made afterwards)"}
		for i, ex := range exs {
			fmt.Fprintf(&b, "\n%s\n", ex)
			shows = append(shows, shown(fmt.Sprintf("create %d of %d", i+1, len(exs)), ex))
			replay = append(replay, ex.Curl()+" -w '\\n' &")
		}
		ev := evidence(req, opOf(req, exs...), fmt.Sprintf("exactly one %d and %d × %d", winner, len(exs)-1, rest),
			fmt.Sprintf("%d × %d, %d × %d, %d other", created, winner, conflicts, rest, other), nil, shows...)
		ev[0].Case = fmt.Sprintf("round %d of %d: %d identical creates sent at once", round, rounds, len(exs))
		ev[0].Reproduction = strings.Join(append(replay, "wait"), "\n")
		return &Violation{Requirement: req, Message: fmt.Sprintf("rule %s: %s\nsource: %s\nround %d of %d, %d identical creates sent at once: expected exactly one %d and %d × %d, got %d × %d, %d × %d, %d other\n%s",
			req.ID, req.Text, req.Source(), round, rounds, len(exs), winner, len(exs)-1, rest, created, winner, conflicts, rest, other, b.String()), Evidence: ev}
	}}
}

// Hold succeeds when a check of the contract, written as a function that
// returns a *Violation, a *NotChecked or nil (Check's outcome, or a
// composite of several), found nothing wrong:
//
//	Expect(visible(ctx, req, slot, body)).To(Hold())
//
// Its failure is the check's own message, and it is recorded as the other
// matchers' are. A pass is recorded for reqs, the requirements the check
// judges (the check's nil says nothing of which).
func Hold(reqs ...Requirement) types.GomegaMatcher {
	return &matcher{reqs: reqs, verdict: func(actual any) error {
		if actual == nil {
			return nil
		}
		err, ok := actual.(error)
		if !ok {
			return fmt.Errorf("Hold expects the error a check returned, got %T", actual)
		}
		return err
	}}
}

// Check is the outcome of matching actual with a matcher of this package,
// as an error (*Violation, *NotChecked, or a defect of the check), without
// touching the running spec: for the checks of a property, whose cases are
// judged by the property runner.
func Check(actual any, m types.GomegaMatcher) error {
	cm, ok := m.(*matcher)
	if !ok {
		return fmt.Errorf("swrspec.Check takes a matcher of package swrspec, got %T", m)
	}
	return cm.verdict(actual)
}

// Diff says how the share read back differs from the body, "" if not.
func Diff(r Read, b Body) string {
	switch share := r.Share; {
	case !r.Exists:
		return "the share does not exist"
	case share.Permit != b.Permit:
		return fmt.Sprintf("permit: sent %q, stored %q", b.Permit, share.Permit)
	case !contract.SameDeadline(share.Deadline, b.Deadline):
		return fmt.Sprintf("deadline: sent %q, stored %q", b.Deadline, share.Deadline)
	case b.Description != nil && share.Description != *b.Description:
		return fmt.Sprintf("description: sent %q, stored %q", *b.Description, share.Description)
	case share.AccessDomain != "" && share.AccessDomain != r.Account:
		return fmt.Sprintf("access_domain: sent %q, stored %q", r.Account, share.AccessDomain)
	}
	return ""
}

// matcher is every matcher of this package: a verdict on the actual value.
type matcher struct {
	verdict func(actual any) error
	reqs    []Requirement // what a pass shows kept
	last    error
}

// Match is the Gomega path, in a running spec: a pass is recorded for the
// matcher's requirements, so that a requirement whose check passed keeps
// its pass when a later check of the same spec fails for another.
func (m *matcher) Match(actual any) (bool, error) {
	m.last = m.verdict(actual)
	var v *Violation
	var u *NotChecked
	switch {
	case m.last == nil:
		for _, r := range m.reqs {
			RecordPass(r)
		}
		return true, nil
	case errors.As(m.last, &v), errors.As(m.last, &u):
		return false, nil
	}
	return false, m.last // the check itself went wrong: Gomega says so
}

// FailureMessage is the violation's whole story. In a spec it first
// records the outcome: the broken requirement as a report entry, or, for a
// check that could not be made, what was not checked; the spec is then
// skipped, not failed.
func (m *matcher) FailureMessage(any) string {
	if record(m.last) {
		ginkgo.Skip(m.last.Error())
	}
	return m.last.Error()
}

func (m *matcher) NegatedFailureMessage(any) string {
	return "expected a violation of the contract, and the target kept it"
}

func exchangeOf(actual any) (*Exchange, error) {
	ex, ok := actual.(*Exchange)
	if !ok || ex == nil {
		return nil, fmt.Errorf("expected a *swrclient.Exchange, got %T", actual)
	}
	return ex, nil
}

func readOf(req Requirement, actual any) (Read, error) {
	r, ok := actual.(Read)
	if !ok {
		return r, fmt.Errorf("expected a swrspec.Read, got %T", actual)
	}
	switch {
	case errors.Is(r.Err, swrclient.ErrCannotObserve):
		return r, Undecided(CauseConfiguration, r.Err.Error(), "a target that offers show or list of shares", req)
	case r.Err != nil:
		shown := ""
		if r.Ex != nil {
			shown = "\n" + r.Ex.String()
		}
		return r, Undecided(CauseRun, "reading the share back failed: "+r.Err.Error()+shown, "", req)
	}
	return r, nil
}

// theWrite shows the write whose effect a read-back judges: without a
// reproduction of its own when the read's reproduction replays it (one
// snippet for the whole case), else in full. write is the write the
// matcher was given, when it was given one.
func theWrite(r Read, write *Exchange) string {
	if r.Ex != nil && r.Ex.Replay != nil && r.Ex.Replay.Write != nil {
		return "the write:\n" + r.Ex.Replay.Write.Summary()
	}
	if write != nil {
		return "the write:\n" + write.String() + "\n"
	}
	return ""
}

// evidence is a violation's story in parts, for the reports' failure
// cards: op is the certified operation that broke the rule ("" when none
// can be told), replayed the exchange whose reproduction replays the case
// (nil: none).
func evidence(req Requirement, op, expected, got string, replayed *Exchange, exs ...report.Shown) []report.Evidence {
	e := report.Evidence{Requirement: req.ID, Operation: op, Expected: expected, Got: got, Exchanges: exs}
	if replayed != nil {
		e.Reproduction = replayed.Reproduction()
	}
	return []report.Evidence{e}
}

// readEvidence is the evidence of a read-back that judged a write: the
// write (refused, when the matcher was given it) and the read, and the
// read's reproduction, which replays the write too when it knows it.
func readEvidence(req Requirement, r Read, refused *Exchange, expected, got string) []report.Evidence {
	var shows []report.Shown
	write := refused
	if r.Ex != nil && r.Ex.Replay != nil && r.Ex.Replay.Write != nil {
		write = r.Ex.Replay.Write
	}
	if write != nil {
		shows = append(shows, shown("the write", write))
	}
	if r.Ex != nil {
		shows = append(shows, shown("read back", r.Ex))
	}
	return evidence(req, opOf(req, write), expected, got, r.Ex, shows...)
}

// shown is one exchange for the evidence.
func shown(role string, ex *Exchange) report.Shown {
	return report.Shown{Role: role, Method: ex.Method, Path: ex.Path, Status: ex.Status, Request: ex.RequestText(), Response: ex.ResponseText()}
}

// opOf is the certified operation a failure is of: the first of exs that
// is one, else the requirement's when it is a rule of one only; "" when
// neither tells.
func opOf(req Requirement, exs ...*Exchange) string {
	for _, ex := range exs {
		if ex != nil && ex.Op.Certified() {
			return string(ex.Op)
		}
	}
	if len(req.Ops) == 1 {
		return string(req.Ops[0])
	}
	return ""
}

func securityNote(security bool) string {
	if security {
		return "SECURITY DEFECT: a request without valid credentials was served or took effect.\n"
	}
	return ""
}

func statusText(code int) string { return fmt.Sprintf("%d %s", code, http.StatusText(code)) }
