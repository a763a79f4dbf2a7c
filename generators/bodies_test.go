package generators

import (
	"encoding/json"
	"math/rand"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/leanovate/gopter"

	"github.com/swr-conformance/swr-conformance/internal/contract"
)

const testAccount = "suite-account"

func TestBodyRules(t *testing.T) {
	if len(CreateBodyRules()) != 12 || len(UpdateBodyRules()) != 9 {
		t.Fatalf("rules: %v / %v", CreateBodyRules(), UpdateBodyRules())
	}
	for _, r := range UpdateBodyRules() {
		if strings.HasPrefix(string(r), "body.access-domain") {
			t.Errorf("update rules include %s", r)
		}
	}
	for _, bad := range []func(){
		func() { InvalidUpdateBodies(contract.BodyAccessDomainMissing) },
		func() { InvalidCreateBodies(contract.NSTooLong, testAccount) },
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

func TestValidBodies(t *testing.T) {
	p := gopter.DefaultGenParameters()
	p.Rng = rand.New(rand.NewSource(3))
	described, empty := 0, 0
	for i := 0; i < testSamples; i++ {
		b := ValidBodies(testAccount)(p.WithSize(i % 101)).Result.(Body)
		if b.AccessDomain != testAccount || b.Permit != contract.ReadPermit {
			t.Fatalf("body %+v", b)
		}
		if v := contract.CreateBody(b.CreateJSON(), time.Now()); !v.Valid() {
			t.Errorf("create %s: %v", b.CreateJSON(), v)
		}
		if v := contract.UpdateBody(b.UpdateJSON(), time.Now()); !v.Valid() {
			t.Errorf("update %s: %v", b.UpdateJSON(), v)
		}
		var m map[string]any
		if err := json.Unmarshal(b.UpdateJSON(), &m); err != nil || m[contract.FieldAccessDomain] != nil {
			t.Fatalf("update %s: %v", b.UpdateJSON(), err)
		}
		if b.Description != nil {
			described++
			if *b.Description == "" {
				empty++
			}
		}
	}
	if described < testSamples/3 || described > testSamples*5/6 || empty < atLeast {
		t.Errorf("%d of %d bodies described, %d empty", described, testSamples, empty)
	}
	// Sharing needs '<', '>' and '&' to reach the server unescaped.
	d := "<&>"
	if got := string(Body{Permit: "read", Deadline: "forever", Description: &d}.UpdateJSON()); got != `{"permit":"read","deadline":"forever","description":"<&>"}` {
		t.Errorf("UpdateJSON = %s", got)
	}
}

func TestDeadlineCoverage(t *testing.T) {
	samples := samplesOf(t, ValidDeadlines())
	need := func(what string, f func(string) bool) {
		t.Helper()
		if n := count(samples, f); n < atLeast {
			t.Errorf("valid deadline: %s in %d of %d samples", what, n, testSamples)
		}
	}
	need("forever", func(s string) bool { return s == contract.Forever })
	need("no fraction", func(s string) bool { return len(s) == len("2040-01-01T00:00:00Z") })
	for n := 1; n <= 9; n++ {
		need("fraction of "+string(rune('0'+n))+" digits", func(s string) bool { return len(s) == len("2040-01-01T00:00:00.Z")+n })
	}
	for _, sub := range []string{"-02-29T", "-31T", "T23:59:59", "T00:00:00", "2040-", "2099-"} {
		need(sub, func(s string) bool { return strings.Contains(s, sub) })
	}

	// Each impossible field, and each contract example, reaches the invalid class.
	deadlines := map[string]bool{}
	for _, b := range samplesOf(t, InvalidUpdateBodies(contract.BodyDeadlineInvalid)) {
		var m map[string]string
		if err := json.Unmarshal([]byte(b), &m); err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		deadlines[m[contract.FieldDeadline]] = true
	}
	for _, pattern := range []string{"-00-", "-13-", "-00T", "-32T", "-02-30T", "-04-31T", "-02-29T", "T24:", ":60:", ":61"} {
		found := false
		for d := range deadlines {
			found = found || strings.Contains(d, pattern)
		}
		if !found {
			t.Errorf("no invalid deadline with %q", pattern)
		}
	}
	for _, d := range []string{"tomorrow", "", "1538409600", "2030-10-01 16:00:00"} {
		if !deadlines[d] {
			t.Errorf("invalid deadline %q never drawn", d)
		}
	}
}

func TestDescriptionCoverage(t *testing.T) {
	in := ValidDescriptions()
	samples := samplesOf(t, in)
	for _, c := range []struct {
		what string
		f    func(string) bool
	}{
		{"empty", func(s string) bool { return s == "" }},
		{"64 runes", func(s string) bool { return utf8.RuneCountInString(s) == contract.DescriptionPinnedLen }},
		{"non-ASCII", func(s string) bool { return strings.ContainsAny(s, "é共享") }},
		{`"`, func(s string) bool { return strings.Contains(s, `"`) }},
		{`\`, func(s string) bool { return strings.Contains(s, `\`) }},
		{"/", func(s string) bool { return strings.Contains(s, "/") }},
		{"newline", func(s string) bool { return strings.Contains(s, "\n") }},
	} {
		if n := count(samples, c.f); n < atLeast {
			t.Errorf("valid description: %s in %d of %d samples", c.what, n, testSamples)
		}
	}
	for _, want := range []string{"", strings.Repeat("x", contract.DescriptionPinnedLen)} {
		if !strings.Contains(strings.Join(in.Boundary, "\x00")+"\x00", want+"\x00") {
			t.Errorf("boundary lacks %q", want)
		}
	}
}

// Every class holds; the defects are spread over every way to break a field.
// dropSpace takes the white space between a body's tokens out.
var dropSpace = strings.NewReplacer(" ", "", "\n", "", "\t", "")

func TestInvalidBodies(t *testing.T) {
	oneGoroutineOnly(t)
	classes := []Inputs{}
	for _, r := range CreateBodyRules() {
		classes = append(classes, InvalidCreateBodies(r, testAccount))
	}
	for _, r := range UpdateBodyRules() {
		classes = append(classes, InvalidUpdateBodies(r))
	}
	for _, in := range classes {
		samples := samplesOf(t, in)
		distinct := map[string]bool{}
		for _, s := range samples {
			distinct[s] = true
		}
		if len(distinct) < 50 {
			t.Errorf("%s: only %d distinct samples", in.Label, len(distinct))
		}
		if strings.HasSuffix(in.Label, "-type") {
			spaceless := make([]string, len(samples))
			for i, s := range samples {
				spaceless[i] = dropSpace.Replace(s)
			}
			for _, kind := range []string{":null", ":[", ":{", ":true", ":false", ":0", ":-"} {
				if in.Label == string(contract.BodyDescriptionType) && kind == ":null" {
					continue
				}
				if count(spaceless, func(s string) bool { return strings.Contains(s, kind) }) == 0 {
					t.Errorf("%s: no value like %q", in.Label, kind)
				}
			}
		}
	}
}

// A valid body that fails whatever it holds shrinks to the plainest valid
// body: no description, deadline "forever" (a counterexample a person can
// read at a glance).
func TestValidBodiesShrinkToThePlainest(t *testing.T) {
	for _, in := range []Inputs{ValidCreateBodies("acct"), ValidUpdateBodies("acct")} {
		plainest := `{"permit":"read","deadline":"forever"}`
		if in.Label == "valid create body" {
			plainest = `{"access_domain":"acct","permit":"read","deadline":"forever"}`
		}
		for seed := int64(1); seed <= 20; seed++ {
			res := in.Gen(gopter.DefaultGenParameters().CloneWithSeed(seed))
			s := res.Result.(string)
			for steps := 0; steps < 100; steps++ {
				next, ok := res.Shrinker(s).Filter(func(v any) bool { return in.Holds(v.(string)) })()
				if !ok {
					break
				}
				s = next.(string)
			}
			if s != plainest {
				t.Errorf("%s, seed %d: %q shrank to %q, want the plainest valid body %s", in.Label, seed, res.Result, s, plainest)
			}
		}
	}
}

// The plainest variants come first, so one shrinking step already drops
// what a failure does not need.
func TestPlainerBodiesOrder(t *testing.T) {
	d := "shared by ACME"
	got := PlainerBodies(Body{AccessDomain: "a", Permit: "read", Deadline: "2045-10-01T16:00:00Z", Description: &d})
	if len(got) < 2 || got[0].Description != nil || got[0].Deadline != "2045-10-01T16:00:00Z" || got[1].Deadline != "forever" || got[1].Description == nil {
		t.Fatalf("PlainerBodies = %+v: want first the body without description, then the one with deadline forever", got)
	}
	if n := len(PlainerBodies(Body{AccessDomain: "a", Permit: "read", Deadline: "forever"})); n != 0 {
		t.Errorf("the plainest body has %d plainer variants, want none", n)
	}
}
