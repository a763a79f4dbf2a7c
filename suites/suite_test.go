package suites

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"
	. "github.com/onsi/gomega"

	"github.com/swr-conformance/swr-conformance/fixtures/target"
	"github.com/swr-conformance/swr-conformance/internal/config"
	"github.com/swr-conformance/swr-conformance/internal/report"
	"github.com/swr-conformance/swr-conformance/internal/swrclient"
	"github.com/swr-conformance/swr-conformance/internal/version"
)

// settings binds the -swr.* flags; flag.Parse fills them in TestMain.
var settings = config.Bind(flag.CommandLine)

// tgt is the opened target of this process. TestMain sets it before any spec
// runs and closes it after the last; specs never change it.
var tgt *target.Target

// runConfig is the checked configuration, set by TestMain (also in a dry
// run, where no target is opened).
var runConfig config.Config

// judgement is the run's verdict, set by the reporting node; TestMain ends
// the run with its line and exit status.
var judgement *report.Judgement

// warnings of the run, for the console and every report.
var warnings []string

// TestMain checks the configuration and opens the target before any spec, so
// that a wrong setting or an unreachable endpoint is one message naming what
// to fix (exit status 2), not one failure per spec.
func TestMain(m *testing.M) {
	flag.Parse()
	typos, unknown := config.Misspelled(os.Environ())
	cfg, err := settings.Load(os.Getenv)
	if err == nil {
		err = typos
	} else if typos != nil {
		err = &config.Error{Problems: append(typos.(*config.Error).Problems, err.(*config.Error).Problems...)}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "swr-conformance:", err)
		os.Exit(2)
	}
	runConfig = cfg
	warnings = unknown
	for _, w := range warnings {
		fmt.Fprintln(os.Stderr, "swr-conformance: warning:", w)
	}
	fmt.Fprintf(os.Stderr, "swr-conformance %s (commit %s)\n", version.Version, version.Commit)
	if dryRun() {
		os.Exit(finish(m.Run()))
	}
	proc, procs := parallelProcess()
	start := time.Now()
	tgt, err = target.Open(context.Background(), cfg, target.Options{Process: proc, Processes: procs})
	if err != nil {
		fmt.Fprintln(os.Stderr, "swr-conformance:", err)
		// The run got past its configuration: its reports say why it
		// stopped, so a nightly job keeps a record of the night.
		writeReports(types.Report{SuiteDescription: suiteDescription, StartTime: start, EndTime: time.Now(), RunTime: time.Since(start)}, err.Error())
		fmt.Fprintln(os.Stderr, "\nVERDICT: no run: the run stopped before its first spec (see the message above)")
		os.Exit(2)
	}
	runConfig = tgt.Config
	tgt.Client.Observe = exchanges.add
	fmt.Fprintf(os.Stderr, "swr-conformance: %s\n", strings.ReplaceAll(tgt.Config.Summary(), "\n", "\n                 "))
	if tgt.Config.Insecure {
		warnings = append(warnings, "TLS certificates are NOT verified (SWR_INSECURE_SKIP_VERIFY=true): the token goes to whoever answers")
		fmt.Fprintln(os.Stderr, "swr-conformance: WARNING: TLS certificates are NOT verified (SWR_INSECURE_SKIP_VERIFY=true): the token goes to whoever answers")
	}
	code := m.Run()
	if st := tgt.Retries(); st.Retries429+st.Retries503+st.GaveUp > 0 {
		fmt.Fprintf(os.Stderr, "swr-conformance: the target asked to slow down: %s\n", retrySummary())
	}
	// Normally closed by the AfterSuite node; this is for a run that never
	// reached it. What could not be cleaned up is said loudly.
	if err := tgt.Close(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "swr-conformance: CLEANUP INCOMPLETE: these may be left on the target:\n", err)
	}
	os.Exit(finish(code))
}

// finish prints the VERDICT line, the run's last, and returns the exit
// status: the verdict's (CONTRACT-NOTES.md section 7), or Ginkgo's when no
// verdict was reached.
func finish(ginkgoCode int) int {
	if judgement == nil {
		return ginkgoCode
	}
	j := judgement
	// The details first: the VERDICT line is the run's very last.
	fmt.Fprintln(os.Stderr)
	for _, f := range j.Failed {
		fmt.Fprintln(os.Stderr, "  failed: "+f)
	}
	for _, r := range j.Reasons {
		fmt.Fprintln(os.Stderr, "  - "+r)
	}
	switch j.Verdict {
	case report.Conforms:
		fmt.Fprintf(os.Stderr, "VERDICT: the target conforms (%s)\n", j.Reasons[0])
	case report.DoesNotConform:
		fmt.Fprintf(os.Stderr, "VERDICT: the target does NOT conform: %s failed (%s)\n", plural(len(j.Failed), "spec"), j.Reasons[0])
	default:
		fmt.Fprintf(os.Stderr, "VERDICT: incomplete (exit %d): %s\n", j.ExitCode, summarizeIncomplete(j))
	}
	return j.ExitCode
}

