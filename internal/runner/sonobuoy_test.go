package runner

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/swr-conformance/swr-conformance/internal/sonobuoy"
)

// As a Sonobuoy plugin the run hands its reports to the worker: the
// archive, then the done file naming it. Elsewhere it writes nothing.
func TestDeliverToSonobuoy(t *testing.T) {
	reports := t.TempDir()
	for _, name := range sonobuoy.Reports {
		if err := os.WriteFile(filepath.Join(reports, name), []byte(name), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	results := filepath.Join(t.TempDir(), "results")
	t.Setenv(sonobuoy.EnvResultsDir, "")
	os.Unsetenv(sonobuoy.EnvResultsDir)
	deliverToSonobuoy(reports)
	if _, err := os.Stat(results); !os.IsNotExist(err) {
		t.Fatalf("without %s the results directory was made: %v", sonobuoy.EnvResultsDir, err)
	}
	t.Setenv(sonobuoy.EnvResultsDir, results)
	deliverToSonobuoy(reports)
	done, err := os.ReadFile(filepath.Join(results, sonobuoy.DoneFile))
	if err != nil || string(done) != filepath.Join(results, sonobuoy.Archive) {
		t.Fatalf("done file %q (%v), want the archive's path", done, err)
	}
	if _, err := os.Stat(string(done)); err != nil {
		t.Errorf("the done file names %s, which is not there: %v", done, err)
	}
}
