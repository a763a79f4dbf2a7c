package runner

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"
	"github.com/onsi/gomega"

	"github.com/swr-conformance/swr-conformance/fixtures/target"
	"github.com/swr-conformance/swr-conformance/internal/config"
	"github.com/swr-conformance/swr-conformance/internal/pace"
	"github.com/swr-conformance/swr-conformance/internal/report"
	"github.com/swr-conformance/swr-conformance/internal/runner/console"
	"github.com/swr-conformance/swr-conformance/internal/version"
)

// SuiteDescription is the suite's name, in Ginkgo's output and the reports.
const SuiteDescription = "SWR image-sharing API conformance"

// Run is one process's run of the suite: its settings, the target, the
// warnings, what it recorded, its console and its verdict. The suite's
// entry point makes it once, before the command line is parsed (New), and
// hands it to package testing and Ginkgo; the specs read it through its
// accessors. Main fills it in before any spec runs and nothing replaces
// what it set; the recorder, trails, leftovers and counters are safe for
// the specs' goroutines.
type Run struct {
	flags    *flag.FlagSet    // the command line: the suite's, Ginkgo's and package testing's flags
	settings *config.Settings // the -swr.* flags, bound to flags

	config   config.Config  // as checked, with what opening the target settled (a token)
	target   *target.Target // nil in a dry run, or when the target could not be opened
	warnings []string       // for the console and every report

	recorder  *recorder  // the status codes and error bodies of each spec
	trails    *Trails    // per slot, the writes behind its share's state
	leftovers *Leftovers // slots whose share could not be removed
	gate      gate       // paces this process's requests: the run's limiter

	display display // the progress, on this process's console or sent to the launcher

	// judgement is the run's verdict, set by the last reporting node;
	// Main ends the run with its lines and exit status.
	judgement *report.Judgement
}

// New makes the run of this process, binding its -swr.* settings to flags
// (flag.CommandLine, where Ginkgo's and package testing's flags are): call
// it once, when the suite's package is initialised.
func New(flags *flag.FlagSet) *Run {
	return &Run{flags: flags, settings: config.Bind(flags), recorder: newRecorder(), trails: newTrails(), leftovers: &Leftovers{}}
}

// Config is the run's configuration, as checked, with what opening the
// target settled (a token obtained from IAM).
func (r *Run) Config() config.Config { return r.config }

// Target is the target the specs test; nil in a dry run, where no spec
// body runs.
func (r *Run) Target() *target.Target { return r.target }

// Trails are, per slot, the writes that brought its share to its state:
// what a failure's reproduction sends first.
func (r *Run) Trails() *Trails { return r.trails }

// Leftovers are the slots whose share a failed removal left behind.
func (r *Run) Leftovers() *Leftovers { return r.leftovers }

// Main is the suite binary's TestMain: it returns the exit status. It
// checks the configuration and opens the target before any spec, so that a
// wrong setting or an unreachable endpoint is one message naming what to
// fix (exit status 2), not one failure per spec. When the run is to use
// several processes it runs the suite under the Ginkgo CLI instead
// (launch.go), and when the first argument asks for it, it is that CLI
// (cli.go).
func (r *Run) Main(m *testing.M) int {
	runAsGinkgoCLIIfAsked()
	if code, stop := r.parseFlags(os.Args[1:]); stop {
		return code
	}
	proc, procs := parallelProcess()
	r.display.connect(proc)
	unknown, typos := config.Misspelled(os.Environ())
	cfg, err := r.settings.Load(os.LookupEnv)
	if err == nil {
		err = typos
	} else if typos != nil {
		err = &config.Error{Problems: append(typos.(*config.Error).Problems, err.(*config.Error).Problems...)}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "swr-conformance:", err)
		if proc == 1 {
			r.writeNoRunReports(err.Error())
		}
		// No target to name: the settings that would name it are wrong.
		return r.stopBeforeFirstSpec(err.Error(), verdictLine(report.NoRun.Words(2), "", "the configuration is wrong (see the message above)"))
	}
	for _, w := range unknown {
		fmt.Fprintln(os.Stderr, "swr-conformance: warning:", w)
	}
	fmt.Fprintf(os.Stderr, "swr-conformance %s (commit %s)\n", version.Version, version.Commit)
	if dryRun() {
		r.config, r.warnings = cfg, unknown
		return r.finish(m.Run())
	}
	if code, launched := r.launchIfAsked(cfg); launched {
		keepOutOfTestCache(cfg, testLog(r.flags))
		return code
	}
	start := time.Now()
	r.gate = openGate(cfg, procs)
	defer r.gate.close()
	tgt, err := openTarget(cfg, proc, procs, r.gate.Gate)
	if err != nil {
		r.config, r.warnings = cfg, unknown
		fmt.Fprintln(os.Stderr, "swr-conformance:", err)
		// The run got past its configuration: its reports say why it
		// stopped, so a nightly job keeps a record of the night. Under
		// the Ginkgo CLI every process stops alike; the first writes them.
		if proc == 1 {
			r.writeReports(types.Report{SuiteDescription: SuiteDescription, StartTime: start, EndTime: time.Now(), RunTime: time.Since(start)}, err.Error())
		}
		return r.stopBeforeFirstSpec(err.Error(), verdictLine(report.NoRun.Words(2), cfg.Target(), "the run stopped before its first spec (see the message above)"))
	}
	tgt.Client.Journal = r.recorder.journal
	fmt.Fprintf(os.Stderr, "swr-conformance: %s\n", strings.ReplaceAll(tgt.Config.Summary(), "\n", "\n                 "))
	if procs <= 1 {
		fmt.Fprintln(os.Stderr, "swr-conformance: "+costLine(cfg))
	}
	if tgt.Config.Insecure {
		unknown = append(unknown, insecureWarning)
		fmt.Fprintln(os.Stderr, "swr-conformance: WARNING: "+insecureWarning)
	}
	r.trails.base = tgt.Client.Base()
	r.config, r.target, r.warnings = tgt.Config, tgt, unknown
	code := m.Run()
	if r.display.restoreStdout != nil {
		r.display.restoreStdout()
	}
	if r.display.reports != "" {
		fmt.Fprintln(os.Stderr, "\n"+reportsLine(r.display.reports))
	}
	keepOutOfTestCache(cfg, testLog(r.flags))
	if st := tgt.Retries(); st.Retries429+st.Retries503+st.GaveUp > 0 {
		fmt.Fprintf(os.Stderr, "swr-conformance: the target asked to slow down: %s\n", retryText(st))
	}
	if t := paceText(r.gate.stats()); t != "" && r.gate.local != nil {
		fmt.Fprintln(os.Stderr, "swr-conformance: "+t)
	}
	// Normally closed by the AfterSuite node; this is for a run that never
	// reached it. What could not be cleaned up is said loudly.
	if err := tgt.Close(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "swr-conformance: CLEANUP INCOMPLETE: these may be left on the target:\n", err)
	}
	return r.finish(code)
}

