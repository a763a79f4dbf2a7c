package generators

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/leanovate/gopter"

	"github.com/swr-conformance/swr-conformance/internal/contract"
)

// A body is judged by the JSON value it encodes, never by its spelling
// (contract section 4): white space and line breaks between any two tokens,
// the members in any order, escapes in every string, keys included. A
// spelling is one way to write an object's members; the zero spelling is
// the compact one, members in the order given (the pages'), every string
// as jsonString writes it. The suite's valid and invalid bodies are sent
// in many spellings, so a target whose parser only takes the suite's own
// one is found out, and they shrink back to the zero spelling.
type spelling struct {
	space   map[gap]string            // white space written at a gap; none where absent
	order   []string                  // member keys in the order written; nil: the order given
	escapes map[strRef]map[int]escape // per string, per rune index: how the rune is written
}

// gap is a place between two tokens of an object, where white space may
// stand: four per member, named after the member, and three of the object.
type gap struct {
	key string // the member's key; "" for the object's own gaps
	at  gapPlace
}

type gapPlace uint8

const (
	beforeKey    gapPlace = iota // after '{' or ','
	beforeColon                  // after the key
	afterColon                   // before the value
	afterValue                   // before ',' or '}'
	beforeObject                 // the object's own: before '{'
	afterObject                  // the object's own: after '}'
	insideEmpty                  // the object's own: between '{' and '}' of an object without members
)

// strRef names one string of an object: a member's key or its value.
type strRef struct {
	key   string
	value bool
}

// escape is how one rune of a string is written.
type escape uint8

const (
	escCanonical    escape = iota // as jsonString writes it
	escUnicode                    // \u00e9, lower-case hex; beyond the BMP a surrogate pair, \ud83d\ude00
	escUnicodeUpper               // \u00E9, upper-case hex
	escShort                      // \" \\ \/ \b \f \n \r \t, for those characters only
)

var shortEscapes = map[rune]string{'"': `\"`, '\\': `\\`, '/': `\/`, '\b': `\b`, '\f': `\f`, '\n': `\n`, '\r': `\r`, '\t': `\t`}

// writeRune writes c in form e; a form that does not apply to c (a short
// escape for a letter) writes it as jsonString does.
func writeRune(b *strings.Builder, c rune, e escape) {
	switch {
	case e == escShort && shortEscapes[c] != "":
		b.WriteString(shortEscapes[c])
	case e == escUnicode || e == escUnicodeUpper:
		verb := `\u%04x`
		if e == escUnicodeUpper {
			verb = `\u%04X`
		}
		if c > 0xFFFF {
			hi, lo := utf16.EncodeRune(c)
			fmt.Fprintf(b, verb+verb, hi, lo)
		} else {
			fmt.Fprintf(b, verb, c)
		}
	default:
		b.WriteString(canonicalRune(c))
	}
}

// canonicalRune is c as jsonString writes it, without the quotes.
func canonicalRune(c rune) string {
	if c >= ' ' && c < utf8.RuneSelf && c != '"' && c != '\\' {
		return string(c)
	}
	q := jsonString(string(c))
	return q[1 : len(q)-1]
}

// quoted writes s as a JSON string with the escapes marked for it (rune
// index to form). A string that is not valid UTF-8 is left as jsonString
// writes it: its runes would not say what its bytes are.
func quoted(s string, marks map[int]escape) string {
	if len(marks) == 0 || !utf8.ValidString(s) {
		return jsonString(s)
	}
	var b strings.Builder
	b.WriteByte('"')
	for i, c := range []rune(s) {
		writeRune(&b, c, marks[i])
	}
	b.WriteByte('"')
	return b.String()
}

// stringValue is the string a raw JSON value holds, when it is a string
// written as jsonString writes it: only those are spelled anew, so a raw
// value's spelling chosen elsewhere (a wrong type, "null") stays as it is.
func stringValue(raw string) (string, bool) {
	var s string
	if !strings.HasPrefix(raw, `"`) || json.Unmarshal([]byte(raw), &s) != nil || jsonString(s) != raw {
		return "", false
	}
	return s, true
}

// ordered is fs in the order written.
func (sp spelling) ordered(fs []field) []field {
	if len(sp.order) == 0 {
		return fs
	}
	out := make([]field, 0, len(fs))
	used := make([]bool, len(fs))
	for _, k := range sp.order {
		for i, f := range fs {
			if !used[i] && f.key == k {
				out, used[i] = append(out, f), true
				break
			}
		}
	}
	for i, f := range fs {
		if !used[i] {
			out = append(out, f)
		}
	}
	return out
}

