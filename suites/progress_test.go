package suites

import (
	"os"
	"sync/atomic"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/formatter"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/swr-conformance/swr-conformance/internal/report"
	"github.com/swr-conformance/swr-conformance/suites/console"
)

// The progress of a run, from Ginkgo's reporting nodes: ReportBeforeSuite
// knows how many specs will run (in all processes), ReportBeforeEach and
// ReportAfterEach see each spec start and finish, in whichever process runs
// it. A run in one process shows it on its own console (package console);
// under the Ginkgo CLI, which keeps the processes' output to itself, each
// process sends it to the process that started the CLI (launch).
var shown struct {
	progress *console.Progress    // a run in one process: its console
	ginkgo   *console.Passthrough // Ginkgo's output, through that console
	sender   *console.Sender      // under the Ginkgo CLI: to the launching process
	started  bool                 // the current spec runs (it was not skipped before it started)
	// restoreStdout ends the redirection of os.Stdout through the console
	// (TestMain calls it once m.Run has returned); nil when there is none.
	restoreStdout func()
	reports       string // where this process wrote the reports, for its last lines
}

// requestsSent counts the requests of this process (the client's Observe
// hook, set in TestMain).
var requestsSent atomic.Int64

// connectLauncher connects this process to the process that started the
// Ginkgo CLI, when there is one. Without it (a plain run, or the Ginkgo CLI
// run by hand) nothing is sent.
func connectLauncher(proc int) {
	addr := os.Getenv(console.EnvAddress)
	if addr == "" {
		return
	}
	if s, err := console.Dial(addr, proc); err == nil {
		shown.sender = s
	}
}

// startConsole shows the progress of a run in one process: a status line on
// a terminal, a line per spec elsewhere, and Ginkgo's own output through the
// same console.
func startConsole() {
	if _, procs := parallelProcess(); procs > 1 || shown.sender != nil || dryRun() {
		return
	}
	c := console.New(os.Stderr, console.IsTerminal(os.Stderr))
	shown.ginkgo = c.Passthrough(os.Stdout)
	formatter.ColorableStdOut = shown.ginkgo // what RunSpecs gives Ginkgo's reporter
	if !testing.Verbose() {
		// Package testing's closing lines (--- FAIL: TestConformance,
		// FAIL) go to os.Stdout after the run: through the console, they
		// are dropped like Ginkgo's, and the run ends as under the CLI.
		// With -v (and go test -json) they are go test's to read.
		shown.restoreStdout, _ = console.Redirect(&os.Stdout, shown.ginkgo)
	}
	p := console.NewProgress(c, time.Now)
	p.Live(counters)
	p.Run(time.Second)
	shown.progress = p
}

// endProgress stops the progress: the status line is cleared before the
// run's last lines.
func endProgress() {
	if shown.progress != nil {
		shown.progress.End()
	}
}

// endConsole ends what startConsole started, once Ginkgo has said all.
func endConsole() {
	endProgress()
	if shown.ginkgo != nil {
		shown.ginkgo.Flush()
	}
}

// counters are this process's requests and slow-downs so far.
func counters() console.Counters {
	c := console.Counters{Requests: requestsSent.Load()}
	if run.target != nil {
		st := run.target.Retries()
		c.SlowDowns = st.Retries429 + st.Retries503
	}
	return c
}

func tell(e console.Event) {
	c := counters()
	e.Requests, e.SlowDowns = c.Requests, c.SlowDowns
	switch {
	case shown.sender != nil:
		shown.sender.Send(e)
	case shown.progress != nil:
		shown.progress.Handle(e)
	}
}

var _ = ReportBeforeSuite(func(r Report) {
	if r.SuiteConfig.DryRun {
		return
	}
	e := console.Event{Kind: console.Begin, Total: r.PreRunStats.SpecsThatWillRun}
	switch {
	case shown.sender != nil:
		// Only process 1 runs this, and the others wait for it: once the
		// launcher has the count, every spec's line can say n/N.
		shown.sender.SendWait(e)
	case shown.progress != nil:
		shown.progress.Handle(e)
	}
})

var _ = ReportBeforeEach(func(r SpecReport) {
	// A spec filtered out, or skipped after an interrupt or the run
	// timeout, is skipped before it starts: it is not one of the specs
	// that run.
	shown.started = !r.State.Is(types.SpecStateSkipped|types.SpecStatePending) && !dryRun()
	if shown.started {
		tell(console.Event{Kind: console.Start, Spec: r.LeafNodeText})
	}
})

var _ = ReportAfterEach(func(r SpecReport) {
	if !shown.started {
		return
	}
	shown.started = false
	tell(console.Event{Kind: console.Done, Spec: r.LeafNodeText, Outcome: outcome(r), Duration: r.RunTime})
})

// outcome is a finished spec's outcome in the reports' words.
func outcome(r SpecReport) string {
	switch {
	case r.State == types.SpecStatePassed:
		for _, e := range r.ReportEntries {
			if e.Name == report.EntryNotChecked {
				return "partly checked"
			}
		}
		return "passed"
	case r.State.Is(types.SpecStateInterrupted | types.SpecStateTimedout):
		return "interrupted"
	case r.State.Is(types.SpecStateFailureStates):
		return "failed"
	case r.State == types.SpecStateSkipped && r.Failure.Message != "":
		return "not checked"
	}
	return "not run"
}
