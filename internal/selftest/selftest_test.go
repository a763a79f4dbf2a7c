package selftest

import (
	"context"
	"encoding/json"
	"github.com/onsi/ginkgo/v2/types"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/swr-conformance/swr-conformance/internal/report"
)

// TestKillMatrix is the proof of the suite, run by `make test`: every fault
// of the reference server is caught, both conforming dialects pass, and no
// spec is one that never fails.
func TestKillMatrix(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole suite once per fault")
	}
	suite, refserver, err := Build(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	results := Execute(context.Background(), suite, refserver, Plan(FaultCases), runtime.NumCPU())
	t.Logf("kill matrix (%d runs in %s):\n%s", len(results), time.Since(start).Round(time.Second), Matrix(results))
	v := Judge(results)
	for title, items := range map[string][]string{
		"faults that survived":                v.Survivors,
		"faults killed through another rule":  v.WrongRule,
		"conforming servers the suite failed": v.Rejected,
		"runs without a verdict":              v.Broken,
		"specs that no fault made fail":       v.NeverFailed,
	} {
		if len(items) > 0 {
			t.Errorf("%s:\n  - %s", title, strings.Join(items, "\n  - "))
		}
	}
}

// The matrix names the requirements of failed specs from their labels,
// never from their names.
func TestReadReportTakesRequirementsFromLabels(t *testing.T) {
	spec := func(state types.SpecState, labels ...string) types.SpecReport {
		return types.SpecReport{LeafNodeType: types.NodeTypeIt, LeafNodeText: "[NOT-AN-ID] in the name only", LeafNodeLabels: labels, State: state}
	}
	failedThrough := spec(types.SpecStateFailed, "CREATE-201", "CREATE-VISIBLE", "create", "property")
	failedThrough.ReportEntries = types.ReportEntries{{Name: report.EntryFailed, Value: types.WrapEntryValue(report.Failed{Requirement: "CREATE-VISIBLE"})}}
	reports := []types.Report{{SpecReports: types.SpecReports{
		failedThrough,
		spec(types.SpecStatePassed, "UPDATE-201", "update"),
		spec(types.SpecStateSkipped, "AUTH-401-EMPTY-TOKEN"),
	}}}
	path := filepath.Join(t.TempDir(), "report.json")
	b, err := json.Marshal(reports)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	specs, failed, broken, through, err := readReport(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(specs) != 2 || len(failed) != 1 {
		t.Errorf("specs %q, failed %q: want the failed and the passed spec, and the failed one alone as failed", specs, failed)
	}
	if strings.Join(broken, " ") != "CREATE-201 CREATE-VISIBLE" {
		t.Errorf("broken = %q, want the catalogue IDs among the failed spec's labels: CREATE-201 CREATE-VISIBLE", broken)
	}
	if strings.Join(through, " ") != "CREATE-VISIBLE" {
		t.Errorf("through = %q, want the requirement of the failed spec's swr.failed entry: CREATE-VISIBLE", through)
	}
}
