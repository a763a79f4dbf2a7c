package generators

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"

	"github.com/swr-conformance/swr-conformance/internal/contract"
)

// Valid deadlines stay in these years: far enough ahead that no run of the
// suite sees them in the past (a past deadline is not pinned).
const (
	firstDeadlineYear = 2040
	lastDeadlineYear  = 2099
)

func daysIn(year, month int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func timestamp(y, mo, d, h, mi, s int, frac string) string {
	return fmt.Sprintf("%04d-%02d-%02dT%02d:%02d:%02d%sZ", y, mo, d, h, mi, s, frac)
}

// fraction is empty or 1 to 9 fractional digits, with the contract's three
// digits and the extremes over-represented.
func fraction(r *rand.Rand) string {
	if r.Intn(5) < 2 {
		return ""
	}
	n := oneOf(r, 1, 3, 9, 1+r.Intn(9), 1+r.Intn(9))
	d := make([]byte, n)
	fill := oneOf(r, byte(0), '0', '9')
	for i := range d {
		if d[i] = fill; fill == 0 {
			d[i] = digitChars[r.Intn(10)]
		}
	}
	return "." + string(d)
}

func validTimestamp(r *rand.Rand) string {
	y := firstDeadlineYear + r.Intn(lastDeadlineYear-firstDeadlineYear+1)
	mo := 1 + r.Intn(12)
	d := 1 + r.Intn(daysIn(y, mo))
	h, mi, s := r.Intn(24), r.Intn(60), r.Intn(60)
	switch r.Intn(10) {
	case 0: // Feb 29 of a leap year
		y, mo, d = firstDeadlineYear+4*r.Intn((lastDeadlineYear-firstDeadlineYear)/4+1), 2, 29
	case 1: // the 31st of a long month
		mo, d = oneOf(r, 1, 3, 5, 7, 8, 10, 12), 31
	case 2:
		h, mi, s = 23, 59, 59
	case 3:
		h, mi, s = 0, 0, 0
	}
	return timestamp(y, mo, d, h, mi, s, fraction(r))
}

// ValidDeadlines draws "forever" and strict UTC timestamps ending in Z, with
// or without 1 to 9 fractional digits, on real dates in 2040..2099.
func ValidDeadlines() Inputs {
	return Inputs{
		Label: "valid deadline",
		Gen: mix(choice{1, func(*rand.Rand) string { return contract.Forever }},
			choice{5, validTimestamp}),
		Boundary: []string{contract.Forever,
			"2040-01-01T00:00:00Z", "2040-01-01T00:00:00.000Z", "2040-02-29T23:59:59Z", "2096-02-29T00:00:00.5Z",
			"2041-01-31T16:00:00Z", "2050-12-31T23:59:59.9Z", "2099-12-31T23:59:59Z", "2099-12-31T23:59:59.999999999Z",
			"2070-06-30T12:30:45.123456Z"},
		Holds: func(s string) bool { return contract.Deadline(s, time.Now()).Valid() },
	}
}

// notTimestamps are deadlines that are clearly not timestamps, or near misses
// of the strict form that no parser reading RFC 3339 should accept. None is a
// case variant of "forever", an offset, a lower-case t or z, or a real date
// alone: those are not pinned.
var notTimestamps = []string{"tomorrow", "", "1538409600", "2030-10-01 16:00:00", "never", "now", "infinite",
	"permanent", "forever ", " forever", "for ever", "forevermore", "0", "-1", "null", "true",
	"2030-10-01T16:00Z", "2030-10-01T16:00:00.Z", "2030-1-01T16:00:00Z", "20301001T160000Z",
	"2030/10/01 16:00:00", "Tue, 01 Oct 2030 16:00:00 GMT", "2030-10-01T16:00:00+25:00",
	"2030-02-30", "2030-13-01", "2030-10-01T16:00:00ZZ", "T16:00:00Z", "2030-10-01T", "16:00:00"}

// impossibleTimestamp is a strict-form timestamp with one field out of range.
// Second 60 is left out: a leap second is not pinned.
func impossibleTimestamp(r *rand.Rand) string {
	y := 2030 + r.Intn(70)
	mo, d, h, mi, s := 1+r.Intn(12), 1+r.Intn(28), r.Intn(24), r.Intn(60), r.Intn(60)
	switch r.Intn(8) {
	case 0:
		mo = oneOf(r, 0, 13, 13+r.Intn(87))
	case 1:
		d = oneOf(r, 0, 32, 32+r.Intn(68))
	case 2:
		mo, d = 2, oneOf(r, 30, 31)
	case 3:
		mo, d = oneOf(r, 4, 6, 9, 11), 31
	case 4: // Feb 29 of a common year (2100 is one)
		y, mo, d = oneOf(r, 2100, 2031+4*r.Intn(17)), 2, 29
	case 5:
		h = oneOf(r, 24, 25, 24+r.Intn(76))
	case 6:
		mi = oneOf(r, 60, 60+r.Intn(40))
	case 7:
		s = oneOf(r, 61, 61+r.Intn(39))
	}
	return timestamp(y, mo, d, h, mi, s, fraction(r))
}

func invalidDeadline(r *rand.Rand) string {
	switch r.Intn(6) {
	case 0, 1:
		return oneOf(r, notTimestamps...)
	case 2: // a word or a number
		if r.Intn(2) == 0 {
			return strconv.FormatInt(r.Int63n(1e10), 10)
		}
		return randomWord(r, contract.Forever)
	default:
		return impossibleTimestamp(r)
	}
}

// randomWord is 1 to 10 lower-case letters, never a case variant of avoid.
func randomWord(r *rand.Rand, avoid string) string {
	b := make([]byte, 1+r.Intn(10))
	for i := range b {
		b[i] = lowerChars[r.Intn(26)]
	}
	if strings.EqualFold(string(b), avoid) {
		return string(b) + "x"
	}
	return string(b)
}

var badPermits = []string{"write", "pull", "", "push", "admin", "readwrite", "read,write", "read write", " read",
	"read ", "reads", "rea", "r", "readonly", "read-only", "réad", "read\n", "*"}

func invalidPermit(r *rand.Rand) string {
	if r.Intn(3) == 0 {
		return randomWord(r, contract.ReadPermit)
	}
	return oneOf(r, badPermits...)
}

var (
	// JSON-special characters. \r, \b and \f are left out: a registry
	// that normalises line ends or drops control characters from a
	// description is one the contract could hardly be read to refuse;
	// escape spellings of the characters that are here still cover the
	// short escapes' decoding.
	descriptionSpecial = []rune("\"\\/\n\t<>&")
	// Non-ASCII text, beyond the BMP too: an emoji is one rune here, four
	// bytes in UTF-8 and a surrogate pair when escaped.
	descriptionNonASCII = []rune("éüñßΩ共享镜像✓\u2028😀🎉𝄞")
)

func descriptionRune(r *rand.Rand, style int) rune {
	switch x := r.Intn(10); {
	case style == 1 && x < 5, style == 3 && x < 2:
		return descriptionSpecial[r.Intn(len(descriptionSpecial))]
	case style == 2 && x < 7, style == 3 && x < 5:
		return descriptionNonASCII[r.Intn(len(descriptionNonASCII))]
	default:
		return rune(' ' + r.Intn('~'-' '+1))
	}
}

// ValidDescriptions draws descriptions of 0 to contract.DescriptionPinnedLen
// runes: plain ASCII, JSON-special characters, non-ASCII, or a mix.
func ValidDescriptions() Inputs {
	return Inputs{
		Label: "valid description",
		Gen: mix(choice{1, func(r *rand.Rand) string {
			style := r.Intn(4) // 0 ASCII, 1 JSON-special, 2 non-ASCII, 3 mixed
			rs := make([]rune, length(r, 0, contract.DescriptionPinnedLen))
			for i := range rs {
				rs[i] = descriptionRune(r, style)
			}
			return string(rs)
		}}),
		Boundary: []string{"", " ", "a", "é", "共享", "déjà vu", "😀", "\"\\/\n", "a\"b\\c/d\ne", "<b>&amp;</b>", "forever",
			strings.Repeat("x", contract.DescriptionPinnedLen), strings.Repeat("共享", contract.DescriptionPinnedLen/2),
			strings.Repeat(`"`, contract.DescriptionPinnedLen), strings.Repeat("x", contract.DescriptionPinnedLen-1) + "é"},
		Holds: func(s string) bool {
			d := s
			return utf8.ValidString(s) && contract.UpdateBody(Body{Permit: contract.ReadPermit, Deadline: contract.Forever, Description: &d}.UpdateJSON(), time.Now()).Valid()
		},
	}
}

// Body is a valid body. Description nil: the field is omitted.
type Body struct {
	AccessDomain string
	Permit       string
	Deadline     string
	Description  *string
}

// CreateJSON is the body of a create (POST): access_domain included.
func (b Body) CreateJSON() []byte { return []byte(render(b.fields(true))) }

// UpdateJSON is the body of an update (PATCH): the account is in the path.
func (b Body) UpdateJSON() []byte { return []byte(render(b.fields(false))) }

// field is one member of a body: its key and its raw JSON value.
type field struct{ key, raw string }

func (b Body) fields(create bool) []field {
	var fs []field
	if create {
		fs = append(fs, field{contract.FieldAccessDomain, jsonString(b.AccessDomain)})
	}
	fs = append(fs, field{contract.FieldPermit, jsonString(b.Permit)}, field{contract.FieldDeadline, jsonString(b.Deadline)})
	if b.Description != nil {
		fs = append(fs, field{contract.FieldDescription, jsonString(*b.Description)})
	}
	return fs
}

// jsonString encodes s without HTML escaping, so '<', '>' and '&' reach the
// server as themselves.
func jsonString(s string) string { return contract.QuoteJSON(s, false) }

func render(fs []field) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, f := range fs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(jsonString(f.key) + ":" + f.raw)
	}
	b.WriteByte('}')
	return b.String()
}

