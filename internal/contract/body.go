package contract

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// Body rules (contract section 4).
const (
	BodyMalformed Rule = "body.malformed-json" // the body is not JSON at all (empty included)
	BodyNotObject Rule = "body.not-object"     // the body is JSON, but not an object

	BodyAccessDomainMissing Rule = "body.access-domain-missing"
	BodyAccessDomainType    Rule = "body.access-domain-type"
	BodyAccessDomainEmpty   Rule = "body.access-domain-empty"

	BodyPermitMissing Rule = "body.permit-missing"
	BodyPermitType    Rule = "body.permit-type"
	BodyPermitNotRead Rule = "body.permit-not-read"

	BodyDeadlineMissing Rule = "body.deadline-missing"
	BodyDeadlineType    Rule = "body.deadline-type"
	BodyDeadlineInvalid Rule = "body.deadline-invalid"

	BodyDescriptionType Rule = "body.description-type"
)

// Body field names.
const (
	FieldAccessDomain = "access_domain"
	FieldPermit       = "permit"
	FieldDeadline     = "deadline"
	FieldDescription  = "description"
)

// DescriptionPinnedLen is the longest description this project treats as
// certainly acceptable: "a very long description" is not pinned, and a real
// registry may cap the field. Valid generators stay within it.
const DescriptionPinnedLen = 64

// Forever is the deadline that never expires.
const Forever = "forever"

// ReadPermit is the only permit the contract knows.
const ReadPermit = "read"

// OpenPoint names a kind of input the contract leaves open (contract
// section 4): a conforming server may accept or refuse it.
type OpenPoint string

// The open points of the body grammar.
const (
	OpenInvalidUTF8     OpenPoint = "invalid UTF-8 inside a JSON string"
	OpenTrailingContent OpenPoint = "content after a complete JSON object"
	OpenDuplicateField  OpenPoint = "duplicate field"
	OpenKeyCase         OpenPoint = "field spelled in another case"
	OpenExtraField      OpenPoint = "extra field"
	OpenNullDescription OpenPoint = "null description"
	OpenLongDescription OpenPoint = "very long description"
	OpenPermitCase      OpenPoint = `case variant of "read"`
	OpenForeverCase     OpenPoint = `case variant of "forever"`
	OpenLeapSecond      OpenPoint = "leap second"
	OpenPastDeadline    OpenPoint = "deadline in the past"
	OpenLooseTimestamp  OpenPoint = "timestamp not in the strict UTC Z form"
	OpenDateWithoutTime OpenPoint = "date without a time"
)

// OpenPoints lists every open point, for code that must decide each one
// (the reference server's dialects).
var OpenPoints = []OpenPoint{OpenInvalidUTF8, OpenTrailingContent, OpenDuplicateField, OpenKeyCase, OpenExtraField,
	OpenNullDescription, OpenLongDescription, OpenPermitCase, OpenForeverCase, OpenLeapSecond, OpenPastDeadline,
	OpenLooseTimestamp, OpenDateWithoutTime}

// Open is one open point of an input, with the body field it concerns:
// the field a value belongs to, the extra or duplicate field, or the key
// spelled in another case. Field is "" for the body as a whole, and for a
// value checked on its own (Permit, Deadline).
type Open struct {
	Point OpenPoint
	Field string
}

func (o Open) String() string {
	switch o.Point {
	case OpenDuplicateField, OpenExtraField:
		return string(o.Point) + " " + o.Field
	case OpenKeyCase:
		return "field " + o.Field + " spelled in another case"
	case OpenPermitCase, OpenForeverCase, OpenLeapSecond, OpenPastDeadline, OpenLooseTimestamp, OpenDateWithoutTime:
		if o.Field != "" {
			return o.Field + ": " + string(o.Point)
		}
	}
	return string(o.Point)
}

func open(p OpenPoint) Verdict { return Verdict{Open: []Open{{Point: p}}} }

// Permit checks a permit value.
func Permit(s string) Verdict {
	switch {
	case s == ReadPermit:
		return Verdict{}
	case strings.EqualFold(s, ReadPermit):
		return open(OpenPermitCase)
	default:
		return Verdict{Rules: []Rule{BodyPermitNotRead}}
	}
}

// IsTimestamp reports whether s has the shape of the UTC timestamps the
// contract pins (RFC 3339 ending in Z), whether or not it is a real moment.
func IsTimestamp(s string) bool { return strictTimestamp.MatchString(s) }