// write is the object of fs (keys and raw values, in the pages' order) as
// this spelling writes it.
func (sp spelling) write(fs []field) string {
	var b strings.Builder
	ws := func(key string, at gapPlace) { b.WriteString(sp.space[gap{key, at}]) }
	ws("", beforeObject)
	b.WriteByte('{')
	fs = sp.ordered(fs)
	if len(fs) == 0 {
		ws("", insideEmpty)
	}
	for i, f := range fs {
		if i > 0 {
			b.WriteByte(',')
		}
		ws(f.key, beforeKey)
		b.WriteString(quoted(f.key, sp.escapes[strRef{f.key, false}]))
		ws(f.key, beforeColon)
		b.WriteByte(':')
		ws(f.key, afterColon)
		if s, ok := stringValue(f.raw); ok {
			b.WriteString(quoted(s, sp.escapes[strRef{f.key, true}]))
		} else {
			b.WriteString(f.raw)
		}
		ws(f.key, afterValue)
	}
	b.WriteByte('}')
	ws("", afterObject)
	return b.String()
}

// whiteSpace is every character JSON allows between tokens (RFC 8259).
var whiteSpace = []string{" ", "\t", "\n", "\r\n", "\r"}

// drawSpelling draws a spelling of fs: the members in another order (a
// third of the bodies); the layouts people and libraries write (the pages'
// own `"permit" : "read"` with line breaks and two-space indentation,
// encoding/json's indentation, one line with spaces) or white space at
// random gaps (two thirds); escapes in keys and values (half). About one
// body in nine is written exactly as render writes it.
func drawSpelling(r *rand.Rand, fs []field) spelling {
	sp := spelling{space: map[gap]string{}}
	if r.Intn(3) == 0 && len(fs) > 1 {
		keys := make([]string, len(fs))
		for i, f := range fs {
			keys[i] = f.key
		}
		if r.Intn(2) == 0 {
			slices.Reverse(keys)
		} else {
			r.Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
		}
		sp.order = keys
	}
	written := sp.ordered(fs)
	lineBreak := oneOf(r, "\n", "\n", "\r\n")
	switch x := r.Intn(12); {
	case x < 4: // compact
	case x < 6: // the pages' layout
		sp.lines(written, lineBreak, oneOf(r, "  ", "  ", "\t", "    "), " ", " ")
	case x < 7: // encoding/json's MarshalIndent
		sp.lines(written, lineBreak, oneOf(r, "  ", "\t"), "", " ")
	case x < 8: // one line with spaces
		for _, f := range written {
			sp.space[gap{f.key, beforeKey}], sp.space[gap{f.key, afterColon}] = " ", " "
		}
		if len(written) > 0 {
			sp.space[gap{written[len(written)-1].key, afterValue}] = " "
		}
	default: // white space at random gaps
		for _, f := range written {
			for _, at := range []gapPlace{beforeKey, beforeColon, afterColon, afterValue} {
				if r.Intn(3) == 0 {
					sp.space[gap{f.key, at}] = randomSpace(r)
				}
			}
		}
		for _, at := range []gapPlace{beforeObject, afterObject} {
			if r.Intn(4) == 0 {
				sp.space[gap{"", at}] = randomSpace(r)
			}
		}
	}
	if r.Intn(2) == 0 {
		sp.escapes = drawEscapes(r, fs)
	}
	return sp
}

// lines lays out the members written (in the order written) one a line,
// indented, with white space around the colon (" : " on the pages, ": "
// from encoding/json).
func (sp *spelling) lines(written []field, lineBreak, indent, beforeColonSpace, afterColonSpace string) {
	for _, f := range written {
		sp.space[gap{f.key, beforeKey}] = lineBreak + indent
		sp.space[gap{f.key, beforeColon}] = beforeColonSpace
		sp.space[gap{f.key, afterColon}] = afterColonSpace
	}
	if len(written) > 0 {
		sp.space[gap{written[len(written)-1].key, afterValue}] = lineBreak
	}
}

func randomSpace(r *rand.Rand) string {
	var b strings.Builder
	for n := 1 + r.Intn(3); n > 0; n-- {
		b.WriteString(oneOf(r, whiteSpace...))
	}
	return b.String()
}

