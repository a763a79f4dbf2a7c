package selftest

import (
	"context"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestKillMatrix is the proof of the suite, run by `make test`: every fault
// of the reference server is caught, both conforming dialects pass, and no
// spec is one that never fails.
func TestKillMatrix(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole suite once per fault")
	}
	suite, _, err := Build(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	results := Execute(context.Background(), suite, Plan(), runtime.NumCPU())
	t.Logf("kill matrix (%d runs in %s):\n%s", len(results), time.Since(start).Round(time.Second), Matrix(results))
	v := Judge(results)
	for title, items := range map[string][]string{
		"faults that survived":                v.Survivors,
		"conforming servers the suite failed": v.Rejected,
		"runs without a verdict":              v.Broken,
		"specs that no fault made fail":       v.NeverFailed,
	} {
		if len(items) > 0 {
			t.Errorf("%s:\n  - %s", title, strings.Join(items, "\n  - "))
		}
	}
}

func TestSpecID(t *testing.T) {
	if got := specID("Create a share [CREATE-201] rule (detail)"); got != "CREATE-201" {
		t.Fatalf("specID = %q", got)
	}
}