// ValidBodies draws valid bodies for account (non-empty): permit "read", a
// deadline from ValidDeadlines, and a description from ValidDescriptions or
// none.
func ValidBodies(account string) gopter.Gen {
	if account == "" {
		panic("generators: an empty account makes every create body invalid")
	}
	deadlines, descriptions := ValidDeadlines().Gen, ValidDescriptions().Gen
	body := func(described bool) gopter.Gen {
		return func(p *gopter.GenParameters) *gopter.GenResult {
			b := Body{AccessDomain: account, Permit: contract.ReadPermit, Deadline: drawFrom[string](deadlines, p.Rng)}
			if described {
				d := drawFrom[string](descriptions, p.Rng)
				b.Description = &d
			}
			return gopter.NewGenResult(b, gopter.NoShrinker)
		}
	}
	return gen.Weighted([]gen.WeightedGen{{Weight: 1, Gen: body(false)}, {Weight: 2, Gen: body(true)}})
}

// ValidCreateBodies are valid create bodies for account as property inputs:
// the bytes sent, a value in one of its spellings (see spelling). Their
// boundary cases are the POST page's example request, verbatim but for
// the account and the deadline, and the same with its members reversed.
// They shrink to the compact spelling and the plainest value (see
// PlainerBodies), so a counterexample is the simplest body that still
// fails; a failure shows its value and the bytes sent (DescribeBody).
func ValidCreateBodies(account string) Inputs {
	return validBodyInputs("valid create body", account, true)
}

