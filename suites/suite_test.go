package suites

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"
	. "github.com/onsi/gomega"

	"github.com/swr-conformance/swr-conformance/fixtures/target"
	"github.com/swr-conformance/swr-conformance/internal/config"
	"github.com/swr-conformance/swr-conformance/internal/contract"
	"github.com/swr-conformance/swr-conformance/internal/report"
	"github.com/swr-conformance/swr-conformance/internal/swrclient"
	"github.com/swr-conformance/swr-conformance/internal/transport"
	"github.com/swr-conformance/swr-conformance/internal/version"
	"github.com/swr-conformance/swr-conformance/suites/console"
)

// settings binds the -swr.* flags; flag.Parse fills them in TestMain.
var settings = config.Bind(flag.CommandLine)

// run is this process's run: TestMain sets it once, before any spec, and
// nothing changes it after. Specs, reporting nodes and TestMain's end all
// read it; the target is closed after the last spec.
var run struct {
	config   config.Config  // as checked, with what opening the target settled (a token)
	target   *target.Target // nil in a dry run, or when the target could not be opened
	warnings []string       // for the console and every report
}

// judgement is the run's verdict, set by the reporting node; TestMain ends
// the run with its line and exit status.
var judgement *report.Judgement

// TestMain checks the configuration and opens the target before any spec, so
// that a wrong setting or an unreachable endpoint is one message naming what
// to fix (exit status 2), not one failure per spec. With SWR_GINKGO it runs
// the suite under the Ginkgo CLI in parallel processes instead (launch).
func TestMain(m *testing.M) {
	runAsGinkgoCLIIfAsked()
	parseFlags()
	proc, procs := parallelProcess()
	connectLauncher(proc)
	unknown, typos := config.Misspelled(os.Environ())
	cfg, err := settings.Load(os.LookupEnv)
	if err == nil {
		err = typos
	} else if typos != nil {
		err = &config.Error{Problems: append(typos.(*config.Error).Problems, err.(*config.Error).Problems...)}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "swr-conformance:", err)
		if proc == 1 {
			writeNoRunReports(err.Error())
		}
		// No target to name: the settings that would name it are wrong.
		stopBeforeFirstSpec(err.Error(), verdictLine("no run", "", "the configuration is wrong (see the message above)"))
	}
	for _, w := range unknown {
		fmt.Fprintln(os.Stderr, "swr-conformance: warning:", w)
	}
	fmt.Fprintf(os.Stderr, "swr-conformance %s (commit %s)\n", version.Version, version.Commit)
	if dryRun() {
		run.config, run.warnings = cfg, unknown
		os.Exit(finish(m.Run()))
	}
	if code, launched := launchIfAsked(cfg); launched {
		keepOutOfTestCache(cfg)
		os.Exit(code)
	}
	start := time.Now()
	tgt, err := openTarget(cfg, proc, procs)
	if err != nil {
		run.config, run.warnings = cfg, unknown
		fmt.Fprintln(os.Stderr, "swr-conformance:", err)
		// The run got past its configuration: its reports say why it
		// stopped, so a nightly job keeps a record of the night. Under
		// the Ginkgo CLI every process stops alike; the first writes them.
		if proc == 1 {
			writeReports(types.Report{SuiteDescription: suiteDescription, StartTime: start, EndTime: time.Now(), RunTime: time.Since(start)}, err.Error())
		}
		stopBeforeFirstSpec(err.Error(), verdictLine("no run", cfg.Target(), "the run stopped before its first spec (see the message above)"))
	}
	tgt.Client.Observe = func(ex *swrclient.Exchange) {
		requestsSent.Add(1)
		exchanges.add(ex)
	}
	fmt.Fprintf(os.Stderr, "swr-conformance: %s\n", strings.ReplaceAll(tgt.Config.Summary(), "\n", "\n                 "))
	if tgt.Config.Insecure {
		unknown = append(unknown, "TLS certificates are NOT verified (SWR_INSECURE_SKIP_VERIFY=true): the token goes to whoever answers")
		fmt.Fprintln(os.Stderr, "swr-conformance: WARNING: TLS certificates are NOT verified (SWR_INSECURE_SKIP_VERIFY=true): the token goes to whoever answers")
	}
	run.config, run.target, run.warnings = tgt.Config, tgt, unknown
	code := m.Run()
	if shown.restoreStdout != nil {
		shown.restoreStdout()
	}
	if shown.reports != "" {
		fmt.Fprintln(os.Stderr, "\n"+reportsLine(shown.reports))
	}
	keepOutOfTestCache(cfg)
	if st := tgt.Retries(); st.Retries429+st.Retries503+st.GaveUp > 0 {
		fmt.Fprintf(os.Stderr, "swr-conformance: the target asked to slow down: %s\n", retryText(st))
	}
	// Normally closed by the AfterSuite node; this is for a run that never
	// reached it. What could not be cleaned up is said loudly.
	if err := tgt.Close(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "swr-conformance: CLEANUP INCOMPLETE: these may be left on the target:\n", err)
	}
	os.Exit(finish(code))
}

