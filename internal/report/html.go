package report

import (
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"net/http"
	"sort"
	"strings"

	"github.com/swr-conformance/swr-conformance/internal/contract"
)

// The page is one self-contained file, to be attached to a CI run or mailed:
// inline CSS, nothing fetched. html/template escapes every text, since
// failure messages quote whatever the target answered. Its links are
// fragments within the page (banner and requirement rows to the failures),
// which work without script and fetch nothing. Its one script, written in
// the template and no input's, makes the Copy buttons of the reproductions
// work; a Content-Security-Policy lets that script run, by its hash, and
// nothing else: no other script, and no fetch of anything.
//
//go:embed report.html.tmpl
var pageSource string

var pageTemplate = template.Must(template.New("report.html").Funcs(template.FuncMap{
	"class":      class,
	"join":       func(xs []string) string { return strings.Join(xs, ", ") },
	"list":       list,
	"plural":     plural,
	"pick":       pick,
	"statusText": codeText,
	"document":   documentOf,
	"csp":        func() string { return pagePolicy },
}).Parse(pageSource))

// pagePolicy is the page's Content-Security-Policy: its own script (by its
// hash) and inline style, and nothing else.
var pagePolicy = "default-src 'none'; style-src 'unsafe-inline'; script-src '" + scriptHash(pageSource) + "'; base-uri 'none'; form-action 'none'"

// scriptHash is the CSP hash of the page's one script: the text between
// <script> and </script> in the template, which html/template writes as
// it is (it has no actions and no comments).
func scriptHash(page string) string {
	_, rest, ok := strings.Cut(page, "<script>")
	script, _, ok2 := strings.Cut(rest, "</script>")
	if !ok || !ok2 {
		panic("report.html.tmpl has no <script>...</script>")
	}
	sum := sha256.Sum256([]byte(script))
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}

// documentOf names a citation's document: contract.md unless it says.
func documentOf(c contract.Citation) string {
	if c.Document == "" {
		return "contract.md"
	}
	return c.Document
}

