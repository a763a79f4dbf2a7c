package swrspec

import (
	"errors"
	"strings"

	"github.com/onsi/ginkgo/v2"

	"github.com/swr-conformance/swr-conformance/generators"
	"github.com/swr-conformance/swr-conformance/internal/report"
)

// A check ends in one of three ways: it passes (nil), the target broke a
// rule (*Violation), or it could not decide (*NotChecked): no answer, a
// neighbouring operation that failed, a target that cannot show what the
// check needs. Only a violation is a verdict (contract section 7).

// Violation is an answer against the contract.
type Violation struct {
	Requirement    Requirement
	SecurityDefect bool   // a write refused with 401 took effect
	Message        string // the rule, its source, expected, got, the exchange
	// Evidence is the same story in parts, for the reports' failure cards
	// (one per failed check; a violation that joins several has several).
	// Without it the reports show Message.
	Evidence []report.Evidence
}

func (v *Violation) Error() string { return v.Message }

// NotChecked is a check that could not be made, and why. It wraps
// generators.ErrUndecided, so a property counts the case as not checked.
type NotChecked struct{ report.NotChecked }

func (u *NotChecked) Error() string { return "not checked: " + u.Reason }
func (u *NotChecked) Unwrap() error { return generators.ErrUndecided }

// Cause says why a requirement was not checked.
type Cause = report.Cause

// The causes: the configuration left a requirement out, or something went
// wrong during the run.
const (
	CauseConfiguration = report.CauseConfiguration
	CauseRun           = report.CauseRun
)

// Undecided is the error of a check that could not be made.
func Undecided(cause Cause, reason, remedy string, reqs ...Requirement) error {
	return &NotChecked{report.NotChecked{Requirements: ids(reqs), Cause: cause, Reason: reason, Remedy: remedy}}
}

func ids(reqs []Requirement) []string {
	var out []string
	for _, r := range reqs {
		out = append(out, r.ID)
	}
	return out
}

// Must ends the spec on err: a violation fails it, naming the requirement
// in a report entry; a check that could not be made records what was not
// checked and why, and skips the spec without a verdict; any other error
// (a defect of the check itself) fails it.
func Must(err error) {
	ginkgo.GinkgoHelper()
	if err == nil {
		return
	}
	if record(err) {
		ginkgo.Skip(err.Error())
	}
	ginkgo.Fail(err.Error())
}

// RecordPass records, in the running spec, that a check of req passed.
func RecordPass(req Requirement) {
	ginkgo.AddReportEntry(report.EntryPassed, report.Passed{Requirement: req.ID}, ginkgo.ReportEntryVisibilityNever)
}

// record adds the report entry of a failed check; it reports whether the
// check could not be made (the spec is to be skipped, not failed).
func record(err error) (notChecked bool) {
	var v *Violation
	var u *NotChecked
	switch {
	case errors.As(err, &v):
		ginkgo.AddReportEntry(report.EntryFailed, report.Failed{Requirement: v.Requirement.ID, SecurityDefect: v.SecurityDefect}, ginkgo.ReportEntryVisibilityNever)
		RecordEvidence(v, "", "")
	case errors.As(err, &u):
		ginkgo.AddReportEntry(report.EntryNotChecked, u.NotChecked, ginkgo.ReportEntryVisibilityNever)
		return true
	}
	return false
}

// RecordEvidence adds v's evidence to the running spec, for the reports'
// failure cards. A spec of many cases names the failing one (c) and the
// arguments that send the same inputs again (replay); "" for neither.
func RecordEvidence(v *Violation, c, replay string) {
	for _, e := range v.Evidence {
		if c != "" {
			e.Case = strings.TrimSpace(c + "\n" + e.Case)
		}
		if replay != "" {
			e.Replay = replay
		}
		ginkgo.AddReportEntry(report.EntryEvidence, e, ginkgo.ReportEntryVisibilityNever)
	}
}
