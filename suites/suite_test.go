package suites

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"
	. "github.com/onsi/gomega"

	"github.com/swr-conformance/swr-conformance/fixtures/target"
	"github.com/swr-conformance/swr-conformance/internal/config"
)

// settings binds the -swr.* flags; flag.Parse fills them in TestMain.
var settings = config.Bind(flag.CommandLine)

// tgt is the opened target of this process. TestMain sets it before any spec
// runs and closes it after the last; specs never change it.
var tgt *target.Target

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
	for _, v := range config.UnknownVariables(os.Environ()) {
		fmt.Fprintf(os.Stderr, "swr-conformance: warning: %s is not a setting of this suite and is ignored\n", v)
	}
	if dryRun() {
		os.Exit(m.Run())
	}
	proc, procs := parallelProcess()
	tgt, err = target.Open(context.Background(), cfg, target.Options{Process: proc, Processes: procs})
	if err != nil {
		fmt.Fprintln(os.Stderr, "swr-conformance:", err)
		os.Exit(2)
	}
	fmt.Fprintf(os.Stderr, "swr-conformance: %s\n", strings.ReplaceAll(tgt.Config.Summary(), "\n", "\n                 "))
	code := m.Run()
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
	RunSpecs(t, "SWR image-sharing API conformance")
}

// The verdict, in one line a person and a CI log both read.
var _ = ReportAfterSuite("verdict", func(r Report) {
	var failed []string
	passed, skipped := 0, 0
	for _, s := range r.SpecReports {
		if s.LeafNodeType != types.NodeTypeIt {
			continue
		}
		switch {
		case s.State.Is(types.SpecStateFailureStates):
			failed = append(failed, "  - "+s.FullText())
		case s.State == types.SpecStatePassed:
			passed++
		case s.State.Is(types.SpecStateSkipped | types.SpecStatePending):
			skipped++
		}
	}
	switch {
	case r.SpecReports == nil || !r.SuiteSucceeded && len(failed) == 0:
		fmt.Fprintf(os.Stderr, "\nVERDICT: no verdict: the run did not complete (%d specs passed)\n", passed)
	case len(failed) == 0:
		fmt.Fprintf(os.Stderr, "\nVERDICT: the target conforms (%d specs passed, %d skipped)\n", passed, skipped)
	default:
		fmt.Fprintf(os.Stderr, "\nVERDICT: the target does NOT conform: %s failed, %d passed, %d skipped\n%s\n",
			plural(len(failed), "spec"), passed, skipped, strings.Join(failed, "\n"))
	}
})

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