// class is the colour of a verdict (Verdict, RequirementVerdict) or a
// spec's outcome (SpecOutcome).
func class(v any) string {
	switch v {
	case Conforms, Pass, SpecPassed:
		return "ok"
	case DoesNotConform, Fail, SpecFailed:
		return "bad"
	case Incomplete, Unchecked, SpecInterrupted:
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
func (m *model) Banner() string { return m.Verdict.Headline() }

func (m *model) Started() string      { return startTime(m) }
func (m *model) DurationText() string { return duration(m) }

// placed is a failure with its place on the page, where the banner's and the
// requirement rows' links lead.
type placed struct {
	Failure
	N  int    // from 1, in page order: "failure 2" in a row is the box that says "Failure 2 of 3"
	ID string // the box's id attribute
	// Detail is the spec's name without the rule its group's heading
	// states ("create, property: ns.too-long"); the whole name when the
	// spec is named after another rule.
	Detail string
}

// failureGroup is the failures of one requirement on one operation's page:
// the heading states the rule and its sources once, for every failure
// below it.
type failureGroup struct {
	ID        string // the requirement; "" for failed specs that check no listed requirement
	Text      string // the rule
	Operation string // "create", "update", or "" when the failures do not tell
	Sources   []contract.Citation
	Failures  []placed // shown here in full
	Elsewhere []placed // failures of this requirement shown under another of theirs
}

// Page is the vendor page of the group's operation: "POST", "PATCH", "".
func (g failureGroup) Page() string {
	switch contract.Operation(g.Operation) {
	case contract.OpCreate:
		return "POST"
	case contract.OpUpdate:
		return "PATCH"
	}
	return ""
}

// Badge names the group's operation and its page: "update · PATCH".
func (g failureGroup) Badge() string {
	if g.Page() == "" {
		return ""
	}
	return g.Operation + " · " + g.Page()
}

// pageLayout is where each failure goes: groups in the catalogue's order,
// each failure under its first requirement, numbered in page order.
type pageLayout struct {
	groups []failureGroup
	placed []placed
}

func (m *model) layout() *pageLayout {
	if m.page != nil {
		return m.page
	}
	order := map[string]int{}
	for i, ro := range m.Requirements {
		order[ro.ID] = i
	}
	type key struct{ id, op string }
	groups := map[key]*failureGroup{}
	var keys []key
	group := func(id, op string) *failureGroup {
		k := key{id, op}
		if g := groups[k]; g != nil {
			return g
		}
		g := &failureGroup{ID: id, Operation: op}
		if q, ok := m.catalogue[id]; ok {
			g.Text, g.Sources = q.Text, q.Sources
			if op != "" {
				g.Sources = q.SourcesOn(contract.Operation(op))
			}
		}
		groups[k] = g
		keys = append(keys, k)
		return g
	}
	type home struct {
		f   Failure
		ids []string // its requirements, the catalogue's first first
		ops []string // the operation each failed on
	}
	var homes []home
	for _, f := range m.Failures {
		ids := append([]string(nil), f.FailedRequirements...)
		sort.SliceStable(ids, func(i, j int) bool { return rank(order, ids[i]) < rank(order, ids[j]) })
		h := home{f: f, ids: ids}
		for _, id := range ids {
			h.ops = append(h.ops, m.operationOf(f.SpecResult, id))
		}
		homes = append(homes, h)
		if len(ids) == 0 {
			group("", "")
			continue
		}
		for i, id := range ids {
			group(id, h.ops[i])
		}
	}
	sort.SliceStable(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.id == "" || b.id == "" {
			return a.id != "" && b.id == "" // failures of no requirement last
		}
		if rank(order, a.id) != rank(order, b.id) {
			return rank(order, a.id) < rank(order, b.id)
		}
		return opRank(a.op) < opRank(b.op)
	})
	// Number the failures in the order the groups show them.
	byHome := map[key][]int{}
	for i, h := range homes {
		k := key{}
		if len(h.ids) > 0 {
			k = key{h.ids[0], h.ops[0]}
		}
		byHome[k] = append(byHome[k], i)
	}
	at := make([]placed, len(homes))
	n := 0
	for _, k := range keys {
		for _, i := range byHome[k] {
			n++
			f := homes[i].f
			id := fmt.Sprintf("failure-%d", n)
			if len(f.FailedRequirements) > 0 {
				id += "-" + idPart(homes[i].ids[0])
			}
			at[i] = placed{Failure: f, N: n, ID: id, Detail: detailOf(f.SpecResult, k.id, m.catalogue[k.id].Text)}
			groups[k].Failures = append(groups[k].Failures, at[i])
		}
	}
	for i, h := range homes {
		for j := 1; j < len(h.ids); j++ {
			g := groups[key{h.ids[j], h.ops[j]}]
			g.Elsewhere = append(g.Elsewhere, at[i])
		}
	}
	l := &pageLayout{}
	for _, k := range keys {
		l.groups = append(l.groups, *groups[k])
	}
	for _, g := range l.groups {
		l.placed = append(l.placed, g.Failures...)
	}
	m.page = l
	return l
}

// operationOf is the certified operation a failed spec broke requirement
// id on: its evidence says; else the requirement's, when it is a rule of
// one operation; else "".
func (m *model) operationOf(s SpecResult, id string) string {
	for _, e := range s.Evidence {
		if e.Requirement == id && e.Operation != "" {
			return e.Operation
		}
	}
	for _, e := range s.Evidence {
		if e.Operation != "" {
			return e.Operation
		}
	}
	if q, ok := m.catalogue[id]; ok && len(q.Ops) == 1 {
		return string(q.Ops[0])
	}
	return ""
}

// detailOf is a spec's name without "[id] rule", which the group's heading
// states: "[NS-MAX-LENGTH] A namespace ... (create, property: too long)" is
// "create, property: too long"; a spec of the rule alone is named by its
// containers ("Create a share: POST .../access-domains"). A spec named
// after another rule keeps its whole name.
func detailOf(s SpecResult, id, rule string) string {
	prefix := "[" + id + "] " + rule
	if id == "" || rule == "" || !strings.HasPrefix(s.Name, prefix) {
		return s.Name
	}
	rest := strings.TrimSpace(strings.TrimPrefix(s.Name, prefix))
	if strings.HasPrefix(rest, "(") && strings.HasSuffix(rest, ")") {
		rest = rest[1 : len(rest)-1]
	}
	if rest == "" {
		rest = strings.TrimSpace(strings.TrimSuffix(s.FullName, s.Name))
	}
	return rest
}

func rank(order map[string]int, id string) int {
	if i, ok := order[id]; ok {
		return i
	}
	return len(order)
}

func opRank(op string) int {
	switch op {
	case string(contract.OpCreate):
		return 0
	case string(contract.OpUpdate):
		return 1
	}
	return 2
}

// FailureGroups are the failures as the page shows them: a group per
// failing requirement and operation.
func (m *model) FailureGroups() []failureGroup { return m.layout().groups }

// PlacedFailures are the failures in page order with their ids. The number
// makes an id unique; the first requirement makes a copied link say where
// it goes (#failure-2-CREATE-409-DUPLICATE).
func (m *model) PlacedFailures() []placed { return m.layout().placed }

// FailuresOf are the failures that broke requirement id, in page order.
func (m *model) FailuresOf(id string) []placed {
	var out []placed
	for _, p := range m.PlacedFailures() {
		if contains(p.FailedRequirements, id) {
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
		if len(p.FailedRequirements) == 0 {
			out = append(out, jump{p.Name, p.ID})
		}
	}
	return out
}

// RunConfig is the configuration for the run table, without the setting
// that repeats the target the table's first row names.
func (m *model) RunConfig() []KV {
	var out []KV
	for _, kv := range m.Meta.Config {
		if kv.Key == "target" && kv.Value == m.Meta.Endpoint {
			continue
		}
		out = append(out, kv)
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
