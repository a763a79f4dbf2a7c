package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/swr-conformance/swr-conformance/internal/contract"
	"github.com/swr-conformance/swr-conformance/suites/swrspec"
)

// The requirement catalogue and the specs stay in step: every requirement
// has at least one spec, every spec checks at least one requirement, and no
// spec carries a label that is neither a requirement nor a group (but for
// the one Ginkgo gives a spec marked Serial).
func TestCatalogueMatchesSpecs(t *testing.T) {
	dir := bin(t)
	report := filepath.Join(t.TempDir(), "dry.json")
	code, out := runSuite(t, dir, nil, "-ginkgo.dry-run", "-ginkgo.json-report="+report)
	if code != 0 {
		t.Fatalf("dry run failed (%d):\n%s", code, tail(out))
	}
	b, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	var reports []types.Report
	if err := json.Unmarshal(b, &reports); err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	byID := map[string]contract.Requirement{}
	for _, r := range contract.All() {
		if known[r.ID] {
			t.Errorf("requirement %s is in the catalogue twice", r.ID)
		}
		known[r.ID] = true
		byID[r.ID] = r
	}
	specsPer := map[string]int{}
	specs := 0
	for _, r := range reports {
		for _, s := range r.SpecReports {
			if s.LeafNodeType != types.NodeTypeIt {
				continue
			}
			specs++
			ids := 0
			for _, l := range s.Labels() {
				switch {
				case known[l]:
					specsPer[l]++
					ids++
				case l == "Serial" && s.IsSerial:
					// Ginkgo's own label of a spec marked Serial.
				case contract.Groups[contract.Group(l)] == "":
					t.Errorf("spec %q has label %q, neither a requirement nor a group", s.FullText(), l)
				}
			}
			if ids == 0 {
				t.Errorf("spec %q checks no requirement", s.FullText())
			}
			// Declared with swrspec.ItChecks: the first label is the
			// requirement the spec is named after.
			if len(s.LeafNodeLabels) == 0 || !strings.HasPrefix(s.LeafNodeText, swrspec.Name(byID[s.LeafNodeLabels[0]], "")) {
				t.Errorf("spec %q is not named after its first requirement %v: declare it with swrspec.ItChecks", s.FullText(), s.LeafNodeLabels)
			}
		}
	}
	var counts []string
	for _, r := range contract.All() {
		if specsPer[r.ID] == 0 {
			t.Errorf("requirement %s (%s) has no spec", r.ID, r.Text)
		}
		counts = append(counts, r.ID+"="+itoa(specsPer[r.ID]))
	}
	sort.Strings(counts)
	t.Logf("%d requirements, %d specs; specs per requirement: %s", len(known), specs, strings.Join(counts, " "))
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
