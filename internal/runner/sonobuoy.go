package runner

import (
	"fmt"
	"os"

	"github.com/swr-conformance/swr-conformance/internal/sonobuoy"
)

// deliverToSonobuoy hands the four reports just written to dir to
// Sonobuoy's worker when the suite runs as a Sonobuoy plugin
// (SONOBUOY_RESULTS_DIR set; deploy/sonobuoy): a tarball of them in the
// results directory, then the done file naming it. Elsewhere it does
// nothing. A run that stops on its configuration delivers nothing (its
// reports stay in SWR_REPORT_DIR): results without a run could pass for a
// green one, so Sonobuoy reports the plugin's container as ended without
// results, with the suite's message (exit 2) in its log.
func deliverToSonobuoy(dir string) {
	results, ok := sonobuoy.ResultsDir(os.Getenv)
	if !ok {
		return
	}
	archive, err := sonobuoy.Deliver(dir, results, sonobuoy.Reports)
	if err != nil {
		fmt.Fprintf(os.Stderr, "swr-conformance: handing the reports to Sonobuoy (%s=%s) failed: %v\n", sonobuoy.EnvResultsDir, results, err)
		return
	}
	fmt.Fprintf(os.Stderr, "swr-conformance: reports handed to Sonobuoy: %s\n", archive)
}
