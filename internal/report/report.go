// Package report writes the results of a conformance run as files for
// machines (junit.xml, results.json) and for people (summary.md, report.html).
//
// Each file states one overall verdict, derived from per-requirement verdicts,
// which come from the specs that carry a requirement's ID as a label.
package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2/reporters"
	"github.com/onsi/ginkgo/v2/types"
)

// Meta is what every report says besides the specs.
type Meta struct {
	SuiteVersion, Commit string // e.g. "v0.1.0", "abc1234" ("" shown as "unknown")
	Endpoint             string // target URL or "embedded reference server"
	Config               []KV   // configuration, already redacted by the caller
	// Secrets are values that must never appear in any output (the token).
	// Write removes them from the run's report before rendering and, as a
	// last line of defence, from every byte it writes, replacing each with
	// [REDACTED].
	Secrets []string
	Seed    int64
}

// KV is one configuration setting.
type KV struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Requirement is a rule of the contract, as in suites/requirements.go.
type Requirement struct {
	ID, Source, Text string
	Operation        string // "create", "update", "both"
}

// Overall verdicts.
const (
	Conforms       = "conforms"
	DoesNotConform = "does not conform"
	Incomplete     = "incomplete"
)

// Requirement verdicts.
const (
	Pass      = "pass"
	Fail      = "fail"
	Skipped   = "skipped"
	NotRun    = "not run"
	PartlyRun = "partly run" // some specs passed, others were not run (a filtered or stopped run)
)

// Spec outcomes. A skipped spec without a message never started (label
// filter, focus, fail-fast): it is "not run", unlike one that called Skip.
const (
	passed      = "passed"
	failed      = "failed"
	skipped     = "skipped"
	notRun      = "not run"
	interrupted = "interrupted"
)

// documented are the status codes each operation's page lists.
var documented = []struct {
	op    string
	codes []int
}{
	{"create", []int{201, 400, 401, 409}},
	{"update", []int{201, 400, 401}},
}