// ValidUpdateBodies are valid update bodies (no access_domain: the account
// is in the path) as property inputs, spelled, bounded by the PATCH page's
// example request and shrinking as ValidCreateBodies do.
func ValidUpdateBodies(account string) Inputs {
	return validBodyInputs("valid update body", account, false)
}

func validBodyInputs(label, account string, create bool) Inputs {
	bodies := ValidBodies(account)
	fields := func(b Body) []field { return b.fields(create) }
	check := contract.UpdateBody
	if create {
		check = contract.CreateBody
	}
	return Inputs{
		Label: label,
		Gen: func(p *gopter.GenParameters) *gopter.GenResult {
			b := drawFrom[Body](bodies, p.Rng)
			return newSpelledShrinker(fields, PlainerBodies, nil).result(b, drawSpelling(p.Rng, fields(b)))
		},
		Boundary: pageExamples(account, create),
		Holds:    func(s string) bool { return check([]byte(s), time.Now()).Valid() },
		Describe: DescribeBody,
	}
}

// PlainerBodies are the valid bodies one step plainer than b, plainest
// first: without a description, with deadline "forever", with an empty
// description, then with the description shortened (its first or its
// second half, or one character less at its end or at its start). The
// shrinker of the valid body inputs walks them.
func PlainerBodies(b Body) []Body {
	var out []Body
	with := func(change func(*Body)) {
		c := b
		change(&c)
		out = append(out, c)
	}
	if b.Description != nil {
		with(func(c *Body) { c.Description = nil })
	}
	if b.Deadline != contract.Forever {
		with(func(c *Body) { c.Deadline = contract.Forever })
	}
	if b.Description != nil && *b.Description != "" {
		rs := []rune(*b.Description)
		seen := map[string]bool{}
		n := len(rs)
		for _, shorter := range []string{"", string(rs[:n/2]), string(rs[n/2:]), string(rs[:n-1]), string(rs[1:])} {
			if seen[shorter] {
				continue
			}
			seen[shorter] = true
			d := shorter
			with(func(c *Body) { c.Description = &d })
		}
	}
	return out
}