// openTarget opens the target. An interrupt (Ctrl-C) before the specs is
// not Ginkgo's to handle yet: it stops the opening, which removes what it
// had created, instead of ending the process with it left on the target.
// The signals stay caught, for Ginkgo to take over in RunSpecs.
func openTarget(cfg config.Config, proc, procs int) (*target.Target, error) {
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
	tgt, err := target.Open(ctx, cfg, target.Options{Process: proc, Processes: procs})
	if err != nil && context.Cause(ctx) != nil && ctx.Err() != nil {
		return nil, context.Cause(ctx)
	}
	return tgt, err
}

// parseFlags parses the command line. A mistake costs one line naming the
// nearest flag and one saying where the settings are listed, instead of Go's
// usage of every flag (Ginkgo's and the testing package's included, more
// than 200 lines); -swr.help lists the suite's own settings.
func parseFlags() {
	fs := flag.CommandLine
	var usage bytes.Buffer
	fs.Init(fs.Name(), flag.ContinueOnError)
	fs.SetOutput(&usage)
	err := fs.Parse(os.Args[1:])
	fs.SetOutput(nil)
	switch {
	case errors.Is(err, flag.ErrHelp):
		help := usage.Bytes()
		if !console.IsTerminal(os.Stderr) {
			// Ginkgo colours its flags' usage wherever it goes; in a file
			// or a pipe the escape codes are noise, as for the run itself.
			help = console.Uncolored(help)
		}
		os.Stderr.Write(help)
		os.Exit(0)
	case err != nil:
		problem := config.FlagProblem(err, fs)
		fmt.Fprintln(os.Stderr, "swr-conformance:", problem)
		fmt.Fprintln(os.Stderr, "swr-conformance:", config.FlagHint)
		writeNoRunReports("the command line is wrong: " + problem)
		fmt.Fprintln(os.Stderr, verdictLine("no run", "", "the command line is wrong (see above)"))
		os.Exit(2)
	case settings.HelpWanted():
		settings.Help(os.Stdout)
		os.Exit(0)
	}
}

// stopBeforeFirstSpec ends a run that cannot start: exit status 2, the
// VERDICT line (verdictLine) last. Under the Ginkgo CLI the message goes
// to the process that started it, which prints it once for all processes.
func stopBeforeFirstSpec(message, verdict string) {
	if shown.sender != nil {
		shown.sender.SendWait(console.Event{Kind: console.NoRun, Message: message})
	}
	fmt.Fprintln(os.Stderr, "\n"+verdict)
	os.Exit(2)
}

// verdictLine is the run's last line. Its start is fixed for each verdict,
// for scripts and people scanning a log (VERDICT: the target conforms,
// VERDICT: the target does NOT conform, VERDICT: incomplete (exit N),
// VERDICT: no run); what was tested follows, so that a log never leaves
// open which target a verdict is about (the endpoint, or the embedded
// reference server), then the detail. A run stopped by its configuration
// has no target to name.
func verdictLine(verdict, target, detail string) string {
	if target == "" {
		return "VERDICT: " + verdict + ": " + detail
	}
	return "VERDICT: " + verdict + ": " + target + "; " + detail
}