// drawEscapes marks runes of fs's strings (keys and string values) to be
// written otherwise than jsonString writes them: a few runes here and
// there, every rune of one string, or every character that has a short
// escape or lies outside ASCII.
func drawEscapes(r *rand.Rand, fs []field) map[strRef]map[int]escape {
	type str struct {
		ref   strRef
		runes []rune
	}
	var strs []str
	for _, f := range fs {
		strs = append(strs, str{strRef{f.key, false}, []rune(f.key)})
		if s, ok := stringValue(f.raw); ok && utf8.ValidString(s) {
			strs = append(strs, str{strRef{f.key, true}, []rune(s)})
		}
	}
	out := map[strRef]map[int]escape{}
	mark := func(s str, i int) {
		if e, ok := otherForm(r, s.runes[i]); ok {
			if out[s.ref] == nil {
				out[s.ref] = map[int]escape{}
			}
			out[s.ref][i] = e
		}
	}
	switch r.Intn(4) {
	case 0, 1: // here and there
		for _, s := range strs {
			if r.Intn(2) == 0 {
				continue
			}
			for i := range s.runes {
				if r.Intn(4) == 0 {
					mark(s, i)
				}
			}
		}
	case 2: // one string, every rune
		s := strs[r.Intn(len(strs))]
		for i := range s.runes {
			mark(s, i)
		}
	default: // what a cautious encoder escapes
		for _, s := range strs {
			for i, c := range s.runes {
				if shortEscapes[c] != "" || c >= utf8.RuneSelf {
					mark(s, i)
				}
			}
		}
	}
	if len(out) == 0 && len(strs) > 0 && len(strs[0].runes) > 0 { // the draw asked for escapes: at least one
		mark(strs[0], 0)
	}
	return out
}

// otherForm picks a form that writes c otherwise than jsonString does;
// false when every form writes it the same.
func otherForm(r *rand.Rand, c rune) (escape, bool) {
	canonical := canonicalRune(c)
	var forms []escape
	for _, e := range []escape{escUnicode, escUnicodeUpper, escShort} {
		var b strings.Builder
		writeRune(&b, c, e)
		if b.String() != canonical && !slices.ContainsFunc(forms, func(f escape) bool {
			var o strings.Builder
			writeRune(&o, c, f)
			return o.String() == b.String()
		}) {
			forms = append(forms, e)
		}
	}
	if len(forms) == 0 {
		return escCanonical, false
	}
	return oneOf(r, forms...), true
}

// clone is a deep copy of sp, for candidates that change one part of it.
func (sp spelling) clone() spelling {
	c := spelling{space: make(map[gap]string, len(sp.space)), order: slices.Clone(sp.order)}
	for g, s := range sp.space {
		c.space[g] = s
	}
	if sp.escapes != nil {
		c.escapes = make(map[strRef]map[int]escape, len(sp.escapes))
		for ref, marks := range sp.escapes {
			c.escapes[ref] = make(map[int]escape, len(marks))
			for i, e := range marks {
				c.escapes[ref][i] = e
			}
		}
	}
	return c
}

// simpler are spellings of fs one step nearer the compact one, the
// biggest steps first: no white space, the pages' order, no escapes; then
// half of the gaps or escapes dropped, one gap's white space shortened, one
// pair of members put back in order. Repeated, they leave the least of
// the spelling that a failure needs: often one gap, one escape or one
// pair of members out of order.
func (sp spelling) simpler(fs []field) []spelling {
	sp = sp.pruned(fs)
	var out []spelling
	with := func(change func(*spelling)) {
		c := sp.clone()
		change(&c)
		out = append(out, c)
	}
	gaps := sp.usedGaps()
	escapes := sp.usedEscapes()
	if len(gaps) > 0 {
		with(func(c *spelling) { c.space = nil })
	}
	if len(sp.order) > 0 {
		with(func(c *spelling) { c.order = nil })
	}
	if len(escapes) > 0 {
		with(func(c *spelling) { c.escapes = nil })
	}
	if len(gaps) > 1 {
		for _, half := range [][]gap{gaps[:len(gaps)/2], gaps[len(gaps)/2:]} {
			with(func(c *spelling) {
				for _, g := range half {
					delete(c.space, g)
				}
			})
		}
	}
	if len(gaps) == 1 && len(sp.space[gaps[0]]) > 1 {
		s := sp.space[gaps[0]]
		for _, shorter := range []string{s[1:], s[:len(s)-1]} {
			with(func(c *spelling) { c.space[gaps[0]] = shorter })
		}
	}
	written := sp.ordered(fs)
	page := map[string]int{}
	for i, f := range fs {
		page[f.key] = i
	}
	for i := 0; i+1 < len(written); i++ {
		if page[written[i].key] > page[written[i+1].key] {
			keys := make([]string, len(written))
			for j, f := range written {
				keys[j] = f.key
			}
			keys[i], keys[i+1] = keys[i+1], keys[i]
			with(func(c *spelling) { c.order = keys })
		}
	}
	if len(escapes) > 1 {
		for _, half := range [][]escapeAt{escapes[:len(escapes)/2], escapes[len(escapes)/2:]} {
			with(func(c *spelling) {
				for _, e := range half {
					delete(c.escapes[e.ref], e.index)
				}
			})
		}
	}
	return out
}

