// Package redact removes secrets (the token, an IAM password) from text
// that leaves the suite: console output, reports, reproductions. It is the
// one place that knows the forms a secret takes once text has been through
// JSON, XML or HTML escaping.
package redact

import (
	"bytes"
	"encoding/xml"
	"html"
	"html/template"
	"sort"
	"strings"

	"github.com/swr-conformance/swr-conformance/internal/contract"
)

// Marker stands where a secret was.
const Marker = "[REDACTED]"

// Redactor replaces every form of a set of secrets. The zero value and nil
// replace nothing.
type Redactor struct{ r *strings.Replacer }

// New returns a redactor for secrets; empty secrets are ignored (replacing
// "" would put the marker between every byte).
func New(secrets ...string) *Redactor {
	var forms []string
	for _, s := range secrets {
		for _, f := range Forms(s) {
			if !contains(forms, f) {
				forms = append(forms, f)
			}
		}
	}
	if len(forms) == 0 {
		return &Redactor{}
	}
	// At one position the Replacer takes the first pair that matches, so
	// longer forms go first: a secret containing another is removed whole.
	sort.SliceStable(forms, func(i, j int) bool { return len(forms[i]) > len(forms[j]) })
	pairs := make([]string, 0, 2*len(forms))
	for _, f := range forms {
		pairs = append(pairs, f, Marker)
	}
	return &Redactor{strings.NewReplacer(pairs...)}
}

// String is s with every form of every secret replaced by Marker.
func (r *Redactor) String(s string) string {
	if r == nil || r.r == nil {
		return s
	}
	return r.r.Replace(s)
}

// Forms lists the forms secret may take in text: as it is, inside a JSON
// string (with and without HTML escaping), and XML- or HTML-escaped
// (html/template writes '+', common in IAM tokens, as "&#43;"). Empty for
// an empty secret.
func Forms(secret string) []string {
	if secret == "" {
		return nil
	}
	var x bytes.Buffer
	_ = xml.EscapeText(&x, []byte(secret)) // a bytes.Buffer never fails
	var forms []string
	for _, f := range []string{secret, x.String(), html.EscapeString(secret), template.HTMLEscapeString(secret),
		inJSON(secret, true), inJSON(secret, false)} {
		if !contains(forms, f) {
			forms = append(forms, f)
		}
	}
	return forms
}

// inJSON is s as it stands between the quotes of a JSON string.
func inJSON(s string, escapeHTML bool) string {
	q := contract.QuoteJSON(s, escapeHTML)
	return q[1 : len(q)-1]
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
