package selftest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/swr-conformance/swr-conformance/internal/contract"
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

// The matrix reads a run's results.json: the requirements of failed specs
// are their labels', never words of their names, and a spec kills a fault
// only through the requirement a check of its own named; a failure no check
// named (a panic, an assertion outside the contract's matchers) counts as
// failed but kills nothing.
func TestReadResultsTakesKillersFromChecks(t *testing.T) {
	spec := func(text string, state types.SpecState, labels ...string) types.SpecReport {
		s := types.SpecReport{LeafNodeType: types.NodeTypeIt, LeafNodeText: text, LeafNodeLabels: labels, State: state}
		if state == types.SpecStateFailed {
			s.Failure = types.Failure{Message: "failed"}
		}
		return s
	}
	byCheck := spec("[NOT-AN-ID] failed by a check", types.SpecStateFailed, "CREATE-201", "CREATE-VISIBLE", "create", "property")
	byCheck.ReportEntries = types.ReportEntries{{Name: report.EntryFailed, Value: types.WrapEntryValue(report.Failed{Requirement: "CREATE-VISIBLE"})}}
	rep := types.Report{SuiteSucceeded: false, SpecReports: types.SpecReports{
		byCheck,
		spec("panicked", types.SpecStatePanicked, "UPDATE-VISIBLE"),
		spec("passed", types.SpecStatePassed, "UPDATE-201", "update"),
		spec("filtered out", types.SpecStateSkipped, "AUTH-401-EMPTY-TOKEN"),
	}}
	dir := t.TempDir()
	if err := report.Write(dir, report.Meta{}, contract.All(), rep); err != nil {
		t.Fatal(err)
	}
	specs, failed, broken, through, err := readResults(filepath.Join(dir, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(specs, "|") != "[NOT-AN-ID] failed by a check|passed|panicked" {
		t.Errorf("specs = %q, want the three that ran, the filtered-out one left out", specs)
	}
	if strings.Join(failed, "|") != "[NOT-AN-ID] failed by a check|panicked" {
		t.Errorf("failed = %q, want the failed and the panicked spec", failed)
	}
	if strings.Join(broken, " ") != "CREATE-201 CREATE-VISIBLE UPDATE-VISIBLE" {
		t.Errorf("broken = %q, want the catalogue IDs among the failed specs' labels: CREATE-201 CREATE-VISIBLE UPDATE-VISIBLE", broken)
	}
	if strings.Join(through, " ") != "CREATE-VISIBLE" {
		t.Errorf("through = %q, want only the requirement a check named: CREATE-VISIBLE", through)
	}
}

// With SWRC_PREBUILT, Build takes the binaries from there instead of
// compiling; one missing is an error that names the setting.
func TestBuildTakesPrebuiltBinaries(t *testing.T) {
	pre := t.TempDir()
	for _, name := range []string{"swr-conformance", "swr-refserver"} {
		if err := os.WriteFile(filepath.Join(pre, name), []byte("#!/bin/sh\necho "+name+"\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv(PrebuiltEnv, pre)
	suite, refserver, err := Build(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{suite: "swr-conformance", refserver: "swr-refserver"} {
		out, err := exec.Command(path).Output()
		if err != nil || strings.TrimSpace(string(out)) != want {
			t.Errorf("%s ran as %q (%v), want the prebuilt %s", path, out, err, want)
		}
	}
	if err := os.Remove(filepath.Join(pre, "swr-refserver")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Build(t.TempDir()); err == nil || !strings.Contains(err.Error(), PrebuiltEnv+"="+pre) {
		t.Errorf("Build with the server missing from %s: %v, want an error naming %s", pre, err, PrebuiltEnv)
	}
}

// The source is found from the working directory too, as in a build
// without file system paths (-trimpath), where runtime.Caller names no
// directory.
func TestSourceRootFromTheWorkingDirectory(t *testing.T) {
	root, err := sourceRoot()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "internal", "selftest", "selftest.go")); err != nil {
		t.Errorf("sourceRoot() = %s, not the module's root: %v", root, err)
	}
}
