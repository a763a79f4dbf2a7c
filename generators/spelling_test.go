package generators

import (
	"encoding/json"
	"errors"
	"math/rand"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/swr-conformance/swr-conformance/internal/contract"
)

// Every form of writing a rune decodes to the rune: the escapes are the
// same text to any JSON decoder.
func TestEscapesDecodeToTheirRune(t *testing.T) {
	runes := "aZ0 ~\"\\/\b\f\n\r\t\x00\x1f\x7f<>&éΩ共\u2028\u2029😀𝄞\U0010FFFF"
	want := map[rune]map[escape]string{
		'r':  {escUnicode: `\u0072`, escUnicodeUpper: `\u0072`, escShort: `r`, escCanonical: `r`},
		'é':  {escUnicode: `\u00e9`, escUnicodeUpper: `\u00E9`, escCanonical: `é`},
		'😀':  {escUnicode: `\ud83d\ude00`, escUnicodeUpper: `\uD83D\uDE00`, escCanonical: `😀`},
		'/':  {escShort: `\/`, escCanonical: `/`},
		'"':  {escShort: `\"`, escUnicode: `\u0022`},
		'\b': {escShort: `\b`},
		'\f': {escShort: `\f`},
	}
	for _, c := range runes {
		for _, e := range []escape{escCanonical, escUnicode, escUnicodeUpper, escShort} {
			var b strings.Builder
			writeRune(&b, c, e)
			var got string
			if err := json.Unmarshal([]byte(`"`+b.String()+`"`), &got); err != nil || got != string(c) {
				t.Errorf("rune %U in form %d written %s decodes to %q (%v)", c, e, b.String(), got, err)
			}
			if w, ok := want[c][e]; ok && b.String() != w {
				t.Errorf("rune %U in form %d written %s, want %s", c, e, b.String(), w)
			}
		}
	}
	// The zero spelling writes what render writes, byte for byte.
	d := "a\"b\\c/d\ne\u2028<&>😀"
	fs := Body{AccessDomain: "acct", Permit: "read", Deadline: "forever", Description: &d}.fields(true)
	if got, want := (spelling{}).write(fs), render(fs); got != want {
		t.Errorf("zero spelling wrote %s, render %s", got, want)
	}
}

// spellingFeatures are what the spellings must cover, each as a test on the
// bytes sent.
var spellingFeatures = []struct {
	name string
	has  func(string) bool
}{
	{"compact", func(s string) bool { return !strings.ContainsAny(s, " \t\r\n") && !strings.Contains(s, `\u`) }},
	{"line break", func(s string) bool {
		return strings.Contains(s, "}\n") || strings.Contains(s, ",\n") || strings.Contains(s, "{\n")
	}},
	{"CRLF", func(s string) bool { return strings.Contains(s, "\r\n") }},
	{"tab", func(s string) bool { return regexp.MustCompile(`[,{:]\s*\t`).MatchString(s) }},
	{`" : " as on the pages`, func(s string) bool { return strings.Contains(s, `" : "`) }},
	{"pages' layout", func(s string) bool { return strings.Contains(s, "{\n  \"") && strings.Contains(s, `" : "`) }},
	{`\u escape`, func(s string) bool { return strings.Contains(s, `\u00`) }},
	{`upper-case \u escape`, func(s string) bool { return regexp.MustCompile(`\\u00[0-9A-F]*[A-F]`).MatchString(s) }},
	{"escaped key", func(s string) bool {
		return regexp.MustCompile(`"[a-z_]*\\u00[0-9a-fA-F]{2}[a-z_]*"\s*:`).MatchString(s)
	}},
	{"surrogate pair", func(s string) bool {
		return regexp.MustCompile(`(?i)\\ud8[0-9a-f]{2}\\udc[0-9a-f]{2}|\\ud83[cd]\\ud[cde][0-9a-f]{2}`).MatchString(s)
	}},
	{`\/`, func(s string) bool { return strings.Contains(s, `\/`) }},
	{`\"`, func(s string) bool { return strings.Contains(s, `\"`) }},
	{`\\`, func(s string) bool { return strings.Contains(s, `\\`) }},
	{"non-ASCII UTF-8", func(s string) bool { return strings.ContainsAny(s, "éüñßΩ共享镜像✓") }},
	{"emoji in UTF-8", func(s string) bool { return strings.ContainsAny(s, "😀🎉𝄞") }},
}

