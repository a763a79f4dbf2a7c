package suites

import (
	"flag"
	"os"
	"testing"

	. "github.com/onsi/ginkgo/v2"

	"github.com/swr-conformance/swr-conformance/internal/runner"

	// The suite verifies a registry's TLS certificate with the system's
	// CA roots. Its OCI image has no OS and so no roots: this puts
	// Mozilla's roots into the binary, and Go uses them only where the
	// system has none (x509.SetFallbackRoots), so a machine with roots
	// verifies as before. SSL_CERT_FILE and SSL_CERT_DIR still work.
	_ "golang.org/x/crypto/x509roots/fallback"
)

// run is this process's run of the suite (package runner): made here, once,
// before the command line is parsed, and never replaced. The specs reach
// the target and the run's settings through it.
var run = runner.New(flag.CommandLine)

func TestMain(m *testing.M) { os.Exit(run.Main(m)) }

func TestConformance(t *testing.T) { run.Specs(t) }

// Ginkgo takes its nodes at the top level of the test binary's package:
// each is the runner's.
var (
	_ = BeforeEach(run.BeforeEach)
	_ = AfterEach(run.AfterEach)
	_ = AfterSuite(run.AfterSuite)
	_ = ReportBeforeSuite(run.ReportBeforeSuite)
	_ = ReportBeforeEach(run.ReportBeforeEach)
	_ = ReportAfterEach(run.ReportAfterEach)
	_ = ReportAfterSuite("verdict and reports", run.ReportAfterSuite)
)