// pruned is sp without what it holds for members fs does not have, and
// without escape marks that write their rune as jsonString does: what is
// left is what the text of fs shows.
func (sp spelling) pruned(fs []field) spelling {
	c := spelling{space: map[gap]string{}, order: sp.order}
	keys := map[string]bool{"": true}
	for _, f := range fs {
		keys[f.key] = true
	}
	for g, s := range sp.space {
		if keys[g.key] && s != "" {
			c.space[g] = s
		}
	}
	for _, f := range fs {
		strs := map[strRef]string{{f.key, false}: f.key}
		if v, ok := stringValue(f.raw); ok && utf8.ValidString(v) {
			strs[strRef{f.key, true}] = v
		}
		for ref, s := range strs {
			runes := []rune(s)
			for i, e := range sp.escapes[ref] {
				if i >= len(runes) {
					continue
				}
				var b strings.Builder
				writeRune(&b, runes[i], e)
				if b.String() == canonicalRune(runes[i]) {
					continue
				}
				if c.escapes == nil {
					c.escapes = map[strRef]map[int]escape{}
				}
				if c.escapes[ref] == nil {
					c.escapes[ref] = map[int]escape{}
				}
				c.escapes[ref][i] = e
			}
		}
	}
	return c
}

// followed is sp carried over from the members from to the members to (a
// plainer value): the escapes of a string that was cut to its prefix or
// suffix stay on the same characters, those of a string replaced go.
func (sp spelling) followed(from, to []field) spelling {
	c := sp.clone()
	old := map[string]string{}
	for _, f := range from {
		if v, ok := stringValue(f.raw); ok {
			old[f.key] = v
		}
	}
	for _, f := range to {
		ref := strRef{f.key, true}
		was, ok := old[f.key]
		v, isString := stringValue(f.raw)
		if !ok || !isString || v == was || len(c.escapes[ref]) == 0 {
			continue
		}
		shift := -1
		switch {
		case strings.HasPrefix(was, v):
			shift = 0
		case strings.HasSuffix(was, v):
			shift = utf8.RuneCountInString(was) - utf8.RuneCountInString(v)
		}
		marks := map[int]escape{}
		for i, e := range c.escapes[ref] {
			if shift >= 0 && i-shift >= 0 {
				marks[i-shift] = e
			}
		}
		c.escapes[ref] = marks
	}
	return c
}

// usedGaps are the gaps that hold white space, in a fixed order.
func (sp spelling) usedGaps() []gap {
	var gs []gap
	for g, s := range sp.space {
		if s != "" {
			gs = append(gs, g)
		}
	}
	sort.Slice(gs, func(i, j int) bool {
		if gs[i].key != gs[j].key {
			return gs[i].key < gs[j].key
		}
		return gs[i].at < gs[j].at
	})
	return gs
}

type escapeAt struct {
	ref   strRef
	index int
}

// usedEscapes are the runes marked to be written otherwise, in a fixed order.
func (sp spelling) usedEscapes() []escapeAt {
	var es []escapeAt
	for ref, marks := range sp.escapes {
		for i, e := range marks {
			if e != escCanonical {
				es = append(es, escapeAt{ref, i})
			}
		}
	}
	sort.Slice(es, func(i, j int) bool {
		a, b := es[i], es[j]
		switch {
		case a.ref.key != b.ref.key:
			return a.ref.key < b.ref.key
		case a.ref.value != b.ref.value:
			return !a.ref.value
		}
		return a.index < b.index
	})
	return es
}

// spelledShrinker shrinks the inputs a spelled generator drew. The inputs
// are strings (the bytes sent), so it keeps what each string it drew or
// offered was made of: a value and its spelling. Given one of those, it
// offers, in order: the same value compactly spelled, the plainer values
// (plainer, spelled alike), the simpler spellings of the same value, then
// the candidates of fallback (nil: none) on the bytes themselves. Given a
// string it did not make (one fallback offered), only fallback's.
type spelledShrinker[V any] struct {
	mu       sync.Mutex
	made     map[string]spelledAs[V]
	fields   func(V) []field // the value's members, in the pages' order
	plainer  func(V) []V     // values one step plainer, plainest first; nil: none
	fallback gopter.Shrinker
}

// spelledAs is a value and its spelling.
type spelledAs[V any] struct {
	value V
	how   spelling
}

