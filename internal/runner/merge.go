package runner

import (
	"cmp"
	"encoding/json"
	"slices"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"
)

// Under the Ginkgo CLI, process 1 judges the report merged from every
// process. Two things keep that report the same as a run in one process
// would give with the same seed; both are applied to a run in one process
// too, so that the two agree.

// inSourceOrder puts the merged report's specs in one order whatever process
// ran them and when: the order of the suite's source (file, line, then
// name), suite nodes after the specs. A run's reasons, failures and spec
// lists follow that order.
func inSourceOrder(r types.Report) types.Report {
	r.SpecReports = slices.Clone(r.SpecReports) // Ginkgo's own reporters keep theirs
	key := func(s types.SpecReport) (bool, string, int, string, int) {
		return s.LeafNodeType != types.NodeTypeIt, s.LeafNodeLocation.FileName, s.LeafNodeLocation.LineNumber, s.FullText(), s.ParallelProcess
	}
	slices.SortStableFunc(r.SpecReports, func(a, b types.SpecReport) int {
		a1, a2, a3, a4, a5 := key(a)
		b1, b2, b3, b4, b5 := key(b)
		if a1 != b1 {
			if a1 {
				return 1
			}
			return -1
		}
		return cmp.Or(cmp.Compare(a2, b2), cmp.Compare(a3, b3), cmp.Compare(a4, b4), cmp.Compare(a5, b5))
	})
	return r
}

// entryExact holds a spec's report entries as they were made, as JSON in a
// string. Ginkgo's parallel server decodes an entry's value into a map and
// encodes it again on its way to process 1, so a 64-bit integer comes out
// as the nearest float64: a property's seed (report.Property) would be
// reported wrong. A string comes through as it is.
const entryExact = "swr.exact-entries"

type exactEntry struct {
	Index int    `json:"i"`
	Name  string `json:"name"`
	JSON  string `json:"json"`
}

// keepExactEntries records the running spec's entries so far as
// entryExact, in a run of several processes (called in the top-level
// AfterEach; entries made after it are text, which comes through as it
// is).
func keepExactEntries() {
	if _, procs := parallelProcess(); procs <= 1 {
		return
	}
	if exact, ok := exactEntries(ginkgo.CurrentSpecReport().ReportEntries); ok {
		ginkgo.AddReportEntry(entryExact, exact, ginkgo.ReportEntryVisibilityNever)
	}
}

// exactEntries is the value of entryExact for a spec's entries: each one's
// value as JSON, with its place and name; false when there is none.
func exactEntries(entries types.ReportEntries) (string, bool) {
	var exact []exactEntry
	for i, e := range entries {
		if b, err := json.Marshal(e.Value.GetRawValue()); err == nil {
			exact = append(exact, exactEntry{i, e.Name, string(b)})
		}
	}
	if len(exact) == 0 {
		return "", false
	}
	b, err := json.Marshal(exact)
	if err != nil {
		return "", false
	}
	return string(b), true
}

// withExactEntries puts back the entries entryExact recorded, and drops
// entryExact itself.
func withExactEntries(r types.Report) types.Report {
	r.SpecReports = slices.Clone(r.SpecReports)
	for i := range r.SpecReports {
		s := &r.SpecReports[i]
		var exact []exactEntry
		entries := make(types.ReportEntries, 0, len(s.ReportEntries))
		for _, e := range s.ReportEntries {
			if e.Name != entryExact {
				entries = append(entries, e)
				continue
			}
			var text string
			if decodeEntry(e, &text) == nil {
				json.Unmarshal([]byte(text), &exact)
			}
		}
		for _, x := range exact {
			if x.Index < len(entries) && entries[x.Index].Name == x.Name {
				entries[x.Index].Value = types.ReportEntryValue{AsJSON: x.JSON, Representation: entries[x.Index].Value.Representation}
			}
		}
		s.ReportEntries = entries
	}
	return r
}

// merged is the report to judge and to write: entries as they were made,
// specs in the source's order.
func merged(r types.Report) types.Report { return inSourceOrder(withExactEntries(r)) }
