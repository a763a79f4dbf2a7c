package report

import (
	_ "embed"
	"html/template"
	"net/http"
	"strings"
)

// The page is one self-contained file, to be attached to a CI run or mailed:
// inline CSS, no script, nothing fetched. html/template escapes every text,
// since failure messages quote whatever the target answered.
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

// Banner is the verdict in the words a person looks for.
func (m *model) Banner() string {
	switch m.Verdict {
	case Conforms:
		return "CONFORMS"
	case DoesNotConform:
		return "DOES NOT CONFORM"
	case NoRun:
		return "NO RUN"
	}
	return "INCOMPLETE"
}

func (m *model) Started() string      { return startTime(m) }
func (m *model) DurationText() string { return duration(m) }