func newSpelledShrinker[V any](fields func(V) []field, plainer func(V) []V, fallback gopter.Shrinker) *spelledShrinker[V] {
	return &spelledShrinker[V]{made: map[string]spelledAs[V]{}, fields: fields, plainer: plainer, fallback: fallback}
}

// text writes v in sp and remembers how.
func (s *spelledShrinker[V]) text(v V, sp spelling) string {
	t := sp.write(s.fields(v))
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.made[t]; !ok {
		s.made[t] = spelledAs[V]{v, sp}
	}
	return t
}

// result is a gopter result for v spelled sp, shrinking with s.
func (s *spelledShrinker[V]) result(v V, sp spelling) *gopter.GenResult {
	return gopter.NewGenResult(s.text(v, sp), s.shrink)
}

func (s *spelledShrinker[V]) shrink(current any) gopter.Shrink {
	text := current.(string)
	s.mu.Lock()
	x, ok := s.made[text]
	s.mu.Unlock()
	var rest gopter.Shrink = gopter.NoShrink
	if s.fallback != nil {
		var fallback gopter.Shrink
		rest = func() (any, bool) { // asked for last, if at all
			if fallback == nil {
				fallback = s.fallback(text)
			}
			return fallback()
		}
	}
	if !ok {
		return rest
	}
	// The candidates are written as they are asked for: most shrinking
	// stops at the first that still fails.
	stages := []func() []spelledAs[V]{
		func() []spelledAs[V] { return []spelledAs[V]{{x.value, spelling{}}} },
		func() []spelledAs[V] {
			var out []spelledAs[V]
			if s.plainer != nil {
				for _, v := range s.plainer(x.value) {
					out = append(out, spelledAs[V]{v, x.how.followed(s.fields(x.value), s.fields(v))})
				}
			}
			return out
		},
		func() []spelledAs[V] {
			var out []spelledAs[V]
			for _, sp := range x.how.simpler(s.fields(x.value)) {
				out = append(out, spelledAs[V]{x.value, sp})
			}
			return out
		},
	}
	seen := map[string]bool{text: true}
	var pending []spelledAs[V]
	own := func() (any, bool) {
		for {
			for len(pending) > 0 {
				c := pending[0]
				pending = pending[1:]
				if t := s.text(c.value, c.how); !seen[t] {
					seen[t] = true
					return t, true
				}
			}
			if len(stages) == 0 {
				return nil, false
			}
			pending, stages = stages[0](), stages[1:]
		}
	}
	return gopter.ConcatShrinks(own, rest)
}

// pagesOrder lists the body fields in the order the pages' tables and
// examples give them.
var pagesOrder = []string{contract.FieldAccessDomain, contract.FieldPermit, contract.FieldDeadline, contract.FieldDescription}

// DescribeBody shows a body as a failure shows it: the JSON value it
// encodes, decoded and written compactly (members in the pages' order,
// strings without optional escapes), and the exact bytes sent. Two bodies
// with the same value are the same body to the contract; the bytes are
// what a target's parser met.
func DescribeBody(s string) string {
	if v, ok := compactValue([]byte(s)); ok {
		if v == s {
			return fmt.Sprintf("value %s, sent exactly so", v)
		}
		return fmt.Sprintf("value %s, bytes sent %q", v, s)
	}
	return fmt.Sprintf("bytes sent %q (not JSON)", s)
}

// compactValue is the JSON value of raw written compactly: an object's
// members in the pages' order (others after them, sorted), strings as
// jsonString writes them. false when raw is not one JSON value.
func compactValue(raw []byte) (string, bool) {
	if !json.Valid(raw) {
		return "", false
	}
	fields, dups, err := contract.DecodeObject(raw)
	if err != nil || len(dups) > 0 {
		return compactJSON(raw), true
	}
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	rank := func(k string) int {
		if i := slices.Index(pagesOrder, k); i >= 0 {
			return i
		}
		return len(pagesOrder)
	}
	sort.Slice(keys, func(i, j int) bool {
		if a, b := rank(keys[i]), rank(keys[j]); a != b {
			return a < b
		}
		return keys[i] < keys[j]
	})
	fs := make([]field, len(keys))
	for i, k := range keys {
		fs[i] = field{k, compactJSON(fields[k])}
	}
	return render(fs), true
}

// compactJSON is one JSON value re-encoded: escapes decoded, white space
// dropped, numbers as written.
func compactJSON(raw []byte) string {
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return string(raw)
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if enc.Encode(v) != nil {
		return string(raw)
	}
	return strings.TrimSuffix(b.String(), "\n")
}
