package suites

import (
	"context"
	"flag"
	"fmt"
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

// TestMain checks the configuration and opens the target before any spec, so
// that a wrong setting or an unreachable endpoint is one message naming what
// to fix (exit status 2), not one failure per spec.
func TestMain(m *testing.M) {
	flag.Parse()
	cfg, err := settings.Load(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "swr-conformance:", err)
		os.Exit(2)
	}
	runConfig = cfg
	for _, v := range config.UnknownVariables(os.Environ()) {
		fmt.Fprintf(os.Stderr, "swr-conformance: warning: %s is not a setting of this suite and is ignored\n", v)
	}
	fmt.Fprintf(os.Stderr, "swr-conformance %s (commit %s)\n", version.Version, version.Commit)
	if dryRun() {
		os.Exit(m.Run())
	}
	proc, procs := parallelProcess()
	tgt, err = target.Open(context.Background(), cfg, target.Options{Process: proc, Processes: procs})
	if err != nil {
		fmt.Fprintln(os.Stderr, "swr-conformance:", err)
		os.Exit(2)
	}
	runConfig = tgt.Config
	fmt.Fprintf(os.Stderr, "swr-conformance: %s\n", strings.ReplaceAll(tgt.Config.Summary(), "\n", "\n                 "))
	if tgt.Config.Insecure {
		fmt.Fprintln(os.Stderr, "swr-conformance: WARNING: TLS certificates are NOT verified (SWR_INSECURE_SKIP_VERIFY=true): the token goes to whoever answers")
	}
	code := m.Run()
	if st := tgt.Retries(); st.Retries429+st.Retries503+st.GaveUp > 0 {
		fmt.Fprintf(os.Stderr, "swr-conformance: the target asked to slow down: %s\n", retrySummary())
	}
	// The exit status is the verdict; what could not be cleaned up is said
	// loudly, since it may be left on the target.
	if err := tgt.Close(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "swr-conformance: CLEANUP INCOMPLETE: these may be left on the target:\n", err)
	}
	os.Exit(code)
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

func TestConformance(t *testing.T) {
	RegisterFailHandler(Fail)
	suiteConfig, reporterConfig := GinkgoConfiguration()
	// SWR_RUN_TIMEOUT bounds the whole run; Ginkgo interrupts the running
	// spec at the deadline and still runs every cleanup.
	suiteConfig.Timeout = runConfig.RunTimeout
	RunSpecs(t, "SWR image-sharing API conformance", suiteConfig, reporterConfig)
}

// The verdict, in one line a person and a CI log both read, and the
// reports for CI systems, machines and people. Both come from one
// judgement, so they cannot disagree.
var _ = ReportAfterSuite("verdict and reports", func(r Report) {
	reqs := reportRequirements()
	verdict, reasons := report.Judge(reqs, r)
	var failed []string
	for _, s := range r.SpecReports {
		if s.LeafNodeType == types.NodeTypeIt && s.State.Is(types.SpecStateFailureStates) {
			failed = append(failed, "  - "+s.FullText())
		}
	}
	switch verdict {
	case report.Conforms:
		fmt.Fprintf(os.Stderr, "\nVERDICT: the target conforms (%s)\n", strings.Join(reasons, "; "))
	case report.DoesNotConform:
		fmt.Fprintf(os.Stderr, "\nVERDICT: the target does NOT conform: %s failed\n%s\n", plural(len(failed), "spec"), strings.Join(failed, "\n"))
	default:
		fmt.Fprintf(os.Stderr, "\nVERDICT: incomplete, no verdict on the whole contract: %s\n", strings.Join(reasons, "; "))
	}
	if r.SuiteConfig.DryRun {
		return
	}
	cfg := runConfig
	meta := report.Meta{SuiteVersion: version.Version, Commit: version.Commit, Endpoint: cfg.Endpoint,
		Secrets: []string{cfg.Token, cfg.IAM.Password}, Seed: r.SuiteConfig.RandomSeed}
	if cfg.Embedded() {
		meta.Endpoint = "embedded reference server"
	}
	for _, kv := range cfg.Settings() {
		meta.Config = append(meta.Config, report.KV{Key: kv[0], Value: kv[1]})
	}
	if tgt != nil {
		meta.Config = append(meta.Config, report.KV{Key: "slow-downs (429/503, retried, no verdict)", Value: retrySummary()})
	}
	if err := report.Write(cfg.ReportDir, meta, reqs, r); err != nil {
		fmt.Fprintf(os.Stderr, "swr-conformance: writing reports to %s (SWR_REPORT_DIR) failed: %v\n", cfg.ReportDir, err)
		return
	}
	fmt.Fprintf(os.Stderr, "reports: %s\n", filepath.Join(cfg.ReportDir, "{report.html,summary.md,results.json,junit.xml}"))
})

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