// ParseBody reads back the value of a valid body the generators wrote
// (create or update), in any of its spellings: white space, member order
// and escapes are gone from what it returns.
func ParseBody(raw []byte) (Body, error) {
	var f struct {
		AccessDomain string  `json:"access_domain"`
		Permit       string  `json:"permit"`
		Deadline     string  `json:"deadline"`
		Description  *string `json:"description"`
	}
	if err := json.Unmarshal(raw, &f); err != nil {
		return Body{}, fmt.Errorf("suite defect: a generated valid body does not decode: %v", err)
	}
	return Body{AccessDomain: f.AccessDomain, Permit: f.Permit, Deadline: f.Deadline, Description: f.Description}, nil
}

// wrongType is a JSON value of a type other than string, often built around
// the field's valid value (["read"], {"value":"forever"}), which a lenient
// decoder might unwrap.
func wrongType(r *rand.Rand, valid string, null bool) string {
	vs := []string{"0", "1", "-1", "1538409600", "3.5", "-2.5e3", strconv.FormatInt(r.Int63n(1<<40), 10),
		"true", "false", "{}", `{"value":` + valid + `}`, "[]", "[" + valid + "]", "[1,2]"}
	if null {
		vs = append(vs, "null", "null", "null")
	}
	return oneOf(r, vs...)
}

var wrongTypeBoundary = []string{"7", "1538409600", "true", "false", "{}", "[]", `["x"]`}

// bodyDefect is one way to break a single field.
type bodyDefect struct {
	key      string
	remove   bool
	value    func(r *rand.Rand, valid string) string // raw JSON replacing the field's value
	boundary []string                                // raw JSON values always sent
}

func rawStrings(vs []string) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = jsonString(v)
	}
	return out
}

func defectFor(rule contract.Rule) (bodyDefect, bool) {
	retype := func(key string, null bool) bodyDefect {
		b := append([]string{}, wrongTypeBoundary...)
		if null {
			b = append(b, "null")
		}
		return bodyDefect{key: key, value: func(r *rand.Rand, v string) string { return wrongType(r, v, null) }, boundary: b}
	}
	str := func(key string, draw func(*rand.Rand) string, boundary ...string) bodyDefect {
		return bodyDefect{key: key, value: func(r *rand.Rand, _ string) string { return jsonString(draw(r)) }, boundary: rawStrings(boundary)}
	}
	switch rule {
	case contract.BodyAccessDomainMissing:
		return bodyDefect{key: contract.FieldAccessDomain, remove: true}, true
	case contract.BodyAccessDomainType:
		return retype(contract.FieldAccessDomain, true), true
	case contract.BodyAccessDomainEmpty:
		return str(contract.FieldAccessDomain, func(*rand.Rand) string { return "" }, ""), true
	case contract.BodyPermitMissing:
		return bodyDefect{key: contract.FieldPermit, remove: true}, true
	case contract.BodyPermitType:
		return retype(contract.FieldPermit, true), true
	case contract.BodyPermitNotRead:
		return str(contract.FieldPermit, invalidPermit, "write", "pull", ""), true
	case contract.BodyDeadlineMissing:
		return bodyDefect{key: contract.FieldDeadline, remove: true}, true
	case contract.BodyDeadlineType:
		return retype(contract.FieldDeadline, true), true
	case contract.BodyDeadlineInvalid:
		return str(contract.FieldDeadline, invalidDeadline, append([]string{"2030-13-01T00:00:00Z", "2030-02-30T00:00:00Z",
			"2030-04-31T00:00:00Z", "2041-02-29T00:00:00Z", "2100-02-29T00:00:00Z", "2030-00-10T00:00:00Z", "2030-10-00T00:00:00Z",
			"2030-10-32T00:00:00Z", "2030-10-01T24:00:00Z", "2030-10-01T16:60:00Z", "2030-10-01T16:00:61Z"}, notTimestamps...)...), true
	case contract.BodyDescriptionType: // null is not pinned for description
		return retype(contract.FieldDescription, false), true
	}
	return bodyDefect{}, false
}