// Write writes junit.xml, results.json, summary.md and report.html into dir
// (created if missing).
func Write(dir string, meta Meta, reqs []Requirement, r types.Report) error {
	sc := newScrubber(meta.Secrets)
	r, err := sc.report(r)
	if err != nil {
		return err
	}
	meta = sc.meta(meta)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	junit, err := junitXML(r)
	if err != nil {
		return err
	}
	m := build(meta, reqs, r)
	var js bytes.Buffer
	enc := json.NewEncoder(&js)
	enc.SetEscapeHTML(false) // messages quote requests and responses: keep < > & readable
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		return err
	}
	var page bytes.Buffer
	if err := pageTemplate.Execute(&page, m); err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		data []byte
	}{
		{"junit.xml", junit},
		{"results.json", js.Bytes()},
		{"summary.md", []byte(markdown(m))},
		{"report.html", page.Bytes()},
	} {
		if err := os.WriteFile(filepath.Join(dir, f.name), sc.bytes(f.data), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// Judge is the verdict the reports give, for a console line that must not
// disagree with them: Conforms, DoesNotConform or Incomplete, and why.
func Judge(reqs []Requirement, r types.Report) (string, []string) {
	m := build(Meta{}, reqs, r)
	return m.Verdict, m.Reasons
}

// junitXML renders Ginkgo's own JUnit report. Ginkgo only writes to a path,
// so it goes through a private temporary file and is scrubbed afterwards
// like every other output.
func junitXML(r types.Report) ([]byte, error) {
	f, err := os.CreateTemp("", "swr-junit-*.xml")
	if err != nil {
		return nil, err
	}
	name := f.Name()
	f.Close()
	defer os.Remove(name)
	if err := reporters.GenerateJUnitReport(r, name); err != nil {
		return nil, err
	}
	return os.ReadFile(name)
}

// model is results.json, and what the templates render.
type model struct {
	Meta         metaOut      `json:"meta"`
	StartTime    time.Time    `json:"start_time"`
	Duration     float64      `json:"duration_seconds"`
	Verdict      string       `json:"verdict"`
	Reasons      []string     `json:"reasons"` // why this verdict, in words
	Specs        counts       `json:"specs"`
	Requirements []*reqOut    `json:"requirements"`
	StatusCodes  []opCodes    `json:"status_codes"`
	Unattributed []specOut    `json:"unattributed_failures,omitempty"` // failed nodes checking no requirement: suite set-up, unlabelled specs
	Failures     []failureOut `json:"-"`                               // every failed node once, for the people's reports
}

type metaOut struct {
	SuiteVersion string `json:"suite_version"`
	Commit       string `json:"commit"`
	Endpoint     string `json:"endpoint"`
	Config       []KV   `json:"config"`
	Seed         int64  `json:"seed"`
}

type counts struct {
	Passed  int `json:"passed"`
	Failed  int `json:"failed"`
	Skipped int `json:"skipped"`
	NotRun  int `json:"not_run"`
}

type reqOut struct {
	ID        string    `json:"id"`
	Text      string    `json:"text"`
	Source    string    `json:"source"`
	Operation string    `json:"operation"`
	Verdict   string    `json:"verdict"`
	Reason    string    `json:"reason,omitempty"` // skip reasons, or what was not run
	Specs     []specOut `json:"specs"`
	n         counts
}

type specOut struct {
	Name       string    `json:"name"`      // the leaf text: "[ID] rule (detail)"
	FullName   string    `json:"full_name"` // with the containers' texts
	State      string    `json:"state"`     // Ginkgo's
	Outcome    string    `json:"outcome"`   // passed, failed, skipped, not run, interrupted
	Duration   float64   `json:"duration_seconds"`
	Failure    string    `json:"failure,omitempty"`
	Location   string    `json:"failure_location,omitempty"`
	SkipReason string    `json:"skip_reason,omitempty"`
	Property   *property `json:"property,omitempty"`
}

type property struct {
	Cases int64  `json:"cases"`
	Seed  int64  `json:"seed"`
	Text  string `json:"text"`
}

type opCodes struct {
	Operation string     `json:"operation"`
	Codes     []codeSeen `json:"codes"`
}

type codeSeen struct {
	Code         int      `json:"code"`
	Observed     bool     `json:"observed"`
	ObservedBy   []string `json:"observed_by"`  // requirements with a passing spec of this operation
	Requirements []string `json:"requirements"` // every requirement of this operation expecting the code
}

type failureOut struct {
	Requirements []string
	Spec         specOut
}

// build derives every verdict from the spec reports.
func build(meta Meta, reqs []Requirement, r types.Report) *model {
	m := &model{
		Meta:      metaOut{orUnknown(meta.SuiteVersion), orUnknown(meta.Commit), orUnknown(meta.Endpoint), meta.Config, meta.Seed},
		StartTime: r.StartTime,
		Duration:  r.RunTime.Seconds(),
		Reasons:   []string{},
	}
	if m.Meta.Config == nil {
		m.Meta.Config = []KV{}
	}
	byID := map[string]*reqOut{}
	for _, q := range reqs {
		op := q.Operation
		if op == "" {
			op = "both"
		}
		ro := &reqOut{ID: q.ID, Text: q.Text, Source: q.Source, Operation: op, Specs: []specOut{}}
		m.Requirements = append(m.Requirements, ro)
		byID[q.ID] = ro
	}
	// observed[op][code] lists the requirements whose passing spec of op
	// expected (and so received) code.
	observed := map[string]map[int][]string{"create": {}, "update": {}}
	var failedIts, interruptedRun, ranIts int
	for _, s := range r.SpecReports {
		so := specOf(s)
		var ids []string
		for _, l := range s.Labels() {
			if byID[l] != nil {
				ids = append(ids, l)
			}
		}
		if so.Outcome == failed {
			m.Failures = append(m.Failures, failureOut{ids, so})
			if len(ids) == 0 {
				m.Unattributed = append(m.Unattributed, so)
			}
		}
		if so.Outcome == interrupted {
			interruptedRun++
		}
		if s.LeafNodeType != types.NodeTypeIt {
			continue
		}
		switch so.Outcome {
		case passed:
			m.Specs.Passed++
			ranIts++
		case failed:
			m.Specs.Failed++
			failedIts++
			ranIts++
		case skipped:
			m.Specs.Skipped++
			ranIts++
		default:
			m.Specs.NotRun++
		}
		for _, id := range ids {
			ro := byID[id]
			ro.Specs = append(ro.Specs, so)
			switch so.Outcome {
			case passed:
				ro.n.Passed++
			case failed:
				ro.n.Failed++
			case skipped:
				ro.n.Skipped++
			default:
				ro.n.NotRun++
			}
			if so.Outcome == passed {
				for _, op := range []string{"create", "update"} {
					if hasLabel(s, op) && (ro.Operation == op || ro.Operation == "both") {
						if c := expectedStatus(id); c != 0 && !contains(observed[op][c], id) {
							observed[op][c] = append(observed[op][c], id)
						}
					}
				}
			}
		}
	}

	var failing, unrun []string
	for _, ro := range m.Requirements {
		ro.Verdict, ro.Reason = verdict(ro)
		switch ro.Verdict {
		case Fail:
			failing = append(failing, ro.ID)
		case NotRun, PartlyRun:
			unrun = append(unrun, ro.ID)
		}
	}
	for _, d := range documented {
		oc := opCodes{Operation: d.op}
		for _, c := range d.codes {
			cs := codeSeen{Code: c, ObservedBy: observed[d.op][c], Requirements: []string{}}
			if cs.ObservedBy == nil {
				cs.ObservedBy = []string{}
			}
			cs.Observed = len(cs.ObservedBy) > 0
			for _, ro := range m.Requirements {
				if expectedStatus(ro.ID) == c && (ro.Operation == d.op || ro.Operation == "both") {
					cs.Requirements = append(cs.Requirements, ro.ID)
				}
			}
			oc.Codes = append(oc.Codes, cs)
		}
		m.StatusCodes = append(m.StatusCodes, oc)
	}

	// A failure found is a verdict even in a partial run; otherwise only a
	// run that checked every requirement may claim conformance.
	switch {
	case len(failing) > 0 || failedIts > 0:
		m.Verdict = DoesNotConform
		if len(failing) > 0 {
			m.Reasons = append(m.Reasons, fmt.Sprintf("%d of %d requirements fail: %s", len(failing), len(reqs), list(failing)))
		}
		if n := len(m.Unattributed); n > 0 {
			m.Reasons = append(m.Reasons, fmt.Sprintf("%d failed specs or suite nodes check no listed requirement", n))
		}
	default:
		if r.SuiteConfig.DryRun {
			m.Reasons = append(m.Reasons, "dry run: nothing was sent to the target")
		}
		if ranIts == 0 {
			m.Reasons = append(m.Reasons, "no spec ran")
		}
		if interruptedRun > 0 {
			m.Reasons = append(m.Reasons, "the run was interrupted")
		}
		if !r.SuiteSucceeded {
			why := "the suite did not finish successfully"
			if len(r.SpecialSuiteFailureReasons) > 0 {
				why += ": " + strings.Join(r.SpecialSuiteFailureReasons, "; ")
			}
			m.Reasons = append(m.Reasons, why)
		}
		if len(unrun) > 0 {
			m.Reasons = append(m.Reasons, fmt.Sprintf("%d requirements were not (fully) checked, filtered out or never reached: %s", len(unrun), list(unrun)))
		}
		m.Verdict = Incomplete
		if len(m.Reasons) == 0 {
			m.Verdict = Conforms
			m.Reasons = append(m.Reasons, fmt.Sprintf("every requirement passed or was skipped (%d specs passed, %d skipped)", m.Specs.Passed, m.Specs.Skipped))
		}
	}
	return m
}

// verdict judges one requirement from its specs' outcomes.
func verdict(ro *reqOut) (string, string) {
	n := ro.n
	total := n.Passed + n.Failed + n.Skipped + n.NotRun
	switch {
	case n.Failed > 0:
		return Fail, fmt.Sprintf("%d of %d specs failed", n.Failed, total)
	case n.Passed == 0 && n.Skipped == 0:
		if total == 0 {
			return NotRun, "no spec checks it in this run"
		}
		return NotRun, "its specs were filtered out or never reached"
	case n.Passed == 0:
		return Skipped, skipReasons(ro.Specs)
	case n.NotRun > 0:
		return PartlyRun, fmt.Sprintf("%d of %d specs passed, %d were not run", n.Passed, total, n.NotRun)
	case n.Skipped > 0:
		return Pass, fmt.Sprintf("%d of %d specs skipped: %s", n.Skipped, total, skipReasons(ro.Specs))
	}
	return Pass, ""
}

func skipReasons(specs []specOut) string {
	var rs []string
	for _, s := range specs {
		if s.Outcome == skipped && !contains(rs, s.SkipReason) {
			rs = append(rs, s.SkipReason)
		}
	}
	return strings.Join(rs, "; ")
}

func specOf(s types.SpecReport) specOut {
	so := specOut{
		Name:     s.LeafNodeText,
		FullName: s.FullText(),
		State:    s.State.String(),
		Duration: s.RunTime.Seconds(),
	}
	if s.LeafNodeType != types.NodeTypeIt {
		so.Name = strings.TrimSpace(s.LeafNodeType.String() + " " + s.LeafNodeText)
		so.FullName = strings.TrimSpace(s.LeafNodeType.String() + " " + s.FullText())
	}
	switch {
	case s.State == types.SpecStatePassed:
		so.Outcome = passed
	case s.State == types.SpecStateInterrupted, s.State == types.SpecStateTimedout:
		// The suite sets no per-spec timeouts: a timed-out spec was stopped
		// by the run timeout (SWR_RUN_TIMEOUT), like an interrupt, and what
		// it recorded after that is no verdict on the target.
		so.Outcome = interrupted
	case s.State.Is(types.SpecStateFailureStates):
		so.Outcome = failed
	case s.State == types.SpecStatePending:
		so.Outcome, so.SkipReason = skipped, "pending"
	case s.State == types.SpecStateSkipped && s.Failure.Message != "":
		so.Outcome, so.SkipReason = skipped, s.Failure.Message
	default:
		so.Outcome = notRun
	}
	if s.State.Is(types.SpecStateFailureStates) {
		so.Failure = s.Failure.Message
		if s.Failure.ForwardedPanic != "" {
			so.Failure += "\npanic: " + s.Failure.ForwardedPanic
		}
		if loc := s.Failure.Location; loc.FileName != "" {
			so.Location = fmt.Sprintf("%s:%d", loc.FileName, loc.LineNumber)
		}
	}
	for _, e := range s.ReportEntries {
		if e.Name == "property" {
			so.Property = parseProperty(e.Value.String())
		}
	}
	return so
}

// propertyRE reads the "property" entry of suites/helpers_test.go:
// "<label>: <n> inputs checked, property seed <seed> (run seed <seed>)".
var propertyRE = regexp.MustCompile(`(\d+) inputs checked, property seed (-?\d+)`)

func parseProperty(text string) *property {
	p := &property{Text: text}
	if m := propertyRE.FindStringSubmatch(text); m != nil {
		p.Cases, _ = strconv.ParseInt(m[1], 10, 64)
		p.Seed, _ = strconv.ParseInt(m[2], 10, 64)
	}
	return p
}

// expectedStatus is the status a requirement's passing spec has received.
// The catalogue names rules after what they expect, so the ID says it; 0 for
// rules that expect a class (4xx) rather than a code.
func expectedStatus(id string) int {
	has := func(subs ...string) bool {
		for _, s := range subs {
			if strings.Contains(id, s) {
				return true
			}
		}
		return false
	}
	switch {
	case has("409"):
		return 409
	case strings.HasPrefix(id, "AUTH-401"):
		return 401
	case strings.HasPrefix(id, "NS-"), strings.HasPrefix(id, "REPO-"), strings.HasPrefix(id, "BODY-"):
		return 400
	case strings.HasSuffix(id, "-201"), has("CONTENT-TYPE", "NESTED", "VISIBLE", "ACCEPTED"):
		return 201
	}
	return 0
}

func hasLabel(s types.SpecReport, l string) bool { return contains(s.Labels(), l) }

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// list shortens a long list of IDs for a one-line reason.
func list(ids []string) string {
	if len(ids) > 8 {
		return strings.Join(ids[:8], ", ") + fmt.Sprintf(" and %d more", len(ids)-8)
	}
	return strings.Join(ids, ", ")
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}
