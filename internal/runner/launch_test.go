package runner

import (
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/swr-conformance/swr-conformance/internal/config"
	"github.com/swr-conformance/swr-conformance/internal/contract"
	"github.com/swr-conformance/swr-conformance/internal/report"
)

// commandLine is a flag set like the suite binary's: the suite's settings,
// and Ginkgo's and package testing's flags as this test binary has them
// (Ginkgo attaches its flags to flag.CommandLine when it is imported).
func commandLine(t *testing.T) *flag.FlagSet {
	t.Helper()
	fs := flag.NewFlagSet("swr-conformance.test", flag.ContinueOnError)
	config.Bind(fs)
	flag.CommandLine.VisitAll(func(f *flag.Flag) { fs.Var(f.Value, f.Name, f.Usage) })
	if fs.Lookup("ginkgo.seed") == nil || fs.Lookup("test.v") == nil {
		t.Fatal("Ginkgo's or package testing's flags are not on flag.CommandLine: the test cannot stand for the suite binary")
	}
	return fs
}

func TestCLIArgs(t *testing.T) {
	fs := commandLine(t)
	cfg := config.Config{RunTimeout: 20 * time.Minute}
	tests := []struct {
		name     string
		args     []string
		terminal bool
		want     []string
	}{{
		name: "Ginkgo's flags go to the CLI, with or without '=' and as bools; the suite's and Go's go through",
		args: []string{"-ginkgo.seed", "7", "-ginkgo.v", "--ginkgo.label-filter=auth || bodies", "-swr.cases=5", "-swr.endpoint", "https://e.example", "-test.v"},
		want: []string{"--procs=3", "--timeout=20m0s", "--no-color", "--seed=7", "--v", "--label-filter=auth || bodies",
			"/bin/suite.test", "--", "-swr.cases=5", "-swr.endpoint", "https://e.example", "-test.v", "-swr.report-dir=/abs/reports"},
	}, {
		name: "what concerns only the launching process stays with it: its CLI, its process count, its report directory, its help, Ginkgo's process flags",
		args: []string{"-swr.ginkgo", "go tool ginkgo", "-swr.procs=3", "-swr.report-dir", "rel", "-swr.help", "-ginkgo.parallel.process=2", "-ginkgo.parallel.total=3", "-swr.cases=5"},
		want: []string{"--procs=3", "--timeout=20m0s", "--no-color", "/bin/suite.test", "--", "-swr.cases=5", "-swr.report-dir=/abs/reports"},
	}, {
		name:     "on a terminal Ginkgo keeps its colours",
		args:     nil,
		terminal: true,
		want:     []string{"--procs=3", "--timeout=20m0s", "/bin/suite.test", "--", "-swr.report-dir=/abs/reports"},
	}, {
		name: "a user who sets -ginkgo.no-color decides, also elsewhere than a terminal",
		args: []string{"-ginkgo.no-color=false"},
		want: []string{"--procs=3", "--timeout=20m0s", "--no-color=false", "/bin/suite.test", "--", "-swr.report-dir=/abs/reports"},
	}, {
		name: "the first argument that is no flag ends the flags: it and all after go through",
		args: []string{"-ginkgo.v", "extra", "-ginkgo.seed=9"},
		want: []string{"--procs=3", "--timeout=20m0s", "--no-color", "--v", "/bin/suite.test", "--", "extra", "-ginkgo.seed=9", "-swr.report-dir=/abs/reports"},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := cliArgs(fs, tc.args, 3, cfg, "/abs/reports", "/bin/suite.test", tc.terminal)
			if !slices.Equal(got, tc.want) {
				t.Errorf("cliArgs(%q)\n got %q\nwant %q", tc.args, got, tc.want)
			}
		})
	}
}

// requirement is the catalogue's requirement id.
func requirement(t *testing.T, id string) contract.Requirement {
	t.Helper()
	for _, r := range contract.All() {
		if r.ID == id {
			return r
		}
	}
	t.Fatalf("no requirement %s in the catalogue", id)
	return contract.Requirement{}
}

