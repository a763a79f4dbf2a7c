package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"html"
	"html/template"
	"sort"
	"strings"

	"github.com/onsi/ginkgo/v2/types"
)

const redacted = "[REDACTED]"

// scrubber replaces secrets. Scrubbing the bytes written is not enough on
// its own: every output escapes text its own way (html/template writes '+',
// common in IAM tokens, as "&#43;"), so a secret in a message could pass
// a byte scrub in escaped form. Hence two layers: the report is scrubbed
// before rendering, and the written bytes after, in every escaped form.
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

func (sc scrubber) bytes(b []byte) []byte {
	if sc.r == nil {
		return b
	}
	return []byte(sc.r.Replace(string(b)))
}

// report returns a scrubbed deep copy of r. Every text of a Ginkgo report
// (messages, captured output, report entries, stack traces, timelines) goes
// through its JSON form, which Ginkgo itself round-trips between parallel
// processes, so no field is missed and the caller's report is untouched.
func (sc scrubber) report(r types.Report) (types.Report, error) {
	if sc.r == nil {
		return r, nil
	}
	b, err := json.Marshal(r)
	if err != nil {
		return r, fmt.Errorf("report: copying the run's report to remove secrets: %w", err)
	}
	var out types.Report
	if err := json.Unmarshal(sc.bytes(b), &out); err != nil {
		return r, fmt.Errorf("report: copying the run's report to remove secrets: %w", err)
	}
	return out, nil
}

func (sc scrubber) meta(m Meta) Meta {
	m.SuiteVersion, m.Commit, m.Endpoint = sc.str(m.SuiteVersion), sc.str(m.Commit), sc.str(m.Endpoint)
	cfg := make([]KV, len(m.Config))
	for i, kv := range m.Config {
		cfg[i] = KV{sc.str(kv.Key), sc.str(kv.Value)}
	}
	m.Config = cfg
	return m
}