// apply sets or removes the defect's field; a missing description is added.
func (d bodyDefect) apply(fs []field, raw string) []field {
	out := make([]field, 0, len(fs)+1)
	found := false
	for _, f := range fs {
		if f.key != d.key {
			out = append(out, f)
			continue
		}
		found = true
		if !d.remove {
			out = append(out, field{f.key, raw})
		}
	}
	if !found && !d.remove {
		out = append(out, field{d.key, raw})
	}
	return out
}

// pagesLayout writes fs as the pages lay out their example requests: one
// member a line, two spaces in, `"permit" : "read"`.
func pagesLayout(fs []field) string {
	sp := spelling{space: map[gap]string{}}
	sp.lines(fs, "\n", "  ", " ", " ")
	return sp.write(fs)
}

// malform turns a valid body, in one of its spellings, into text that is
// not JSON.
func malform(r *rand.Rand, fs []field) string {
	sp := drawSpelling(r, fs)
	s := sp.write(fs)
	end := strings.LastIndexByte(s, '}') // the object's closing brace; white space may follow it
	switch r.Intn(12) {
	case 0, 1, 2: // a prefix of an object that stops before its closing brace is never JSON
		return s[:oneOf(r, 0, end, r.Intn(end+1))]
	case 3: // a complete object then more is not pinned: break the object instead
		return s[:end] + oneOf(r, ",", `,"`, ":", "]")
	case 4:
		return s[:end] + ",}"
	case 5:
		return strings.ReplaceAll(s, `"`, `'`)
	case 6: // key and value not separated by ':'
		return "{" + jsonString(fs[0].key) + oneOf(r, "=", " ", "") + fs[0].raw + "," + strings.TrimPrefix(render(fs[1:]), "{")
	case 7: // members not separated by ','
		first := render(fs[:1])
		return first[:len(first)-1] + oneOf(r, " ", ";", ",,") + strings.TrimPrefix(render(fs[1:]), "{")
	case 8: // a raw control character or a bad escape inside the first key
		return strings.Replace(s, `"`, `"`+oneOf(r, "\t", "\n", `\x`, `\uZZ`), 1)
	case 9: // an unquoted key (written without escapes, so that it can be found)
		delete(sp.escapes, strRef{contract.FieldPermit, false})
		return strings.Replace(sp.write(fs), `"`+contract.FieldPermit+`"`, contract.FieldPermit, 1)
	case 10:
		return oneOf(r, "", " ", "\n", "\t \r\n", "permit=read&deadline=forever", "<share><permit>read</permit></share>",
			"permit: read\ndeadline: forever\n", "{permit: read}", `{"permit":NaN}`, "{", "}", "{{}}")
	default: // a comment
		open := strings.IndexByte(s, '{') + 1
		return s[:open] + "/* share */" + s[open:]
	}
}

// notObject is JSON that is not an object, often a valid body (in one of
// its spellings) wrapped.
func notObject(r *rand.Rand, fs []field) string {
	s := drawSpelling(r, fs).write(fs)
	v := oneOf(r, "[]", "["+s+"]", "["+s+","+s+"]", `"read"`, `""`, jsonString(s), "0", "42", "-1.5e3",
		strconv.FormatInt(r.Int63n(1e10), 10), "true", "false", "null", `["read","forever"]`)
	if r.Intn(4) == 0 {
		v = oneOf(r, " ", "\n", "\t") + v + oneOf(r, " ", "\n", "\r\n")
	}
	return v
}

// CreateBodyRules lists every body rule that applies to a create.
func CreateBodyRules() []contract.Rule { return contract.BodyRulesOf(contract.OpCreate) }

// UpdateBodyRules lists every body rule that applies to an update.
func UpdateBodyRules() []contract.Rule { return contract.BodyRulesOf(contract.OpUpdate) }

// InvalidCreateBodies draws create bodies for account that break rule and no
// other. It panics for a rule not in CreateBodyRules.
func InvalidCreateBodies(rule contract.Rule, account string) Inputs {
	return invalidBodies(rule, true, account)
}

// InvalidUpdateBodies draws update bodies that break rule and no other. It
// panics for a rule not in UpdateBodyRules.
func InvalidUpdateBodies(rule contract.Rule) Inputs {
	return invalidBodies(rule, false, "unused") // an update body has no access_domain
}