// summarizeIncomplete says in one line what an incomplete run left out.
func summarizeIncomplete(j *report.Judgement) string {
	if len(j.NotChecked) == 0 {
		return strings.Join(j.Reasons, "; ")
	}
	return fmt.Sprintf("nothing failed, but %s not checked: %s (reasons above)", plural(len(j.NotChecked), "requirement"), strings.Join(j.NotChecked, ", "))
}

const suiteDescription = "SWR image-sharing API conformance"

func TestConformance(t *testing.T) {
	RegisterFailHandler(Fail)
	suiteConfig, reporterConfig := GinkgoConfiguration()
	// SWR_RUN_TIMEOUT bounds the whole run; Ginkgo interrupts the running
	// spec at the deadline and still runs every cleanup.
	suiteConfig.Timeout = runConfig.RunTimeout
	RunSpecs(t, suiteDescription, suiteConfig, reporterConfig)
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
})

// The run's own namespace and repositories are removed before the reports
// are written, so that what could not be removed is in them.
var _ = AfterSuite(func(ctx SpecContext) {
	if tgt == nil {
		return
	}
	if err := tgt.Close(ctx); err != nil {
		runProblem("cleanup at the end of the run: these may be left on the target:\n" + err.Error())
	}
})

// The verdict and the reports for CI systems, machines and people. Both
// come from one judgement, so they cannot disagree.
var _ = ReportAfterSuite("verdict and reports", func(r Report) {
	j := report.Judge(reportMeta(""), reportRequirements(), r)
	judgement = &j
	if r.SuiteConfig.DryRun {
		return
	}
	writeReports(r, "")
})

// reportMeta is what every report says besides the specs.
func reportMeta(noRun string) report.Meta {
	cfg := runConfig
	meta := report.Meta{SuiteVersion: version.Version, Commit: version.Commit, Endpoint: cfg.Endpoint,
		Secrets: []string{cfg.Token, cfg.IAM.Password}, RequireComplete: cfg.RequireComplete,
		Warnings: warnings, NoRun: noRun}
	suiteConfig, _ := GinkgoConfiguration()
	meta.Seed = suiteConfig.RandomSeed
	if cfg.Embedded() {
		meta.Endpoint = "embedded reference server"
	}
	for _, kv := range cfg.Settings() {
		meta.Config = append(meta.Config, report.KV{Key: kv[0], Value: kv[1]})
	}
	if tgt != nil {
		meta.Config = append(meta.Config, report.KV{Key: "slow-downs (429/503, retried, no verdict)", Value: retrySummary()})
		if ex := tgt.ShowMissing; ex != nil && ex.Answered() {
			choice := fmt.Sprintf("%d %s", ex.Status, http.StatusText(ex.Status))
			if _, exists, err := swrclient.DecodeShow(ex); err == nil && !exists {
				choice += ` with {"exist": false}`
			}
			meta.Observations = append(meta.Observations, report.Observation{Point: "show of a share that does not exist", Choice: choice, Example: ex.Method + " " + strings.TrimPrefix(ex.URL, tgt.Client.Base())})
		}
	}
	return meta
}

// writeReports writes the four reports; noRun says why a run stopped
// before its first spec.
func writeReports(r Report, noRun string) {
	cfg := runConfig
	if err := report.Write(cfg.ReportDir, reportMeta(noRun), reportRequirements(), r); err != nil {
		fmt.Fprintf(os.Stderr, "swr-conformance: writing reports to %s (SWR_REPORT_DIR) failed: %v\n", cfg.ReportDir, err)
		return
	}
	dir, err := filepath.Abs(cfg.ReportDir)
	if err != nil {
		dir = cfg.ReportDir
	}
	fmt.Fprintf(os.Stderr, "reports: %s\n", filepath.Join(dir, "{report.html,summary.md,results.json,junit.xml}"))
}

// retrySummary says how often the target asked the suite to slow down.
func retrySummary() string {
	st := tgt.Retries()
	return fmt.Sprintf("%d × 429, %d × 503, waited %s, gave up %d times", st.Retries429, st.Retries503, st.Waited.Round(time.Millisecond), st.GaveUp)
}

// reportRequirements is the catalogue as the report writer takes it.
func reportRequirements() []report.Requirement {
	var out []report.Requirement
	for _, r := range All() {
		op := "both"
		switch {
		case strings.HasPrefix(r.ID, "CREATE-"), strings.HasPrefix(r.ID, "BODY-ACCESS-DOMAIN-"):
			op = "create"
		case strings.HasPrefix(r.ID, "UPDATE-"):
			op = "update"
		}
		out = append(out, report.Requirement{ID: r.ID, Source: r.Source, Text: r.Text, Operation: op})
	}
	return out
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