// A report of a run that failed one requirement, left one unchecked, and
// failed a spec that names no requirement.
func judgedReport(t *testing.T) (report.Meta, []contract.Requirement, types.Report) {
	t.Helper()
	created, duplicate, updated := requirement(t, "CREATE-201"), requirement(t, "CREATE-409-DUPLICATE"), requirement(t, "UPDATE-201")
	reqs := []contract.Requirement{created, duplicate, updated}
	spec := func(text string, state types.SpecState, labels ...string) types.SpecReport {
		return types.SpecReport{ContainerHierarchyTexts: []string{"Share"}, ContainerHierarchyLabels: [][]string{{}}, LeafNodeType: types.NodeTypeIt,
			LeafNodeText: text, LeafNodeLabels: labels, State: state, RunTime: time.Millisecond}
	}
	passed := spec("["+created.ID+"] a create", types.SpecStatePassed, created.ID)
	failed := spec("["+duplicate.ID+"] a duplicate", types.SpecStateFailed, duplicate.ID)
	failed.Failure = types.Failure{Message: "expected 409, got 201"}
	failed.ReportEntries = types.ReportEntries{{Name: report.EntryFailed, Value: types.WrapEntryValue(report.Failed{Requirement: duplicate.ID})}}
	skipped := spec("["+updated.ID+"] an update", types.SpecStateSkipped, updated.ID)
	skipped.Failure = types.Failure{Message: "no show, no list"}
	skipped.ReportEntries = types.ReportEntries{{Name: report.EntryNotChecked, Value: types.WrapEntryValue(report.NotChecked{Cause: report.CauseConfiguration, Reason: "no show, no list"})}}
	unnamed := spec("a spec that names no requirement", types.SpecStateFailed)
	unnamed.Failure = types.Failure{Message: "it broke"}
	meta := report.Meta{SuiteVersion: "test", Endpoint: "https://e.example",
		Config: []report.KV{{Key: slowDownsKey, Value: "2 × 429, 0 × 503, waited 1.5s, gave up 0 times"}}}
	return meta, reqs, types.Report{SuiteDescription: SuiteDescription, SpecReports: types.SpecReports{passed, failed, skipped, unnamed}}
}

// The launcher's verdict is the one process 1 judged and wrote: what it
// reads back from results.json is what report.Judge says of the same
// report.
func TestReadJudgement(t *testing.T) {
	meta, reqs, rep := judgedReport(t)
	dir := t.TempDir()
	began := time.Now()
	if err := report.Write(dir, meta, reqs, rep); err != nil {
		t.Fatal(err)
	}
	got, err := readJudgement(filepath.Join(dir, "results.json"), began)
	if err != nil {
		t.Fatal(err)
	}
	want := report.Judge(meta, reqs, rep)
	if want.Verdict != report.DoesNotConform {
		t.Fatalf("the fixture judges %q; the test needs a run that does not conform", want.Verdict)
	}
	if got.Verdict != want.Verdict || got.ExitCode != want.ExitCode || !slices.Equal(got.Reasons, want.Reasons) {
		t.Errorf("read verdict %q, exit %d, reasons %q; judged %q, %d, %q", got.Verdict, got.ExitCode, got.Reasons, want.Verdict, want.ExitCode, want.Reasons)
	}
	// The console sorts the failed specs (printVerdict): their order is
	// not the file's to keep.
	if g, w := slices.Sorted(slices.Values(got.Failed)), slices.Sorted(slices.Values(want.Failed)); !slices.Equal(g, w) || len(w) != 2 {
		t.Errorf("read failed specs %q; judged %q (want both failed specs, the one that names no requirement too)", g, w)
	}
	if !slices.Equal(got.NotChecked, want.NotChecked) || !reflect.DeepEqual(got.NotChecked, []string{"UPDATE-201"}) {
		t.Errorf("read not checked %q; judged %q", got.NotChecked, want.NotChecked)
	}
	if got.slowDowns != "2 × 429, 0 × 503, waited 1.5s, gave up 0 times" {
		t.Errorf("slow-downs %q, want the reports' own words", got.slowDowns)
	}
}

// A results.json the run did not write (left from an earlier run), none at
// all, or one without a verdict is no verdict of this run.
func TestReadJudgementRefuses(t *testing.T) {
	meta, reqs, rep := judgedReport(t)
	dir := t.TempDir()
	if err := report.Write(dir, meta, reqs, rep); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "results.json")
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(path, old, old); err != nil {
		t.Fatal(err)
	}
	if _, err := readJudgement(path, time.Now()); err == nil || !strings.Contains(err.Error(), "earlier run") {
		t.Errorf("a results.json an hour older than the run: got %v, want it refused as from an earlier run", err)
	}
	if _, err := readJudgement(filepath.Join(dir, "missing.json"), time.Now()); err == nil {
		t.Error("no results.json: got no error")
	}
	empty := filepath.Join(dir, "empty.json")
	if err := os.WriteFile(empty, []byte(`{"verdict": ""}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := readJudgement(empty, time.Now().Add(-time.Minute)); err == nil || !strings.Contains(err.Error(), `no "verdict"`) {
		t.Errorf("a results.json without a verdict: got %v, want it refused", err)
	}
}