// insecureWarning is said on the console and in every report of a run
// with SWR_INSECURE_SKIP_VERIFY=true.
const insecureWarning = "TLS certificates are NOT verified (SWR_INSECURE_SKIP_VERIFY=true): the token goes to whoever answers"

// openTarget opens the target. An interrupt (Ctrl-C) before the specs is
// not Ginkgo's to handle yet: it stops the opening, which removes what it
// had created, instead of ending the process with it left on the target.
// The signals stay caught, for Ginkgo to take over in RunSpecs.
func openTarget(cfg config.Config, proc, procs int, g pace.Gate) (*target.Target, error) {
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	opened := make(chan struct{})
	defer close(opened)
	go func() {
		select {
		case s := <-sigs:
			cancel(fmt.Errorf("interrupted (%v) while setting up the target", s))
		case <-opened:
		}
	}()
	tgt, err := target.Open(ctx, cfg, target.Options{Process: proc, Processes: procs, Gate: g})
	if err != nil && context.Cause(ctx) != nil && ctx.Err() != nil {
		return nil, context.Cause(ctx)
	}
	return tgt, err
}

// stopBeforeFirstSpec ends a run that cannot start: exit status 2, the
// VERDICT line (verdictLine) last. Under the Ginkgo CLI the message goes
// to the process that started it, which prints it once for all processes.
func (r *Run) stopBeforeFirstSpec(message, verdict string) int {
	if r.display.sender != nil {
		r.display.sender.SendWait(console.Event{Kind: console.NoRun, Message: message})
	}
	fmt.Fprintln(os.Stderr, "\n"+verdict)
	return 2
}

// finish prints the VERDICT line, the run's last, and returns the exit
// status: the verdict's (contract section 7). A run that ended without a
// verdict is incomplete (3). Under the Ginkgo CLI only process 1 judges,
// from the merged report; the others return Ginkgo's status.
func (r *Run) finish(ginkgoCode int) int {
	if r.judgement == nil {
		if proc, procs := parallelProcess(); procs > 1 && proc > 1 {
			return ginkgoCode
		}
		fmt.Fprintln(os.Stderr, "\n"+verdictLine(report.Incomplete.Words(3), r.config.Target(), fmt.Sprintf("the run ended without a verdict (Ginkgo's exit status %d; see above)", ginkgoCode)))
		return 3
	}
	return printVerdict(os.Stderr, r.judgement, r.config.Target())
}

// Specs is the suite binary's one test, TestConformance: it runs Ginkgo's
// specs in this process.
func (r *Run) Specs(t *testing.T) {
	reportSettingsToTestCache()
	gomega.RegisterFailHandler(ginkgo.Fail)
	suiteConfig, reporterConfig := ginkgo.GinkgoConfiguration()
	// SWR_RUN_TIMEOUT bounds the whole run; Ginkgo interrupts the running
	// spec at the deadline and still runs every cleanup.
	suiteConfig.Timeout = r.config.RunTimeout
	// Ginkgo colors its output wherever it goes; escape codes in a CI log
	// or a file are noise. A user who passes -ginkgo.no-color decides.
	if !flagGiven(r.flags, "ginkgo.no-color") && !console.IsTerminal(os.Stdout) {
		reporterConfig.NoColor = true
	}
	r.startConsole()
	defer r.endConsole()
	var tt ginkgo.GinkgoTestingT = t
	if r.display.restoreStdout != nil {
		// The run ends with its VERDICT line and exits with the verdict's
		// status (Main). Failing t would only add "--- FAIL:
		// TestConformance", which package testing writes where os.Stdout
		// pointed before the console took it, past the console's filter.
		tt = verdictEndsTheRun{}
	}
	ginkgo.RunSpecs(tt, SuiteDescription, suiteConfig, reporterConfig)
}

// verdictEndsTheRun is the testing.T Ginkgo fails when a spec fails, in a
// run whose end the console shows: the verdict, not package testing, says
// how the run went.
type verdictEndsTheRun struct{}

func (verdictEndsTheRun) Fail() {}

// parallelProcess reports which of Ginkgo's parallel processes this is.
func parallelProcess() (int, int) {
	s, _ := ginkgo.GinkgoConfiguration()
	return s.ParallelProcess, s.ParallelTotal
}

func dryRun() bool {
	s, _ := ginkgo.GinkgoConfiguration()
	return s.DryRun
}