// finish prints the VERDICT line, the run's last, and returns the exit
// status: the verdict's (contract section 7). A run that ended without a
// verdict is incomplete (3). Under the Ginkgo CLI only process 1 judges,
// from the merged report; the others return Ginkgo's status.
func finish(ginkgoCode int) int {
	if judgement == nil {
		if proc, procs := parallelProcess(); procs > 1 && proc > 1 {
			return ginkgoCode
		}
		fmt.Fprintln(os.Stderr, "\n"+verdictLine("incomplete (exit 3)", run.config.Target(), fmt.Sprintf("the run ended without a verdict (Ginkgo's exit status %d; see above)", ginkgoCode)))
		return 3
	}
	return printVerdict(judgement, run.config.Target())
}

// printVerdict prints what the verdict rests on and then the VERDICT line
// about target (config.Config.Target), and returns the verdict's exit
// status.
func printVerdict(j *report.Judgement, target string) int {
	if j.Verdict == report.NoRun {
		// Its reason is the message printed when the run stopped.
		fmt.Fprintln(os.Stderr, "\n"+verdictLine("no run", target, "the run stopped before its first spec (see the message above)"))
		return j.ExitCode
	}
	// The details first: the VERDICT line is the run's very last.
	fmt.Fprintln(os.Stderr)
	failed := slices.Sorted(slices.Values(j.Failed))
	for _, f := range failed {
		fmt.Fprintln(os.Stderr, "  failed: "+f)
	}
	// The first reason is the VERDICT line's own (for an incomplete run,
	// the line says it in its words): each is said once.
	first, rest := "", j.Reasons
	if len(rest) > 0 {
		first, rest = rest[0], rest[1:]
	}
	for _, r := range rest {
		fmt.Fprintln(os.Stderr, "  - "+r)
	}
	if j.Verdict == report.Incomplete && j.ExitCode == 0 {
		fmt.Fprintln(os.Stderr, "  This is expected with these settings, and no defect of the target: what was left out is named above, with the setting that checks it.")
	}
	switch j.Verdict {
	case report.Conforms:
		fmt.Fprintln(os.Stderr, verdictLine("the target conforms", target, first))
	case report.DoesNotConform:
		fmt.Fprintln(os.Stderr, verdictLine("the target does NOT conform", target, fmt.Sprintf("%s failed (%s)", plural(len(j.Failed), "spec"), first)))
	default:
		fmt.Fprintln(os.Stderr, verdictLine(fmt.Sprintf("incomplete (exit %d)", j.ExitCode), target, summarizeIncomplete(j)))
	}
	return j.ExitCode
}

// summarizeIncomplete says in one line what an incomplete run left out.
func summarizeIncomplete(j *report.Judgement) string {
	if len(j.NotChecked) == 0 {
		return strings.Join(j.Reasons, "; ")
	}
	if len(j.NotChecked) > 6 { // a focused run: the count says it, the reports list them
		return fmt.Sprintf("nothing failed, but %s not checked (reasons above)", plural(len(j.NotChecked), "requirement"))
	}
	return fmt.Sprintf("nothing failed, but %s not checked: %s (reasons above)", plural(len(j.NotChecked), "requirement"), strings.Join(j.NotChecked, ", "))
}

const suiteDescription = "SWR image-sharing API conformance"

func TestConformance(t *testing.T) {
	reportSettingsToTestCache()
	RegisterFailHandler(Fail)
	suiteConfig, reporterConfig := GinkgoConfiguration()
	// SWR_RUN_TIMEOUT bounds the whole run; Ginkgo interrupts the running
	// spec at the deadline and still runs every cleanup.
	suiteConfig.Timeout = run.config.RunTimeout
	// Ginkgo colors its output wherever it goes; escape codes in a CI log
	// or a file are noise. A user who passes -ginkgo.no-color decides.
	if !flagGiven("ginkgo.no-color") && !console.IsTerminal(os.Stdout) {
		reporterConfig.NoColor = true
	}
	startConsole()
	defer endConsole()
	var tt GinkgoTestingT = t
	if shown.restoreStdout != nil {
		// The run ends with its VERDICT line and exits with the verdict's
		// status (TestMain). Failing t would only add "--- FAIL:
		// TestConformance", which package testing writes where os.Stdout
		// pointed before the console took it, past the console's filter.
		tt = verdictEndsTheRun{}
	}
	RunSpecs(tt, suiteDescription, suiteConfig, reporterConfig)
}