// Every spelled valid body decodes to the value it was drawn as, holds,
// and the spellings cover every way of writing the contract names.
func TestSpelledValidBodiesDecodeToTheirValue(t *testing.T) {
	oneGoroutineOnly(t)
	r := rand.New(rand.NewSource(11))
	valid := ValidBodies(testAccount)
	for _, create := range []bool{true, false} {
		check := contract.UpdateBody
		if create {
			check = contract.CreateBody
		}
		texts := make([]string, testSamples)
		reordered := 0
		for i := range texts {
			b := drawFrom[Body](valid, r)
			fs := b.fields(create)
			sp := drawSpelling(r, fs)
			texts[i] = sp.write(fs)
			got, err := ParseBody([]byte(texts[i]))
			if !create {
				got.AccessDomain = b.AccessDomain
			}
			if err != nil || !reflect.DeepEqual(got, b) {
				t.Fatalf("%s decodes to %+v (%v), drawn as %+v", texts[i], got, err, b)
			}
			if v, ok := compactValue([]byte(texts[i])); !ok || v != render(fs) {
				t.Fatalf("%s: compact value %s, want %s", texts[i], v, render(fs))
			}
			if v := check([]byte(texts[i]), time.Now()); !v.Valid() {
				t.Fatalf("%s: %v", texts[i], v)
			}
			if len(sp.order) > 0 && sp.ordered(fs)[0].key != fs[0].key {
				reordered++
			}
		}
		for _, f := range spellingFeatures {
			if n := count(texts, f.has); n < atLeast {
				t.Errorf("create=%v: %s in %d of %d bodies", create, f.name, n, testSamples)
			}
		}
		if reordered < testSamples/10 {
			t.Errorf("create=%v: %d of %d bodies in another order than the pages'", create, reordered, testSamples)
		}
		if n := count(texts, spellingFeatures[0].has); n > testSamples/2 {
			t.Errorf("create=%v: %d of %d bodies compact: spellings are too rare", create, n, testSamples)
		}
	}
}

// The inputs the specs use: every sample holds and decodes (ParseBody) to
// the value DescribeBody shows.
func TestValidBodyInputs(t *testing.T) {
	for _, in := range []Inputs{ValidCreateBodies(testAccount), ValidUpdateBodies(testAccount)} {
		inputs, _, err := draw(in, 5, 500)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range append(inputs, in.Boundary...) {
			b, err := ParseBody([]byte(s))
			if err != nil {
				t.Fatal(err)
			}
			want := string(b.UpdateJSON())
			if in.Label == "valid create body" {
				want = string(b.CreateJSON())
			}
			if v, _ := compactValue([]byte(s)); v != want {
				t.Errorf("%s: value %s, decoded body %s", in.Label, v, want)
			}
			if !strings.Contains(in.Describe(s), want) {
				t.Errorf("%s: %s does not show the value %s", in.Label, in.Describe(s), want)
			}
		}
	}
}

