package generators

import (
	"math/rand"
	"reflect"
	"strings"
	"testing"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"

	"github.com/swr-conformance/swr-conformance/internal/contract"
)

const testSamples = 3000

// atLeast is the share of samples (1%) a boundary feature must reach.
const atLeast = testSamples / 100

// oneGoroutineOnly skips t under the race detector. t draws thousands of
// inputs in one goroutine: the detector, which finds races between
// goroutines, has none to find there, and takes about seven times as long
// (25 s instead of 4 for TestInvalidBodies). make test runs this package a
// second time without -race, where these tests run; the tests of Check's
// concurrent cases keep running under -race.
func oneGoroutineOnly(t *testing.T) {
	t.Helper()
	if raceDetector {
		t.Skip("one goroutine and thousands of inputs: runs without -race (go test ./generators; make test does)")
	}
}

// samplesOf draws testSamples strings with a fixed seed and sizes 0..100, and
// checks the properties every class promises: each sample and boundary entry
// holds, and each result shrinks with gen.StringShrinker or, for a spelled
// body, first to its compact spelling (see spelledShrinker).
func samplesOf(t *testing.T, in Inputs) []string {
	t.Helper()
	p := gopter.DefaultGenParameters()
	p.Rng = rand.New(rand.NewSource(20261123))
	stringShrinker := reflect.ValueOf(gopter.Shrinker(gen.StringShrinker)).Pointer()
	out := make([]string, testSamples)
	bad := 0
	for i := range out {
		res := in.Gen(p.WithSize(i % 101))
		v, ok := res.Retrieve()
		if !ok {
			t.Fatalf("%s: sample %d not retrievable", in.Label, i)
		}
		out[i] = v.(string)
		if reflect.ValueOf(res.Shrinker).Pointer() != stringShrinker {
			if compact, ok := compactValue([]byte(out[i])); !ok || !shrinksFirstTo(res, out[i], compact) {
				t.Fatalf("%s: sample %d (%s) shrinks neither with gen.StringShrinker nor first to its compact spelling", in.Label, i, DescribeBody(out[i]))
			}
		}
		if !in.Holds(out[i]) && bad < 5 {
			bad++
			t.Errorf("%s: sample %s does not hold", in.Label, contract.Describe(out[i]))
		}
	}
	if len(in.Boundary) == 0 {
		t.Errorf("%s: no boundary cases", in.Label)
	}
	for _, s := range in.Boundary {
		if !in.Holds(s) {
			t.Errorf("%s: boundary %s does not hold", in.Label, contract.Describe(s))
		}
	}
	return out
}

type nameClass struct {
	spec nameSpec
	in   Inputs
}

func nameClasses() []nameClass {
	cs := []nameClass{{namespaceSpec, ValidNamespaces()}, {repositorySpec, ValidRepositories()}}
	for _, r := range contract.Namespace.Rules() {
		cs = append(cs, nameClass{namespaceSpec, InvalidNamespaces(r)})
	}
	for _, r := range contract.Repository.Rules() {
		cs = append(cs, nameClass{repositorySpec, InvalidRepositories(r)})
	}
	return cs
}

func count(xs []string, f func(string) bool) int {
	n := 0
	for _, x := range xs {
		if f(x) {
			n++
		}
	}
	return n
}

func TestNameRules(t *testing.T) {
	if len(contract.Namespace.Rules()) != 6 || len(contract.Repository.Rules()) != 6 {
		t.Fatalf("rules: %v / %v", contract.Namespace.Rules(), contract.Repository.Rules())
	}
	for _, bad := range []func(){
		func() { InvalidNamespaces(contract.NSEmpty) },
		func() { InvalidNamespaces(contract.RepoTooLong) },
		func() { InvalidRepositories(contract.RepoEmpty) },
		func() { InvalidRepositories(contract.BodyMalformed) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Error("a rule without a generator did not panic")
				}
			}()
			bad()
		}()
	}
}

