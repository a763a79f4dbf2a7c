package runner

import (
	"os"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/formatter"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/swr-conformance/swr-conformance/internal/report"
	"github.com/swr-conformance/swr-conformance/internal/runner/console"
)

// The progress of a run, from Ginkgo's reporting nodes (nodes.go):
// ReportBeforeSuite knows how many specs will run (in all processes),
// ReportBeforeEach and ReportAfterEach see each spec start and finish, in
// whichever process runs it. A run in one process shows it on its own
// console (package console); under the Ginkgo CLI, which keeps the
// processes' output to itself, each process sends it to the process that
// started the CLI (launch.go).

// display is where a process's progress goes.
type display struct {
	progress *console.Progress    // a run in one process: its console
	ginkgo   *console.Passthrough // Ginkgo's output, through that console
	sender   *console.Sender      // under the Ginkgo CLI: to the launching process
	started  bool                 // the current spec runs (it was not skipped before it started)
	// restoreStdout ends the redirection of os.Stdout through the console
	// (Main calls it once m.Run has returned); nil when there is none.
	restoreStdout func()
	reports       string // where this process wrote the reports, for its last lines
}

// connect connects process proc to the process that started the Ginkgo
// CLI, when there is one. Without it (a plain run, or the Ginkgo CLI run
// by hand) nothing is sent.
func (d *display) connect(proc int) {
	addr := os.Getenv(console.EnvAddress)
	if addr == "" {
		return
	}
	if s, err := console.Dial(addr, proc); err == nil {
		d.sender = s
	}
}

// startConsole shows the progress of a run in one process: a status line on
// a terminal, a line per spec elsewhere, and Ginkgo's own output through the
// same console.
func (r *Run) startConsole() {
	if _, procs := parallelProcess(); procs > 1 || r.display.sender != nil || dryRun() {
		return
	}
	c := console.New(os.Stderr, console.IsTerminal(os.Stderr))
	r.display.ginkgo = c.Passthrough(os.Stdout)
	formatter.ColorableStdOut = r.display.ginkgo // what RunSpecs gives Ginkgo's reporter
	if !testing.Verbose() {
		// Package testing's closing lines (--- FAIL: TestConformance,
		// FAIL) go to os.Stdout after the run: through the console, they
		// are dropped like Ginkgo's, and the run ends as under the CLI.
		// With -v (and go test -json) they are go test's to read.
		r.display.restoreStdout, _ = console.Redirect(&os.Stdout, r.display.ginkgo)
	}
	p := console.NewProgress(c, time.Now)
	p.Live(r.counters)
	p.Run(time.Second)
	r.display.progress = p
}

// endProgress stops the progress: the status line is cleared before the
// run's last lines.
func (d *display) endProgress() {
	if d.progress != nil {
		d.progress.End()
	}
}

// endConsole ends what startConsole started, once Ginkgo has said all.
func (r *Run) endConsole() {
	r.display.endProgress()
	if r.display.ginkgo != nil {
		r.display.ginkgo.Flush()
	}
}

// counters are this process's requests and slow-downs so far.
func (r *Run) counters() console.Counters {
	var c console.Counters
	if r.target != nil {
		st := r.target.Retries()
		c.Requests, c.SlowDowns = st.Requests, st.Retries429+st.Retries503
	}
	return c
}

// tell hands e, with this process's counters, to the progress.
func (r *Run) tell(e console.Event) {
	c := r.counters()
	e.Requests, e.SlowDowns = c.Requests, c.SlowDowns
	switch {
	case r.display.sender != nil:
		r.display.sender.Send(e)
	case r.display.progress != nil:
		r.display.progress.Handle(e)
	}
}

// outcome is a finished spec's outcome in the reports' words.
func outcome(r types.SpecReport) string {
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