// verdictEndsTheRun is the testing.T Ginkgo fails when a spec fails, in a
// run whose end the console shows: the verdict, not package testing, says
// how the run went.
type verdictEndsTheRun struct{}

func (verdictEndsTheRun) Fail() {}

// flagGiven reports whether the command line set the flag name.
func flagGiven(name string) bool {
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	return given
}

// The status codes of the two operations each spec saw, from the recorded
// exchanges: reset before each spec, added to its report after it.
var exchanges = newRecorder()

var _ = BeforeEach(func() { exchanges.reset() })

var _ = AfterEach(func() {
	if t := exchanges.drain(); len(t) > 0 {
		AddReportEntry(report.EntryExchanges, report.Exchanges{Tallies: t}, ReportEntryVisibilityNever)
	}
	for _, o := range exchanges.drainShapes() {
		AddReportEntry(report.EntryObservation, o, ReportEntryVisibilityNever)
	}
	keepExactEntries()
})

// The run's own namespace and repositories are removed before the reports
// are written, so that what could not be removed is in them.
// Each process also records how often the target asked it to slow down:
// under the Ginkgo CLI the reports add up every process's.
var _ = AfterSuite(func(ctx SpecContext) {
	if run.target == nil {
		return
	}
	if err := run.target.Close(ctx); err != nil {
		runProblem("cleanup at the end of the run: these may be left on the target:\n" + err.Error())
	}
	proc, _ := parallelProcess()
	AddReportEntry(entryProcessStats, processStats{Process: proc, Retries: run.target.Retries(), Requests: requestsSent.Load()}, ReportEntryVisibilityNever)
})

// The verdict and the reports for CI systems, machines and people. Both
// come from one judgement, so they cannot disagree.
var _ = ReportAfterSuite("verdict and reports", func(r Report) {
	endProgress()
	r = merged(r)
	j := report.Judge(reportMeta(r, ""), contract.All(), r)
	judgement = &j
	if r.SuiteConfig.DryRun {
		return
	}
	writeReports(r, "")
})

// reportMeta is what every report says besides the specs.
func reportMeta(r Report, noRun string) report.Meta {
	cfg := run.config
	meta := report.Meta{SuiteVersion: version.Version, Commit: version.Commit, Endpoint: cfg.Target(),
		Secrets: append([]string{cfg.Token, cfg.IAM.Password}, swrclient.NearMissSecrets(cfg.Token)...), RequireComplete: cfg.RequireComplete,
		Warnings: run.warnings, NoRun: noRun}
	suiteConfig, _ := GinkgoConfiguration()
	meta.Seed = suiteConfig.RandomSeed
	for _, kv := range cfg.Settings() {
		meta.Config = append(meta.Config, report.KV{Key: kv[0], Value: kv[1]})
	}
	if suiteConfig.ParallelTotal > 1 {
		meta.Config = append(meta.Config, report.KV{Key: "parallel processes", Value: fmt.Sprint(suiteConfig.ParallelTotal)})
	}
	if tgt := run.target; tgt != nil {
		st, ok := mergedRetries(r)
		if !ok {
			st = tgt.Retries()
		}
		meta.Config = append(meta.Config, report.KV{Key: slowDownsKey, Value: retryText(st)})
		if ex := tgt.ShowMissing; ex != nil && ex.Answered() {
			choice := fmt.Sprintf("%d %s", ex.Status, http.StatusText(ex.Status))
			if _, exists, err := swrclient.DecodeShow(ex); err == nil && !exists {
				choice += ` with {"exist": false}`
			}
			meta.Observations = append(meta.Observations, report.Observation{Point: "show of a share that does not exist", Choice: choice, Example: ex.Method + " " + ex.Path})
		}
	}
	return meta
}