// An invalid body breaks its rule, and only it, in every spelling: its
// compact spelling (the value it encodes) gets the same verdict, and the
// field-defect classes are spelled as valid bodies are.
func TestSpelledInvalidBodiesKeepTheirRule(t *testing.T) {
	oneGoroutineOnly(t)
	now := time.Now()
	for _, create := range []bool{true, false} {
		rules, check := UpdateBodyRules(), contract.UpdateBody
		if create {
			rules, check = CreateBodyRules(), contract.CreateBody
		}
		for _, rule := range rules {
			in := InvalidUpdateBodies
			if create {
				in = func(r contract.Rule) Inputs { return InvalidCreateBodies(r, testAccount) }
			}
			class := in(rule)
			inputs, _, err := draw(class, 9, 600)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range inputs {
				compact, ok := compactValue([]byte(s))
				if !ok {
					continue // not JSON: no value to compare
				}
				if got, want := check([]byte(compact), now), check([]byte(s), now); !reflect.DeepEqual(got, want) {
					t.Errorf("%s: %s is %v, its value written compactly %v", rule, DescribeBody(s), want, got)
				}
			}
			if rule == contract.BodyMalformed || rule == contract.BodyNotObject {
				continue
			}
			for _, f := range spellingFeatures[:9] {
				if n := count(inputs, f.has); n == 0 {
					t.Errorf("create=%v %s: no body with %s in %d", create, rule, f.name, len(inputs))
				}
			}
		}
	}
	// A pretty-printed permit "write" is still the permit rule's case.
	in := InvalidCreateBodies(contract.BodyPermitNotRead, testAccount)
	found := false
	for _, s := range in.Boundary {
		found = found || strings.Contains(s, "\n  \"permit\" : \"write\",\n")
	}
	if !found {
		t.Errorf("no boundary case of %s in the pages' layout: %q", contract.BodyPermitNotRead, in.Boundary)
	}
}

// The pages' example requests, as reproduced in seeds/ and part one of the
// contract document, with the account and deadline a run puts in.
const (
	pagePOSTExample = "{\n" +
		"  \"access_domain\" : \"ACCOUNT\",\n" +
		"  \"permit\" : \"read\",\n" +
		"  \"deadline\" : \"2045-10-01T16:00:00.000Z\",\n" +
		"  \"description\" : \"description\"\n" +
		"}"
	pagePATCHExample = "{\n" +
		"  \"permit\" : \"read\",\n" +
		"  \"deadline\" : \"2045-10-01T16:00:00.000Z\",\n" +
		"  \"description\" : \"description\"\n" +
		"}"
)

// The examples of the pages are boundary cases, byte for byte, and so are
// the same bodies with the members reversed.
func TestPageExamplesAreBoundaryCases(t *testing.T) {
	post := strings.Replace(pagePOSTExample, "ACCOUNT", testAccount, 1)
	for _, c := range []struct {
		in   Inputs
		want []string
	}{
		{ValidCreateBodies(testAccount), []string{post,
			"{\n  \"description\" : \"description\",\n  \"deadline\" : \"2045-10-01T16:00:00.000Z\",\n  \"permit\" : \"read\",\n  \"access_domain\" : \"" + testAccount + "\"\n}"}},
		{ValidUpdateBodies(testAccount), []string{pagePATCHExample,
			"{\n  \"description\" : \"description\",\n  \"deadline\" : \"2045-10-01T16:00:00.000Z\",\n  \"permit\" : \"read\"\n}"}},
	} {
		if !reflect.DeepEqual(c.in.Boundary, c.want) {
			t.Errorf("%s: boundary %q, want %q", c.in.Label, c.in.Boundary, c.want)
		}
		for _, s := range c.in.Boundary {
			if !c.in.Holds(s) {
				t.Errorf("%s: boundary %q does not hold", c.in.Label, s)
			}
		}
	}
	// Only the account and the deadline differ from the document.
	for heading, example := range map[string]string{"Example request (POST)": strings.Replace(post, testAccount, "demo", 1), "Example request (PATCH)": pagePATCHExample} {
		text, _ := contract.Section(heading)
		if page := strings.Replace(example, PageExampleDeadline, "2018-10-01T16:00:00.000Z", 1); !strings.Contains(text, page) {
			t.Errorf("the contract's %s does not hold\n%s", heading, page)
		}
	}
}

