package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"html"
	"html/template"
	"sort"
	"strings"

	"github.com/onsi/ginkgo/v2/types"
)

const redacted = "[REDACTED]"

// scrubber replaces secrets in captured text (see scrubCaptured), in every
// escaped form a captured text may hold them (html/template writes '+',
// common in IAM tokens, as "&#43;").
type scrubber struct{ r *strings.Replacer }

func newScrubber(secrets []string) scrubber {
	var forms []string
	add := func(f string) {
		if f != "" && !contains(forms, f) {
			forms = append(forms, f)
		}
	}
	for _, s := range secrets {
		if s == "" { // replacing "" would put [REDACTED] between every byte
			continue
		}
		var x bytes.Buffer
		xml.EscapeText(&x, []byte(s))
		add(s)
		add(x.String())
		add(html.EscapeString(s))
		add(template.HTMLEscapeString(s))
		add(jsonString(s, true))
		add(jsonString(s, false))
	}
	if len(forms) == 0 {
		return scrubber{}
	}
	// At one position the Replacer takes the first pair that matches, so
	// longer forms go first: a secret containing another is removed whole.
	sort.SliceStable(forms, func(i, j int) bool { return len(forms[i]) > len(forms[j]) })
	pairs := make([]string, 0, 2*len(forms))
	for _, f := range forms {
		pairs = append(pairs, f, redacted)
	}
	return scrubber{strings.NewReplacer(pairs...)}
}

// jsonString is s as encoding/json writes it inside quotes.
func jsonString(s string, escapeHTML bool) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(escapeHTML)
	enc.Encode(s)
	out := strings.TrimSuffix(b.String(), "\n")
	return out[1 : len(out)-1]
}

func (sc scrubber) str(s string) string {
	if sc.r == nil {
		return s
	}
	return sc.r.Replace(s)
}

// scrubCaptured removes secrets from what the run captured but the suite
// did not write: output that code under test printed, panics, and the
// timeline's Ginkgo-writer output. The suite's own messages are redacted at
// their source (the client redacts what came from the wire), so a short
// token cannot change the report's words.
func scrubCaptured(r types.Report, secrets []string) types.Report {
	sc := newScrubber(secrets)
	if sc.r == nil {
		return r
	}
	specs := make(types.SpecReports, len(r.SpecReports))
	for i, s := range r.SpecReports {
		s.CapturedGinkgoWriterOutput = sc.str(s.CapturedGinkgoWriterOutput)
		s.CapturedStdOutErr = sc.str(s.CapturedStdOutErr)
		s.Failure.ForwardedPanic = sc.str(s.Failure.ForwardedPanic)
		more := make([]types.AdditionalFailure, len(s.AdditionalFailures))
		for j, f := range s.AdditionalFailures {
			f.Failure.ForwardedPanic = sc.str(f.Failure.ForwardedPanic)
			more[j] = f
		}
		s.AdditionalFailures = more
		specs[i] = s
	}
	r.SpecReports = specs
	return r
}
