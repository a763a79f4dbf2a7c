package runner

import (
	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/swr-conformance/swr-conformance/internal/contract"
	"github.com/swr-conformance/swr-conformance/internal/report"
	"github.com/swr-conformance/swr-conformance/internal/runner/console"
)

// The run's part in Ginkgo's suite: the bodies of its setup and reporting
// nodes. Ginkgo takes nodes at the top level of the test binary's package,
// so the suite registers each of these there, as one line
// (ginkgo.BeforeEach(run.BeforeEach), ...).

// BeforeEach starts a spec's record of status codes afresh.
func (r *Run) BeforeEach() { r.recorder.reset() }

// AfterEach adds to the spec's report the status codes of the two
// operations it saw, from the recorded exchanges, and the error body
// shapes (an observation: the contract leaves them open).
func (r *Run) AfterEach() {
	if t := r.recorder.drain(); len(t) > 0 {
		ginkgo.AddReportEntry(report.EntryExchanges, report.Exchanges{Tallies: t}, ginkgo.ReportEntryVisibilityNever)
	}
	for _, o := range r.recorder.drainShapes() {
		ginkgo.AddReportEntry(report.EntryObservation, o, ginkgo.ReportEntryVisibilityNever)
	}
	keepExactEntries()
}

// AfterSuite removes the run's own namespace and repositories before the
// reports are written, so that what could not be removed is in them. Each
// process also records how often the target asked it to slow down: under
// the Ginkgo CLI the reports add up every process's.
func (r *Run) AfterSuite(ctx ginkgo.SpecContext) {
	if r.target == nil {
		return
	}
	if err := r.target.Close(ctx); err != nil {
		RunProblem("cleanup at the end of the run: these may be left on the target:\n" + err.Error())
	}
	proc, _ := parallelProcess()
	ginkgo.AddReportEntry(entryProcessStats, processStats{Process: proc, Retries: r.target.Retries(), Requests: r.target.Retries().Requests, Pace: r.gate.stats()}, ginkgo.ReportEntryVisibilityNever)
}

// ReportBeforeSuite tells the progress how many specs will run, in all
// processes.
func (r *Run) ReportBeforeSuite(rep ginkgo.Report) {
	if rep.SuiteConfig.DryRun {
		return
	}
	e := console.Event{Kind: console.Begin, Total: rep.PreRunStats.SpecsThatWillRun}
	switch {
	case r.display.sender != nil:
		// Only process 1 runs this, and the others wait for it: once the
		// launcher has the count, every spec's line can say n/N.
		r.display.sender.SendWait(e)
	case r.display.progress != nil:
		r.display.progress.Handle(e)
	}
}

// ReportBeforeEach tells the progress that a spec starts, in whichever
// process runs it.
func (r *Run) ReportBeforeEach(rep ginkgo.SpecReport) {
	// A spec filtered out, or skipped after an interrupt or the run
	// timeout, is skipped before it starts: it is not one of the specs
	// that run.
	r.display.started = !rep.State.Is(types.SpecStateSkipped|types.SpecStatePending) && !dryRun()
	if r.display.started {
		r.tell(console.Event{Kind: console.Start, Spec: rep.LeafNodeText})
	}
}

// ReportAfterEach tells the progress that a spec finished, and how.
func (r *Run) ReportAfterEach(rep ginkgo.SpecReport) {
	if !r.display.started {
		return
	}
	r.display.started = false
	r.tell(console.Event{Kind: console.Done, Spec: rep.LeafNodeText, Outcome: outcome(rep), Duration: rep.RunTime})
}

// ReportAfterSuite judges the run and writes the reports for CI systems,
// machines and people. Both come from one judgement, so they cannot
// disagree. Under the Ginkgo CLI only process 1 runs it, with the report
// of every process.
func (r *Run) ReportAfterSuite(rep ginkgo.Report) {
	r.display.endProgress()
	rep = merged(rep)
	j := report.Judge(r.reportMeta(rep, ""), contract.All(), rep)
	r.judgement = &j
	if rep.SuiteConfig.DryRun {
		return
	}
	r.writeReports(rep, "")
}

// RunProblem records, in the running spec's report, something that went
// wrong around the two operations: a problem of the run, never a verdict.
func RunProblem(what string) {
	ginkgo.AddReportEntry(report.EntryRunProblem, report.RunProblem{What: what}, ginkgo.ReportEntryVisibilityAlways)
}