// The features each class exists to reach, each in at least 1% of samples
// (or, for sets of characters and pairs, each member at least once).
func TestNameCoverage(t *testing.T) {
	for _, c := range nameClasses() {
		k, in := c.spec, c.in
		samples := samplesOf(t, in)
		need := func(what string, f func(string) bool) {
			t.Helper()
			if n := count(samples, f); n < atLeast {
				t.Errorf("%s: %s in %d of %d samples, want ≥ %d", in.Label, what, n, testSamples, atLeast)
			}
		}
		lenIs := func(n int) func(string) bool { return func(s string) bool { return len(s) == n } }
		switch in.Label {
		case "valid " + k.Name:
			need("length 1", lenIs(1))
			need("maximum length", lenIs(k.MaxLen))
			for _, sep := range k.Separators {
				need("separator "+string(sep), func(s string) bool { return strings.ContainsRune(s, sep) })
			}
			need(`"__"`, func(s string) bool { return strings.Contains(s, "__") })
			need("digits", func(s string) bool { return strings.ContainsAny(s, digitChars) })
			if k.Repository {
				need("≥ 2 '/'", func(s string) bool { return strings.Count(s, "/") >= 2 })
				need("digit first", func(s string) bool { return strings.IndexByte(digitChars, s[0]) >= 0 })
			}
		case string(k.TooLong):
			need("length max+1", lenIs(k.MaxLen+1))
			need("length ≥ 2·max", func(s string) bool { return len(s) >= 2*k.MaxLen })
		default:
			need("maximum length", lenIs(k.MaxLen))
		}
		switch in.Label {
		case string(k.FirstChar), string(k.LastChar):
			atEdge := strings.HasSuffix
			if in.Label == string(k.FirstChar) {
				atEdge = strings.HasPrefix
			}
			for _, tok := range k.edgeTokens() {
				need("edge "+tok, func(s string) bool { return atEdge(s, tok) })
			}
			if in.Label == string(k.FirstChar) && !k.Repository {
				need("digit first", func(s string) bool { return strings.IndexByte(digitChars, s[0]) >= 0 })
				need("length 1", lenIs(1))
			}
		case string(contract.NameInvalidChar):
			upper, punct := k.badChars()
			need("upper case", func(s string) bool { return strings.ContainsAny(s, upper) })
			need("punctuation", func(s string) bool { return strings.ContainsAny(s, punct) })
			need("length 3", lenIs(3))
			for _, c := range upper + punct {
				if count(samples, func(s string) bool { return strings.ContainsRune(s, c) }) == 0 {
					t.Errorf("%s: %q never drawn", in.Label, c)
				}
			}
			if k.Repository && strings.Contains(punct, "$") || strings.ContainsAny(punct, `/?#%\ `) {
				t.Errorf("%s: structural characters among %q", in.Label, punct)
			}
		case string(contract.NameAdjacentSeparators):
			for _, p := range k.sepPairs() {
				if count(samples, func(s string) bool { return strings.Contains(s, p) }) == 0 {
					t.Errorf("%s: pair %q never drawn", in.Label, p)
				}
			}
			need("run of ≥ 3", func(s string) bool { return strings.ContainsAny(s, k.Separators) && longestSepRun(s) >= 3 })
			need("length 4", lenIs(4))
		case string(contract.NameTripleUnderscore):
			need("length 5", lenIs(5))
			need(`"____"`, func(s string) bool { return strings.Contains(s, "____") })
		}
	}
}

func longestSepRun(s string) int {
	best, run := 0, 0
	for i := 0; i < len(s); i++ {
		if isSep(s[i]) {
			run++
			best = max(best, run)
		} else {
			run = 0
		}
	}
	return best
}

// shrinkToFixedPoint shrinks as the runner does: keep the first shrunk value
// that still holds, until none does.
func shrinkToFixedPoint(s string, holds func(string) bool) string {
	for {
		next, ok := gen.StringShrinker(s).Filter(func(v interface{}) bool { return holds(v.(string)) })()
		if !ok {
			return s
		}
		s = next.(string)
	}
}

func TestNameShrinking(t *testing.T) {
	for _, c := range nameClasses() {
		in := c.in
		p := gopter.DefaultGenParameters()
		p.Rng = rand.New(rand.NewSource(7))
		for i := 0; i < 50; i++ {
			s := in.Gen(p).Result.(string)
			got := shrinkToFixedPoint(s, in.Holds)
			if !in.Holds(got) {
				t.Errorf("%s: %q shrank to %q, which does not hold", in.Label, s, got)
			}
			if in.Label == string(c.spec.TooLong) && len(got) != c.spec.MaxLen+1 {
				t.Errorf("%s: %q shrank to length %d, want %d", in.Label, s, len(got), c.spec.MaxLen+1)
			}
		}
	}
}

func TestStructureBreakingNames(t *testing.T) {
	for _, k := range contract.NameKinds {
		for _, s := range StructureBreakingNames(k) {
			if contract.OrdinarySegment(k.Wire(s)) || k.Check(s).Valid() {
				t.Errorf("%s %q: ordinary segment or valid", k.Name, s)
			}
		}
	}
}

// shrinksFirstTo reports whether the first candidate res's shrinker offers
// for sample is want; a sample that is want already needs no candidate.
func shrinksFirstTo(res *gopter.GenResult, sample, want string) bool {
	if sample == want {
		return true
	}
	first, ok := res.Shrinker(sample)()
	return ok && first == want
}