// A failure shows the value and the bytes.
func TestDescribeBody(t *testing.T) {
	for in, want := range map[string]string{
		`{"permit":"read","deadline":"forever"}`:                   `value {"permit":"read","deadline":"forever"}, sent exactly so`,
		"{\"deadline\" : \"forever\",\n\"p\\u0065rmit\":\"read\"}": `value {"permit":"read","deadline":"forever"}, bytes sent "{\"deadline\" : \"forever\",\n\"p\\u0065rmit\":\"read\"}"`,
		`{"permit":"read","deadline":1e3,"x":[1, "\u0061"]}`:       `value {"permit":"read","deadline":1e3,"x":[1,"a"]}, bytes sent "{\"permit\":\"read\",\"deadline\":1e3,\"x\":[1, \"\\u0061\"]}"`,
		`{"permit":`: `bytes sent "{\"permit\":" (not JSON)`,
	} {
		if got := DescribeBody(in); got != want {
			t.Errorf("DescribeBody(%q)\n got %s\nwant %s", in, got, want)
		}
	}
	f := &Failure{Label: "valid update body", Original: "{ \"permit\":\"read\",\"deadline\":\"forever\"}", Shrunk: `{"permit":"read","deadline":"forever"}`,
		Shrinks: 1, Err: errors.New("boom"), Seed: 3, Describe: DescribeBody}
	if msg := f.Error(); !strings.Contains(msg, `counterexample value {"permit":"read","deadline":"forever"}, sent exactly so (valid update body), shrunk in 1 steps from value {"permit":"read","deadline":"forever"}, bytes sent "{ \"permit\"`) {
		t.Errorf("failure message: %s", msg)
	}
}

// shrunkFor runs the property runner over in's random cases with a check
// that fails the bodies fails picks, and returns the shrunk counterexample.
func shrunkFor(t *testing.T, in Inputs, seed int64, fails func(string) bool) string {
	t.Helper()
	in.Boundary = nil // boundary cases are not shrunk
	var outside []string
	out := Check(Params{Seed: seed, Cases: 100}, in, func(s string) error {
		if !in.Holds(s) {
			outside = append(outside, s)
		}
		if fails(s) {
			return errors.New("refused")
		}
		return nil
	})
	if len(outside) > 0 {
		t.Fatalf("%s: checked inputs outside the class: %q", in.Label, outside)
	}
	if out.Failure == nil {
		t.Fatalf("%s, seed %d: no case failed", in.Label, seed)
	}
	return out.Failure.Shrunk
}

// A failure shrinks to the plainest value in the compact spelling, keeping
// of the spelling only what the failure needs: one line break, one escape,
// one pair of members out of order.
func TestSpelledBodiesShrinkToTheLeastSpelling(t *testing.T) {
	oneGoroutineOnly(t)
	lineBreak := func(s string) bool { return strings.ContainsAny(s, "\r\n") }
	// escaped: more escape sequences than the compact spelling has.
	escaped := func(s string) bool {
		v, _ := compactValue([]byte(s))
		return escapeSequences(s) > escapeSequences(v)
	}
	// plainEnough: the plainest value, or (where the failure needs what a
	// description holds: an escape, a member out of order) that value with
	// a description of one character at most.
	plainEnough := func(got, plainest string) bool {
		b, err := ParseBody([]byte(got))
		if err != nil {
			return false
		}
		// A failure that needs an escape in the deadline keeps the
		// deadline: "forever" could hold the escape, but not the same one.
		escapedDeadline := !strings.Contains(got, jsonString(b.Deadline))
		switch {
		case b.Deadline != contract.Forever && !escapedDeadline:
			return false
		case b.Description != nil:
			return len([]rune(*b.Description)) <= 1
		case escapedDeadline:
			return true
		}
		v, _ := compactValue([]byte(got))
		return v == plainest
	}
	for _, c := range []struct {
		in       Inputs
		create   bool
		plainest string
	}{
		{ValidCreateBodies("acct"), true, `{"access_domain":"acct","permit":"read","deadline":"forever"}`},
		{ValidUpdateBodies("acct"), false, `{"permit":"read","deadline":"forever"}`},
	} {
		for seed := int64(1); seed <= 10; seed++ {
			if got := shrunkFor(t, c.in, seed, func(string) bool { return true }); got != c.plainest {
				t.Errorf("%s, seed %d: always failing shrank to %q, want %s", c.in.Label, seed, got, c.plainest)
			}
			got := shrunkFor(t, c.in, seed, lineBreak)
			if strings.NewReplacer("\r", "", "\n", "").Replace(got) != c.plainest || len(got) != len(c.plainest)+1 {
				t.Errorf("%s, seed %d: failing on line breaks shrank to %q, want %s with one line break", c.in.Label, seed, got, c.plainest)
			}
			got = shrunkFor(t, c.in, seed, escaped)
			v, _ := compactValue([]byte(got))
			if !plainEnough(got, c.plainest) || escapeSequences(got) != escapeSequences(v)+1 || strings.ContainsAny(got, " \t\r\n") {
				t.Errorf("%s, seed %d: failing on escapes shrank to %q, want %s with one escape", c.in.Label, seed, got, c.plainest)
			}
			pagesOrderOf := func(s string) string {
				b, _ := ParseBody([]byte(s))
				b.AccessDomain = "acct"
				return render(b.fields(c.create))
			}
			outOfOrder := func(s string) bool { return keysWritten(s) != keysWritten(pagesOrderOf(s)) }
			got = shrunkFor(t, c.in, seed, outOfOrder)
			if v, _ := compactValue([]byte(got)); !plainEnough(got, c.plainest) || !outOfOrder(got) || len(got) != len(v) || oneSwap(keysWritten(got), keysWritten(v)) != true {
				t.Errorf("%s, seed %d: failing on member order shrank to %q, want %s with one pair swapped", c.in.Label, seed, got, c.plainest)
			}
		}
	}
	// A failure the description causes keeps one character of it.
	got := shrunkFor(t, ValidUpdateBodies("acct"), 1, func(s string) bool {
		b, _ := ParseBody([]byte(s))
		return b.Description != nil && strings.ContainsAny(*b.Description, "éüñßΩ共享镜像✓😀🎉𝄞")
	})
	if b, _ := ParseBody([]byte(got)); b.Description == nil || len([]rune(*b.Description)) != 1 || b.Deadline != contract.Forever || got != string(b.UpdateJSON()) {
		t.Errorf("failing on non-ASCII descriptions shrank to %q, want one non-ASCII character, compact", got)
	}
}