var (
	// A UTC timestamp in RFC 3339 form ending in Z, fractional seconds optional.
	strictTimestamp = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$`)
	// Spellings that some RFC 3339 or ISO 8601 parsers accept and the contract
	// does not settle: lower-case t or z, a space for T, a numeric offset.
	looseTimestamp = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$`)
	dateOnly       = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
)

// Deadline checks a deadline value against the moment now: "forever", or a
// real UTC timestamp in RFC 3339 form ending in Z, in the future. A deadline
// in the past is not pinned, so now matters.
func Deadline(s string, now time.Time) Verdict {
	switch {
	case s == Forever:
		return Verdict{}
	case strings.EqualFold(s, Forever):
		return open(OpenForeverCase)
	case strictTimestamp.MatchString(s):
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			if s[11:19] == "23:59:60" { // RFC 3339 allows a leap second, only there
				return open(OpenLeapSecond)
			}
			return Verdict{Rules: []Rule{BodyDeadlineInvalid}}
		}
		if !t.After(now) {
			return open(OpenPastDeadline)
		}
		return Verdict{}
	case looseTimestamp.MatchString(s):
		normal := strings.NewReplacer("t", "T", " ", "T", "z", "Z").Replace(s)
		if _, err := time.Parse(time.RFC3339Nano, normal); err != nil {
			return Verdict{Rules: []Rule{BodyDeadlineInvalid}}
		}
		return open(OpenLooseTimestamp)
	case dateOnly.MatchString(s):
		if _, err := time.Parse("2006-01-02", s); err != nil {
			return Verdict{Rules: []Rule{BodyDeadlineInvalid}}
		}
		return open(OpenDateWithoutTime)
	default:
		return Verdict{Rules: []Rule{BodyDeadlineInvalid}}
	}
}

// CreateBody checks the body of a create (POST) request.
func CreateBody(body []byte, now time.Time) Verdict { return checkBody(body, true, now) }

// UpdateBody checks the body of an update (PATCH) request. The account is in
// the path, so access_domain is not a field of this body.
func UpdateBody(body []byte, now time.Time) Verdict { return checkBody(body, false, now) }

func checkBody(body []byte, create bool, now time.Time) Verdict {
	if json.Valid(body) && !utf8.Valid(body) {
		// JSON must be UTF-8 (RFC 8259), yet many decoders replace bad bytes
		// instead of refusing them: either answer is defensible.
		return open(OpenInvalidUTF8)
	}
	if trailingAfterObject(body) {
		// Many JSON stacks read the first value and stop (Jackson's and Go's
		// json.Decoder defaults), so both answers are defensible.
		return open(OpenTrailingContent)
	}
	fields, dups, err := DecodeObject(body)
	var notObject errNotObject
	switch {
	case errors.As(err, &notObject):
		return Verdict{Rules: []Rule{BodyNotObject}}
	case err != nil:
		return Verdict{Rules: []Rule{BodyMalformed}}
	case len(dups) > 0:
		// encoding/json keeps the last value, other decoders the first or
		// refuse the body.
		return Verdict{Open: []Open{{OpenDuplicateField, dups[0]}}}
	}
	broken := map[Rule]bool{}
	var unpinned []Open

	type mandatory struct {
		name               string
		missing, wrongType Rule
		check              func(string) Verdict
		onlyForCreate      bool
	}
	checks := []mandatory{
		{name: FieldAccessDomain, missing: BodyAccessDomainMissing, wrongType: BodyAccessDomainType, onlyForCreate: true,
			check: func(s string) Verdict {
				if s == "" {
					return Verdict{Rules: []Rule{BodyAccessDomainEmpty}}
				}
				return Verdict{}
			}},
		{name: FieldPermit, missing: BodyPermitMissing, wrongType: BodyPermitType, check: Permit},
		{name: FieldDeadline, missing: BodyDeadlineMissing, wrongType: BodyDeadlineType,
			check: func(s string) Verdict { return Deadline(s, now) }},
	}
	known := map[string]bool{FieldDescription: true}
	for _, m := range checks {
		if m.onlyForCreate && !create {
			continue
		}
		known[m.name] = true
		raw, ok := fields[m.name]
		if !ok {
			if k := caseVariant(fields, m.name); k != "" {
				// encoding/json and other decoders match keys regardless
				// of case, so "Permit" may well be read as permit.
				unpinned = append(unpinned, Open{OpenKeyCase, k})
				continue
			}
			broken[m.missing] = true
			continue
		}
		var s string
		// null counts as a wrong type for a mandatory field: it is neither the
		// string the page requires nor a way to leave the field out that any
		// registry could take as valid.
		if bytes.Equal(raw, []byte("null")) || json.Unmarshal(raw, &s) != nil {
			broken[m.wrongType] = true
			continue
		}
		v := m.check(s)
		for _, r := range v.Rules {
			broken[r] = true
		}
		for _, o := range v.Open {
			o.Field = m.name
			unpinned = append(unpinned, o)
		}
	}
	if raw, ok := fields[FieldDescription]; ok {
		var s string
		switch {
		case bytes.Equal(raw, []byte("null")):
			unpinned = append(unpinned, Open{Point: OpenNullDescription})
		case json.Unmarshal(raw, &s) != nil:
			broken[BodyDescriptionType] = true
		case len([]rune(s)) > DescriptionPinnedLen:
			unpinned = append(unpinned, Open{Point: OpenLongDescription})
		}
	}
	for name := range fields {
		if !known[name] && caseVariant(known, name) == "" {
			unpinned = append(unpinned, Open{OpenExtraField, name})
		}
	}
	return verdict(broken, unpinned)
}