// writeReports writes the four reports; noRun says why a run stopped
// before its first spec.
func writeReports(r Report, noRun string) {
	cfg := run.config
	if err := report.Write(cfg.ReportDir, reportMeta(r, noRun), contract.All(), r); err != nil {
		fmt.Fprintf(os.Stderr, "swr-conformance: writing reports to %s (SWR_REPORT_DIR) failed: %v\n", cfg.ReportDir, err)
		return
	}
	dir, err := filepath.Abs(cfg.ReportDir)
	if err != nil {
		dir = cfg.ReportDir
	}
	deliverToSonobuoy(dir)
	switch {
	case shown.sender != nil:
		// Under the Ginkgo CLI, the process that started it says where
		// they are, after the CLI's output.
	case noRun == "":
		// After Ginkgo's last lines, as under the CLI: TestMain says it.
		shown.reports = dir
	default:
		fmt.Fprintln(os.Stderr, reportsLine(dir))
	}
}

// writeNoRunReports writes the four reports of a run that a wrong
// configuration or command line stopped before anything else: verdict no
// run, the message, no requirement checked. A CI job's upload step finds
// them, as after any other run. The report directory is read on its own
// (its setting may be the only right one); when it cannot be written, the
// message on the console is all there is, and it says so.
func writeNoRunReports(message string) {
	dir := settings.ReportDir(os.LookupEnv)
	now := time.Now()
	meta := report.Meta{SuiteVersion: version.Version, Commit: version.Commit, Endpoint: "no target (the configuration is wrong)",
		NoRun: message, Secrets: []string{os.Getenv(config.EnvToken), os.Getenv(config.EnvPassword)}}
	r := types.Report{SuiteDescription: suiteDescription, StartTime: now, EndTime: now}
	if err := report.Write(dir, meta, contract.All(), r); err != nil {
		fmt.Fprintf(os.Stderr, "swr-conformance: writing reports to %s (SWR_REPORT_DIR) failed too: %v\n", dir, err)
		return
	}
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	fmt.Fprintln(os.Stderr, reportsLine(dir))
}

// reportsLine names the four reports in dir, an absolute path.
func reportsLine(dir string) string {
	return "reports: " + filepath.Join(dir, "{report.html,summary.md,results.json,junit.xml}")
}

// slowDownsKey names, in the reports' configuration, how often the target
// asked the suite to slow down.
const slowDownsKey = "slow-downs (429/503, retried, no verdict)"

// retryText says how often the target asked the suite to slow down.
func retryText(st transport.Stats) string {
	return fmt.Sprintf("%d × 429, %d × 503, waited %s, gave up %d times", st.Retries429, st.Retries503, st.Waited.Round(time.Millisecond), st.GaveUp)
}

// entryProcessStats is the report entry of a process's counts, on its
// AfterSuite node.
const entryProcessStats = "swr.process-stats"

type processStats struct {
	Process  int             `json:"process"`
	Retries  transport.Stats `json:"retries"`
	Requests int64           `json:"requests"`
}

// mergedRetries adds up the slow-downs of every process of the run; false
// when no process recorded them (the run did not reach AfterSuite).
func mergedRetries(r Report) (transport.Stats, bool) {
	var sum transport.Stats
	found := false
	for _, s := range r.SpecReports {
		for _, e := range s.ReportEntries {
			var ps processStats
			if e.Name != entryProcessStats || decodeEntry(e, &ps) != nil {
				continue
			}
			found = true
			sum.Requests += ps.Retries.Requests
			sum.Retries429 += ps.Retries.Retries429
			sum.Retries503 += ps.Retries.Retries503
			sum.GaveUp += ps.Retries.GaveUp
			sum.Waited += ps.Retries.Waited
		}
	}
	return sum, found
}

// decodeEntry reads a report entry's value into v, in this process or sent
// from another (as JSON).
func decodeEntry(e types.ReportEntry, v any) error {
	raw := e.Value.AsJSON
	if raw == "" {
		b, err := json.Marshal(e.Value.GetRawValue())
		if err != nil {
			return err
		}
		raw = string(b)
	}
	return json.Unmarshal([]byte(raw), v)
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// parallelProcess reports which of Ginkgo's parallel processes this is.
func parallelProcess() (int, int) {
	s, _ := GinkgoConfiguration()
	return s.ParallelProcess, s.ParallelTotal
}

func dryRun() bool {
	s, _ := GinkgoConfiguration()
	return s.DryRun
}