// escapeSequences counts the escape sequences in the strings of a JSON
// text; a surrogate pair, which writes one character, counts once.
func escapeSequences(s string) int {
	s = surrogatePair.ReplaceAllString(s, `\x`)
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' {
			n++
			i++
		}
	}
	return n
}

var surrogatePair = regexp.MustCompile(`(?i)\\ud[89ab][0-9a-f]{2}\\ud[c-f][0-9a-f]{2}`)

// oneSwap reports whether the comma-separated lists a and b differ by one
// swap of neighbours.
func oneSwap(a, b string) bool {
	x, y := strings.Split(a, ","), strings.Split(b, ",")
	if len(x) != len(y) {
		return false
	}
	for i := 0; i+1 < len(x); i++ {
		x[i], x[i+1] = x[i+1], x[i]
		if strings.Join(x, ",") == b {
			return true
		}
		x[i], x[i+1] = x[i+1], x[i]
	}
	return false
}

// keysWritten is the keys of a JSON object in the order written.
func keysWritten(s string) string {
	var keys []string
	for _, m := range regexp.MustCompile(`"((?:[^"\\]|\\.)*)"\s*:`).FindAllStringSubmatch(s, -1) {
		var k string
		_ = json.Unmarshal([]byte(`"`+m[1]+`"`), &k)
		keys = append(keys, k)
	}
	return strings.Join(keys, ",")
}

// Invalid bodies shrink first to their compact spelling, then byte by
// byte: a counterexample that fails whatever it holds ends compact, in
// the pages' order, and still breaks its rule.
func TestSpelledInvalidBodiesShrinkToCompact(t *testing.T) {
	in := InvalidUpdateBodies(contract.BodyPermitNotRead)
	for seed := int64(1); seed <= 10; seed++ {
		got := shrunkFor(t, in, seed, func(string) bool { return true })
		if keys := keysWritten(got); strings.ContainsAny(got, " \t\r\n") || strings.Contains(got, `\u`) || strings.Index(keys, "permit") > strings.Index(keys, "deadline") {
			t.Errorf("seed %d: shrank to %q, want compact, permit before deadline", seed, got)
		}
	}
}
