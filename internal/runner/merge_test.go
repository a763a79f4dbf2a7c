package runner

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/swr-conformance/swr-conformance/internal/report"
)

func at(file string, line int, text string, proc int) types.SpecReport {
	return types.SpecReport{LeafNodeType: types.NodeTypeIt, LeafNodeText: text, ParallelProcess: proc,
		LeafNodeLocation: types.CodeLocation{FileName: file, LineNumber: line}}
}

// The specs of a merged report come in the source's order whatever process
// ran them and when, suite nodes last; Ginkgo's own report keeps its order.
func TestInSourceOrder(t *testing.T) {
	suiteNode := types.SpecReport{LeafNodeType: types.NodeTypeAfterSuite, ParallelProcess: 1, LeafNodeLocation: types.CodeLocation{FileName: "a_test.go", LineNumber: 1}}
	ran := types.Report{SpecReports: types.SpecReports{
		at("writes_test.go", 50, "[UPDATE-201] b", 2),
		suiteNode,
		at("auth_test.go", 30, "[AUTH-401-EMPTY-TOKEN] update", 1),
		at("writes_test.go", 50, "[UPDATE-201] a", 1),
		at("auth_test.go", 30, "[AUTH-401-EMPTY-TOKEN] create", 2),
		at("auth_test.go", 12, "[AUTH-401-MISSING-TOKEN] create", 2),
	}}
	before := slices.Clone(ran.SpecReports)
	got := inSourceOrder(ran)
	var order []string
	for _, s := range got.SpecReports {
		order = append(order, s.LeafNodeType.String()+" "+s.LeafNodeText)
	}
	want := []string{
		"It [AUTH-401-MISSING-TOKEN] create",
		"It [AUTH-401-EMPTY-TOKEN] create",
		"It [AUTH-401-EMPTY-TOKEN] update",
		"It [UPDATE-201] a",
		"It [UPDATE-201] b",
		"AfterSuite ",
	}
	if !slices.Equal(order, want) {
		t.Errorf("merged order %q, want file, line and name order, suite nodes last: %q", order, want)
	}
	for i := range before {
		if ran.SpecReports[i].LeafNodeText != before[i].LeafNodeText {
			t.Fatal("inSourceOrder reordered the report it was given: Ginkgo's own reporters read it too")
		}
	}
}

// throughParallelServer is an entry as process 1 gets it from another
// process under the Ginkgo CLI: the other process encodes it, Ginkgo's
// server decodes it into a map and encodes it again for process 1.
func throughParallelServer(t *testing.T, e types.ReportEntry) types.ReportEntry {
	t.Helper()
	for range 2 {
		b, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		e = types.ReportEntry{}
		if err := json.Unmarshal(b, &e); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// A property's seed is a 64-bit integer; past Ginkgo's parallel server it
// is the nearest float64, and a replay with it would send other inputs.
// keepExactEntries' copy, as JSON in a string, brings it back.
func TestExactEntriesSurviveTheParallelServer(t *testing.T) {
	const seed = int64(-8070450532247928832 + 12345) // not a float64
	prop := report.Property{Label: "valid bodies", Cases: 25, Seed: seed, RunSeed: 7}
	entries := types.ReportEntries{
		{Name: report.EntryProperty, Value: types.WrapEntryValue(prop)},
		{Name: report.EntryFailed, Value: types.WrapEntryValue(report.Failed{Requirement: "CREATE-201"})},
	}
	exact, ok := exactEntries(entries)
	if !ok {
		t.Fatal("no exact copy of two entries")
	}
	sent := append(slices.Clone(entries), types.ReportEntry{Name: entryExact, Value: types.WrapEntryValue(exact)})
	for i := range sent {
		sent[i] = throughParallelServer(t, sent[i])
	}
	var lossy report.Property
	if err := decodeEntry(sent[0], &lossy); err == nil && lossy.Seed == seed {
		t.Fatal("the seed came through Ginkgo's server exactly: the test no longer shows what exact entries are for")
	}

	got := withExactEntries(types.Report{SpecReports: types.SpecReports{{ReportEntries: sent}}}).SpecReports[0].ReportEntries
	if len(got) != 2 || got[0].Name != report.EntryProperty || got[1].Name != report.EntryFailed {
		t.Fatalf("entries after the merge: %v; want the spec's two, without the exact copy", got)
	}
	var back report.Property
	if err := decodeEntry(got[0], &back); err != nil || back != prop {
		t.Errorf("property after the merge: %+v (%v), want %+v", back, err, prop)
	}
	var failed report.Failed
	if err := decodeEntry(got[1], &failed); err != nil || failed.Requirement != "CREATE-201" {
		t.Errorf("failed entry after the merge: %+v (%v)", failed, err)
	}
}

// Entries made after the exact copy (text, which comes through as it is),
// or an exact copy that no longer matches its entry, are left as they came.
func TestWithExactEntriesKeepsWhatItCannotMatch(t *testing.T) {
	entries := types.ReportEntries{{Name: report.EntryProperty, Value: types.WrapEntryValue(report.Property{Seed: 1})}}
	exact, _ := exactEntries(entries)
	spec := types.SpecReport{ReportEntries: types.ReportEntries{
		{Name: report.EntryObservation, Value: types.WrapEntryValue(report.Observation{Point: "p", Choice: "c"})}, // not what index 0 held
		{Name: entryExact, Value: types.WrapEntryValue(exact)},
		{Name: report.EntryRunProblem, Value: types.WrapEntryValue(report.RunProblem{What: "later"})},
	}}
	got := withExactEntries(types.Report{SpecReports: types.SpecReports{spec}}).SpecReports[0].ReportEntries
	var o report.Observation
	if len(got) != 2 || decodeEntry(got[0], &o) != nil || o.Point != "p" || got[1].Name != report.EntryRunProblem {
		t.Errorf("got %v; want the observation untouched and the later entry kept, the exact copy dropped", got)
	}
	if _, ok := exactEntries(nil); ok {
		t.Error("an exact copy of no entries")
	}
}
