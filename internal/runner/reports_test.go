package runner

import (
	"strings"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/swr-conformance/swr-conformance/internal/pace"
	"github.com/swr-conformance/swr-conformance/internal/transport"
)

// Under the Ginkgo CLI the reports add up how often the target asked every
// process to slow down, whether an entry comes from this process or
// through Ginkgo's server from another.
func TestMergedRetries(t *testing.T) {
	if _, _, ok := mergedRetries(types.Report{SpecReports: types.SpecReports{{}}}); ok {
		t.Error("a report without the processes' counts: want false, the run did not reach AfterSuite")
	}
	stats := func(proc int, st transport.Stats, ps pace.Stats) types.SpecReport {
		return types.SpecReport{LeafNodeType: types.NodeTypeAfterSuite, ParallelProcess: proc, ReportEntries: types.ReportEntries{
			{Name: entryProcessStats, Value: types.WrapEntryValue(processStats{Process: proc, Retries: st, Requests: 100, Pace: ps})},
		}}
	}
	p1 := stats(1, transport.Stats{Requests: 10, Sent: 13, Refused429: 2, Retries429: 2, Waited: 1500 * time.Millisecond}, pace.Stats{Learned: 19.5, Paced: time.Second})
	p2 := stats(2, transport.Stats{Requests: 5, Sent: 7, Refused503: 2, Retries503: 1, GaveUp: 1, Waited: 250 * time.Millisecond}, pace.Stats{Learned: 19.5, Cuts: 3, Paced: 2 * time.Second})
	p2.ReportEntries[0] = throughParallelServer(t, p2.ReportEntries[0])
	got, paced, ok := mergedRetries(types.Report{SpecReports: types.SpecReports{p1, {}, p2}})
	want := transport.Stats{Requests: 15, Sent: 20, Refused429: 2, Refused503: 2, Retries429: 2, Retries503: 1, GaveUp: 1, Waited: 1750 * time.Millisecond}
	if !ok || got != want {
		t.Errorf("merged %+v (%v), want %+v", got, ok, want)
	}
	if wantPaced := (pace.Stats{Learned: 19.5, Cuts: 3, Paced: 3 * time.Second}); paced != wantPaced {
		t.Errorf("merged limiter stats %+v, want %+v: one limiter for the run, the waits of all processes", paced, wantPaced)
	}
	if text := retryText(got); text != "2 × 429, 1 × 503, waited 1.75s, gave up 1 times" {
		t.Errorf("retryText = %q", text)
	}
}

func TestReportsLine(t *testing.T) {
	if got := reportsLine("/r"); !strings.HasPrefix(got, "reports: ") || !strings.Contains(got, "{report.html,summary.md,results.json,junit.xml}") {
		t.Errorf("reportsLine = %q, want the four reports named", got)
	}
}