func invalidBodies(rule contract.Rule, create bool, account string) Inputs {
	in := Inputs{Label: string(rule), Describe: DescribeBody, Holds: func(s string) bool {
		if create {
			return contract.CreateBody([]byte(s), time.Now()).Only(rule)
		}
		return contract.UpdateBody([]byte(s), time.Now()).Only(rule)
	}}
	valid := ValidBodies(account)
	base := func(r *rand.Rand) []field { return drawFrom[Body](valid, r).fields(create) }
	empty := ""
	plain := Body{AccessDomain: account, Permit: contract.ReadPermit, Deadline: contract.Forever}
	described := Body{AccessDomain: account, Permit: contract.ReadPermit, Deadline: "2040-10-01T16:00:00.000Z", Description: &empty}
	fixed := []string{render(plain.fields(create)), render(described.fields(create))}

	switch d, ok := defectFor(rule); {
	case rule == contract.BodyMalformed:
		in.Gen = mix(choice{1, func(r *rand.Rand) string { return malform(r, base(r)) }})
		in.Boundary = []string{"", " ", "\n", "{", "}", fixed[0][:len(fixed[0])-1], fixed[0][:len(fixed[0])-1] + ",}",
			"permit=read&deadline=forever", strings.ReplaceAll(fixed[1], `"`, `'`)}
	case rule == contract.BodyNotObject:
		in.Gen = mix(choice{1, func(r *rand.Rand) string { return notObject(r, base(r)) }})
		in.Boundary = []string{"[]", `"read"`, "42", "null", "true", "[" + fixed[0] + "]", jsonString(fixed[0])}
	case ok && (create || d.key != contract.FieldAccessDomain):
		// Spelled every way a valid body is: the decoded value breaks the
		// rule whatever the spelling. They shrink to the compact spelling
		// first, then byte by byte.
		same := func(fs []field) []field { return fs }
		in.Gen = func(p *gopter.GenParameters) *gopter.GenResult {
			r := p.Rng
			fs := base(r)
			valid := ""
			for _, f := range fs {
				if f.key == d.key {
					valid = f.raw
				}
			}
			if valid == "" { // description omitted: wrap a valid one
				valid = jsonString(drawFrom[string](ValidDescriptions().Gen, r))
			}
			raw := ""
			if !d.remove {
				raw = d.value(r, valid)
			}
			fs = d.apply(fs, raw)
			return newSpelledShrinker(same, nil, gen.StringShrinker).result(fs, drawSpelling(r, fs))
		}
		// Every boundary value on the plain body; the described body, laid
		// out as the pages lay out their examples, checks that neither a
		// description nor that layout changes the answer.
		raws := d.boundary
		if d.remove {
			raws = []string{""}
		}
		for i, raw := range raws {
			in.Boundary = append(in.Boundary, render(d.apply(plain.fields(create), raw)))
			if i == 0 {
				in.Boundary = append(in.Boundary, pagesLayout(d.apply(described.fields(create), raw)))
			}
		}
	default:
		panic(fmt.Sprintf("generators: no body generator for rule %s (create=%v)", rule, create))
	}
	return in
}

// InvalidCreateBodiesOfAnyRule draws create bodies that break one body rule,
// any of them: for checks that hold for every refused body (a refused create
// has no effect).
func InvalidCreateBodiesOfAnyRule(account string) Inputs {
	return anyRule("invalid create body (any one rule)", CreateBodyRules(), func(r contract.Rule) Inputs { return InvalidCreateBodies(r, account) },
		func(s string) contract.Verdict { return contract.CreateBody([]byte(s), time.Now()) })
}

// InvalidUpdateBodiesOfAnyRule is InvalidCreateBodiesOfAnyRule for updates.
func InvalidUpdateBodiesOfAnyRule() Inputs {
	return anyRule("invalid update body (any one rule)", UpdateBodyRules(), InvalidUpdateBodies,
		func(s string) contract.Verdict { return contract.UpdateBody([]byte(s), time.Now()) })
}

func anyRule(label string, rules []contract.Rule, of func(contract.Rule) Inputs, check func(string) contract.Verdict) Inputs {
	in := Inputs{Label: label, Describe: DescribeBody, Holds: func(s string) bool {
		v := check(s)
		return len(v.Rules) == 1 && v.Pinned()
	}}
	ws := make([]gen.WeightedGen, len(rules))
	for i, r := range rules {
		one := of(r)
		ws[i] = gen.WeightedGen{Weight: 1, Gen: one.Gen}
		if len(one.Boundary) > 0 {
			in.Boundary = append(in.Boundary, one.Boundary[0])
		}
	}
	in.Gen = gen.Weighted(ws)
	return in
}
