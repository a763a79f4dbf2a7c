package report

import (
	_ "embed"
	"fmt"
	"html/template"
	"net/http"
	"strings"
)

// The page is one self-contained file, to be attached to a CI run or mailed:
// inline CSS, no script, nothing fetched. html/template escapes every text,
// since failure messages quote whatever the target answered. Its only links
// are fragments within the page (banner and requirement rows to the
// failures), which work without script and fetch nothing.
//
//go:embed report.html.tmpl
var pageSource string

var pageTemplate = template.Must(template.New("report.html").Funcs(template.FuncMap{
	"class":      class,
	"join":       func(xs []string) string { return strings.Join(xs, ", ") },
	"statusText": codeText,
}).Parse(pageSource))

// class is the colour of a verdict or outcome.
func class(v string) string {
	switch v {
	case Conforms, Pass, passed:
		return "ok"
	case DoesNotConform, Fail, failed:
		return "bad"
	case Incomplete, Unchecked, interrupted:
		return "warn"
	}
	return "off"
}

// codeText names a status code; 0 stands for requests without an answer.
func codeText(c int) string {
	if c == 0 {
		return "no answer"
	}
	return http.StatusText(c)
}

// Banner is the verdict in the words a person looks for; the banner names
// what was tested beside it (Meta.Endpoint).
func (m *model) Banner() string { return headline(m.Verdict) }

func (m *model) Started() string      { return startTime(m) }
func (m *model) DurationText() string { return duration(m) }

// placed is a failure with its place on the page, where the banner's and the
// requirement rows' links lead.
type placed struct {
	failureOut
	N  int    // from 1, in page order: "failure 2" in a row is the box that says "Failure 2 of 3"
	ID string // the box's id attribute
}

// PlacedFailures are the failures in page order with their ids. The number
// makes an id unique; the first requirement makes a copied link say where
// it goes (#failure-2-CREATE-409-DUPLICATE).
func (m *model) PlacedFailures() []placed {
	out := make([]placed, len(m.Failures))
	for i, f := range m.Failures {
		id := fmt.Sprintf("failure-%d", i+1)
		if len(f.Requirements) > 0 {
			id += "-" + idPart(f.Requirements[0])
		}
		out[i] = placed{f, i + 1, id}
	}
	return out
}

// FailuresOf are the failures that broke requirement id, in page order.
func (m *model) FailuresOf(id string) []placed {
	var out []placed
	for _, p := range m.PlacedFailures() {
		if contains(p.Requirements, id) {
			out = append(out, p)
		}
	}
	return out
}

// jump is one link of the banner.
type jump struct {
	Text string // a requirement ID, or the name of a spec that checks none
	ID   string // the failure it leads to
}

// Jumps are the banner's links: each failing requirement to its first
// failure, then each failed spec that checks no listed requirement, since
// no requirement row leads to those.
func (m *model) Jumps() []jump {
	var out []jump
	for _, ro := range m.Requirements {
		if fs := m.FailuresOf(ro.ID); ro.Verdict == Fail && len(fs) > 0 {
			out = append(out, jump{ro.ID, fs[0].ID})
		}
	}
	for _, p := range m.PlacedFailures() {
		if len(p.Requirements) == 0 {
			out = append(out, jump{p.Spec.Name, p.ID})
		}
	}
	return out
}

// idPart keeps only ASCII letters, digits, '-', '_' and '.', which an id
// attribute takes and html/template writes into a URL fragment unchanged:
// the href then names the id byte for byte, and no whitespace (invalid in
// an id) can get in.
func idPart(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return '_'
	}, s)
}
