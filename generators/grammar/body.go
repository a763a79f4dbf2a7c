package grammar

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

// Body rules (CONTRACT-NOTES.md section 4).
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

// Permit checks a permit value.
func Permit(s string) Verdict {
	switch {
	case s == ReadPermit:
		return Verdict{}
	case strings.EqualFold(s, ReadPermit):
		return Verdict{Unpinned: "case variant of \"read\""}
	default:
		return Verdict{Rules: []Rule{BodyPermitNotRead}}
	}
}

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
		return Verdict{Unpinned: "case variant of \"forever\""}
	case strictTimestamp.MatchString(s):
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			if s[11:19] == "23:59:60" { // RFC 3339 allows a leap second, only there
				return Verdict{Unpinned: "leap second"}
			}
			return Verdict{Rules: []Rule{BodyDeadlineInvalid}}
		}
		if !t.After(now) {
			return Verdict{Unpinned: "deadline in the past"}
		}
		return Verdict{}
	case looseTimestamp.MatchString(s):
		normal := strings.NewReplacer("t", "T", " ", "T", "z", "Z").Replace(s)
		if _, err := time.Parse(time.RFC3339Nano, normal); err != nil {
			return Verdict{Rules: []Rule{BodyDeadlineInvalid}}
		}
		return Verdict{Unpinned: "timestamp not in the strict UTC Z form"}
	case dateOnly.MatchString(s):
		if _, err := time.Parse("2006-01-02", s); err != nil {
			return Verdict{Rules: []Rule{BodyDeadlineInvalid}}
		}
		return Verdict{Unpinned: "date without a time"}
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
		return Verdict{Unpinned: "invalid UTF-8 inside a JSON string"}
	}
	if trailingAfterObject(body) {
		// Many JSON stacks read the first value and stop (Jackson's and Go's
		// json.Decoder defaults), so both answers are defensible.
		return Verdict{Unpinned: "content after a complete JSON object"}
	}
	fields, err := decodeObject(body)
	if err != nil {
		var notObject errNotObject
		if errors.As(err, &notObject) {
			return Verdict{Rules: []Rule{BodyNotObject}}
		}
		var dup errDuplicateKey
		if errors.As(err, &dup) {
			return Verdict{Unpinned: "duplicate field " + string(dup)}
		}
		return Verdict{Rules: []Rule{BodyMalformed}}
	}
	broken := map[Rule]bool{}
	var unpinned []string

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
				unpinned = append(unpinned, "field "+k+" spelled in another case")
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
		if v.Unpinned != "" {
			unpinned = append(unpinned, m.name+": "+v.Unpinned)
		}
	}
	if raw, ok := fields[FieldDescription]; ok {
		var s string
		switch {
		case bytes.Equal(raw, []byte("null")):
			unpinned = append(unpinned, "null description")
		case json.Unmarshal(raw, &s) != nil:
			broken[BodyDescriptionType] = true
		case len([]rune(s)) > DescriptionPinnedLen:
			unpinned = append(unpinned, "very long description")
		}
	}
	for name := range fields {
		if !known[name] && caseVariant(known, name) == "" {
			unpinned = append(unpinned, "extra field "+name)
		}
	}
	return verdict(broken, strings.Join(unpinned, "; "))
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

type errDuplicateKey string

func (e errDuplicateKey) Error() string { return "duplicate key " + string(e) }

// decodeObject decodes a JSON object into its raw field values, keeping
// duplicate keys visible (encoding/json silently keeps the last one).
func decodeObject(body []byte) (map[string]json.RawMessage, error) {
	if !json.Valid(body) {
		return nil, errors.New("malformed JSON")
	}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, errNotObject{}
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	if _, err := dec.Token(); err != nil { // '{'
		return nil, err
	}
	fields := map[string]json.RawMessage{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, err
		}
		if _, dup := fields[key]; dup {
			return nil, errDuplicateKey(key)
		}
		fields[key] = raw
	}
	if _, err := dec.Token(); err != nil && err != io.EOF { // '}'
		return nil, err
	}
	return fields, nil
}
