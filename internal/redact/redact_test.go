package redact

import (
	"encoding/json"
	"encoding/xml"
	"html"
	"html/template"
	"strings"
	"testing"
)

// secret has a character of every escaping: JSON, HTML, XML, html/template.
const secret = "MIIs3cr3t+T0k/3n=&<x>"

func TestForms(t *testing.T) {
	const quoted = `p"w&d` // JSON escapes '"' always, '&' only with HTML escaping
	sc := New("", "ab", "abc", secret, quoted)
	for in, want := range map[string]string{
		`p\"w\u0026d`:             Marker,
		`p\"w&d`:                  Marker,
		"ab":                      Marker,
		"abc":                     Marker, // the longer secret whole, not "[REDACTED]c"
		"xabcy ab":                "x" + Marker + "y " + Marker,
		"=" + secret + "=":        "=" + Marker + "=",
		html.EscapeString(secret): Marker, // as a library may have printed it
		inJSON(secret, true):      Marker,
		inJSON(secret, false):     Marker,
		"nothing secret":          "nothing secret",
	} {
		if got := sc.String(in); got != want {
			t.Errorf("scrub(%q) = %q, want %q", in, got, want)
		}
	}
	var x strings.Builder
	xml.EscapeText(&x, []byte(secret))
	if got := sc.String(x.String()); got != Marker {
		t.Errorf("scrub of the XML form = %q", got)
	}
	if got := New("").String("abc"); got != "abc" {
		t.Errorf("an empty secret changed %q", got)
	}
}

func TestEveryFormIsRedacted(t *testing.T) {
	secret := `pa+ss<"w&rd>`
	js, _ := json.Marshal(secret)
	texts := map[string]string{
		"raw":           "token " + secret + " end",
		"json":          `{"password":` + string(js) + `}`,
		"html/template": template.HTMLEscapeString(secret),
	}
	r := New(secret, "")
	for what, text := range texts {
		got := r.String(text)
		if strings.Contains(got, "pa+ss") || strings.Contains(got, "pa&#43;ss") || !strings.Contains(got, Marker) {
			t.Errorf("%s: %q redacted to %q: every form of the secret must become %s", what, text, got, Marker)
		}
	}
}

func TestLongerSecretGoesFirst(t *testing.T) {
	got := New("abc", "abcdef").String("x abcdef y abc")
	if got != "x "+Marker+" y "+Marker {
		t.Errorf("got %q: a secret that contains another must be removed whole", got)
	}
}

func TestNothingToRedact(t *testing.T) {
	var nilRedactor *Redactor
	for _, r := range []*Redactor{New(), New(""), nilRedactor} {
		if got := r.String("a b"); got != "a b" {
			t.Errorf("got %q: a redactor without secrets must leave text alone", got)
		}
	}
}
