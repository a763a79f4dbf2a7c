package runner

import (
	"testing"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/swr-conformance/swr-conformance/internal/report"
)

// A finished spec's line says its outcome in the reports' words.
func TestOutcome(t *testing.T) {
	notChecked := types.ReportEntries{{Name: report.EntryNotChecked}}
	for _, tc := range []struct {
		r    types.SpecReport
		want string
	}{
		{types.SpecReport{State: types.SpecStatePassed}, "passed"},
		{types.SpecReport{State: types.SpecStatePassed, ReportEntries: notChecked}, "partly checked"},
		{types.SpecReport{State: types.SpecStateFailed}, "failed"},
		{types.SpecReport{State: types.SpecStatePanicked}, "failed"},
		{types.SpecReport{State: types.SpecStateInterrupted}, "interrupted"},
		{types.SpecReport{State: types.SpecStateTimedout}, "interrupted"},
		{types.SpecReport{State: types.SpecStateSkipped, Failure: types.Failure{Message: "no show, no list"}}, "not checked"},
		{types.SpecReport{State: types.SpecStateSkipped}, "not run"},
		{types.SpecReport{State: types.SpecStatePending}, "not run"},
	} {
		if got := outcome(tc.r); got != tc.want {
			t.Errorf("outcome of a %v spec (entries %v, failure %q) = %q, want %q", tc.r.State, tc.r.ReportEntries, tc.r.Failure.Message, got, tc.want)
		}
	}
}