// caseVariant returns a key of m that equals name but for case, if any.
func caseVariant[V any](m map[string]V, name string) string {
	for k := range m {
		if k != name && strings.EqualFold(k, name) {
			return k
		}
	}
	return ""
}

// trailingAfterObject reports whether body is one complete JSON object
// followed by more than white space.
func trailingAfterObject(body []byte) bool {
	_, ok := FirstObject(body)
	return ok
}

// FirstObject returns the complete JSON object a body starts with when more
// than white space follows it: what a decoder that stops after the first
// value reads. ok is false for any other body.
func FirstObject(body []byte) (first []byte, ok bool) {
	trimmed := bytes.TrimSpace(body)
	if json.Valid(trimmed) || len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		return nil, false
	}
	if len(bytes.TrimSpace(trimmed[dec.InputOffset():])) == 0 {
		return nil, false
	}
	return raw, true
}

type errNotObject struct{}

func (errNotObject) Error() string { return "not a JSON object" }

// DecodeObject decodes a body that is one JSON object into its raw field
// values. A key given twice keeps its last value, as encoding/json does, and
// is listed in dups (encoding/json would hide it). err is set for a body
// that is not JSON (malformed) or not an object (errNotObject).
func DecodeObject(body []byte) (fields map[string]json.RawMessage, dups []string, err error) {
	if !json.Valid(body) {
		return nil, nil, errors.New("malformed JSON")
	}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, nil, errNotObject{}
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	if _, err := dec.Token(); err != nil { // '{'
		return nil, nil, err
	}
	fields = map[string]json.RawMessage{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, err
		}
		key := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, nil, err
		}
		if _, dup := fields[key]; dup {
			dups = append(dups, key)
		}
		fields[key] = raw
	}
	if _, err := dec.Token(); err != nil && err != io.EOF { // '}'
		return nil, nil, err
	}
	return fields, dups, nil
}

// StringField returns a field's value if it is a JSON string (null is not).
func StringField(fields map[string]json.RawMessage, name string) (string, bool) {
	raw, ok := fields[name]
	if !ok {
		return "", false
	}
	var s string
	if bytes.Equal(bytes.TrimSpace(raw), []byte("null")) || json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

// QuoteJSON is s as a JSON string, quotes included. escapeHTML: '<', '>'
// and '&' written as \u003c and so on, as encoding/json does by default;
// the suite's bodies send them as themselves.
func QuoteJSON(s string, escapeHTML bool) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(escapeHTML)
	_ = enc.Encode(s) // a string always encodes
	return strings.TrimSuffix(b.String(), "\n")
}

// SameDeadline reports whether a stored deadline is the one sent: equal, or
// the same instant to the whole second. A registry may store
// 2030-10-01T16:00:00.000Z as 2030-10-01T16:00:00Z (the vendor's own example
// does), and that is the same value (contract section 5).
func SameDeadline(stored, sent string) bool {
	if stored == sent {
		return true
	}
	a, errA := time.Parse(time.RFC3339Nano, stored)
	b, errB := time.Parse(time.RFC3339Nano, sent)
	return errA == nil && errB == nil && a.Truncate(time.Second).Equal(b.Truncate(time.Second))
}
