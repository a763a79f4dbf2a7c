// Package report writes the results of a conformance run as files for
// machines (junit.xml, results.json) and for people (summary.md, report.html).
//
// Each file states one overall verdict, derived from per-requirement verdicts,
// which come from the specs that carry a requirement's ID as a label. All
// four are rendered from one Results value, built once; results.json is that
// value, and ReadResults reads it back.
package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/onsi/ginkgo/v2/reporters"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/swr-conformance/swr-conformance/internal/contract"
)

// Meta is what every report says besides the specs.
type Meta struct {
	SuiteVersion, Commit string // e.g. "v0.1.0", "abc1234" ("" shown as "unknown")
	Endpoint             string // what was tested: the target's URL, or "the embedded reference server" (config.Config.Target)
	Config               []KV   // configuration, already redacted by the caller
	// Secrets are values that must never appear in any output (the token).
	// The suite removes them where text comes from the wire; Write removes
	// them once more from the captured output of the run (what a library
	// may have printed), never from the suite's own words.
	Secrets []string
	Seed    int64

	// RequireComplete: an incomplete run exits 3 even when only the
	// configuration left requirements out (SWR_REQUIRE_COMPLETE).
	RequireComplete bool
	// Warnings of the run (unknown SWR_* variables, insecure TLS, ...).
	Warnings []string
	// RunProblems found outside the specs (cleanup at the end of the run).
	RunProblems []string
	// Observations made outside the specs (the set-up's probes).
	Observations []Observation
	// NoRun, when set, says why the run stopped before its first spec.
	NoRun string
	// Traffic is what the run sent, all processes together; nil when the
	// run sent nothing.
	Traffic *Traffic
}

// KV is one configuration setting.
type KV struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Requirement is a rule of the contract, from its catalogue.
type Requirement = contract.Requirement

// operationOf says which certified operation a requirement is a rule of:
// "create", "update", or "both".
func operationOf(q Requirement) string {
	if len(q.Ops) == 1 {
		return string(q.Ops[0])
	}
	return "both"
}

// Write writes junit.xml, results.json, summary.md and report.html into dir
// (created if missing).
func Write(dir string, meta Meta, reqs []Requirement, r types.Report) error {
	r = scrubCaptured(r, meta.Secrets)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	m := build(meta, reqs, r)
	junit, err := junitXML(r, m)
	if err != nil {
		return err
	}
	var js bytes.Buffer
	enc := json.NewEncoder(&js)
	enc.SetEscapeHTML(false) // messages quote requests and responses: keep < > & readable
	enc.SetIndent("", "  ")
	if err := enc.Encode(&m.Results); err != nil {
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
		if err := os.WriteFile(filepath.Join(dir, f.name), f.data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// Judgement is the run's verdict, for the console line and the exit status:
// the reports say the same, since both come from one build
// (Results.Judgement).
type Judgement struct {
	Verdict  Verdict
	ExitCode int
	Reasons  []string
	// Explanation is the verdict block of summary.md and report.html:
	// the exit status in words, and what was not checked grouped by cause
	// (Explanation.Lines gives it as plain text).
	Explanation Explanation
	Failed      []string // the failed specs: "REQ, REQ in <full name>", the requirements each failed through first
	NotChecked  []string // IDs of the requirements not checked
}

// Judge is the verdict the reports give.
func Judge(meta Meta, reqs []Requirement, r types.Report) Judgement {
	return build(meta, reqs, r).Judgement()
}

// FailedSpec names a failed spec by the requirements it failed through,
// then its full name, for the console.
func FailedSpec(broke []string, fullName string) string {
	if len(broke) == 0 {
		return fullName
	}
	return strings.Join(broke, ", ") + " in " + fullName
}

// junitXML renders Ginkgo's own JUnit report. Ginkgo only writes to a path,
// so it goes through a private temporary file.
//
// The run's verdict is added to the suite's properties (swr.verdict,
// swr.exit_code, swr.reason), so CI systems read the same verdict as the
// other reports.
func junitXML(r types.Report, m *model) ([]byte, error) {
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
	raw, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	var suites reporters.JUnitTestSuites
	if err := xml.Unmarshal(raw, &suites); err != nil {
		return nil, fmt.Errorf("report: reading Ginkgo's JUnit report: %w", err)
	}
	props := []reporters.JUnitProperty{{Name: "swr.verdict", Value: string(m.Verdict)}, {Name: "swr.exit_code", Value: fmt.Sprint(m.ExitCode)}}
	for _, why := range m.Reasons {
		props = append(props, reporters.JUnitProperty{Name: "swr.reason", Value: why})
	}
	for i := range suites.TestSuites {
		suites.TestSuites[i].Properties.Properties = append(append([]reporters.JUnitProperty(nil), props...), suites.TestSuites[i].Properties.Properties...)
	}
	out, err := xml.MarshalIndent(suites, "  ", "    ")
	if err != nil {
		return nil, err
	}
	return append([]byte(xml.Header), out...), nil
}

// model is what the templates render: the results, and what the people's
// reports add to them.
type model struct {
	Results
	catalogue map[string]Requirement // the requirements by ID: the citations of the failure cards
	page      *pageLayout            // where report.html puts each failure, once worked out
}

// judged is a requirement while its verdict is being worked out: what its
// specs showed so far.
type judged struct {
	*RequirementResult
	passes, fails int
	unchecked     []NotChecked
}

// build derives every verdict from the spec reports and their entries.
func build(meta Meta, reqs []Requirement, r types.Report) *model {
	m := &model{Results: Results{
		SchemaVersion: SchemaVersion,
		Meta:          RunMeta{orUnknown(meta.SuiteVersion), orUnknown(meta.Commit), orUnknown(meta.Endpoint), meta.Config, meta.Seed},
		StartTime:     r.StartTime,
		Duration:      r.RunTime.Seconds(),
		Reasons:       []string{},
		Requirements:  []*RequirementResult{},
		Observations:  []ObservedPoint{},
		RunProblems:   append([]string{}, meta.RunProblems...),
		Warnings:      append([]string{}, meta.Warnings...),
		Failures:      []Failure{},
		Traffic:       meta.Traffic,
	}}
	if m.Meta.Config == nil {
		m.Meta.Config = []KV{}
	}
	byID := map[string]*judged{}
	var order []*judged
	m.catalogue = map[string]Requirement{}
	for _, q := range reqs {
		m.catalogue[q.ID] = q
		ro := &judged{RequirementResult: &RequirementResult{ID: q.ID, Text: q.Text, Source: q.Source(), Operation: operationOf(q), Specs: []SpecResult{}}}
		m.Requirements = append(m.Requirements, ro.RequirementResult)
		order = append(order, ro)
		byID[q.ID] = ro
	}
	stopped := runStopped(r)
	tallies := map[contract.Operation]map[int]*CodeSeen{}
	for _, op := range contract.Certified {
		tallies[op] = map[int]*CodeSeen{}
	}
	observed := map[string]map[string]*Choice{}
	var pointOrder []string
	observe := func(o Observation) {
		if observed[o.Point] == nil {
			observed[o.Point] = map[string]*Choice{}
			pointOrder = append(pointOrder, o.Point)
		}
		c := observed[o.Point][o.Choice]
		if c == nil {
			c = &Choice{Choice: o.Choice, Example: o.Example}
			observed[o.Point][o.Choice] = c
		}
		c.Count++
	}
	for _, o := range meta.Observations {
		observe(o)
	}
	failedIts := 0
	for _, s := range r.SpecReports {
		so := specOf(s, stopped)
		var ids []string
		for _, l := range s.Labels() {
			if byID[l] != nil {
				ids = append(ids, l)
			}
		}
		var ncs []NotChecked
		broke := map[string]bool{}
		kept := map[string]bool{} // requirements a check of the spec found kept
		security := false
		for _, e := range s.ReportEntries {
			switch e.Name {
			case EntryNotChecked:
				if nc, ok := entry[NotChecked](e); ok {
					ncs = append(ncs, nc)
				}
			case EntryFailed:
				// Only a requirement the spec is labelled with, and only
				// when the spec did fail.
				if f, ok := entry[Failed](e); ok && contains(ids, f.Requirement) && so.Outcome == SpecFailed {
					broke[f.Requirement] = true
					if f.SecurityDefect {
						byID[f.Requirement].SecurityDefect = true
						security = true
					}
				}
			case EntryEvidence:
				if ev, ok := entry[Evidence](e); ok && so.Outcome == SpecFailed {
					so.Evidence = append(so.Evidence, ev)
				}
			case EntryPassed:
				if p, ok := entry[Passed](e); ok {
					kept[p.Requirement] = true
				}
			case EntryRunProblem:
				if p, ok := entry[RunProblem](e); ok {
					m.RunProblems = append(m.RunProblems, p.What)
				}
			case EntryObservation:
				if o, ok := entry[Observation](e); ok {
					observe(o)
				}
			case EntryExchanges:
				if x, ok := entry[Exchanges](e); ok {
					for _, t := range x.Tallies {
						byCode := tallies[t.Operation]
						if byCode == nil {
							continue
						}
						c := byCode[t.Code]
						if c == nil {
							c = &CodeSeen{Code: t.Code, Example: t.Example, ExampleRequest: t.ExampleRequest, ExampleBody: t.ExampleBody}
							byCode[t.Code] = c
						}
						c.Seen += t.Count
					}
				}
			}
		}
		if s.LeafNodeType != types.NodeTypeIt {
			// A suite node (BeforeSuite, AfterSuite, a reporting node) that
			// failed is a problem of the run: it checks no requirement.
			if so.Outcome == SpecFailed || so.Outcome == SpecInterrupted {
				m.RunProblems = append(m.RunProblems, fmt.Sprintf("%s: %s", so.Name, firstLine(so.Message)))
			}
			continue
		}
		if so.Outcome == SpecNotChecked && len(ncs) > 0 {
			so.SkipReason = ncs[0].Reason
		}
		switch so.Outcome {
		case SpecPassed:
			m.Specs.Passed++
		case SpecFailed:
			m.Specs.Failed++
			failedIts++
		case SpecNotChecked:
			m.Specs.NotChecked++
		default:
			m.Specs.NotRun++
		}
		if so.Outcome == SpecFailed {
			var names []string
			for id := range broke {
				names = append(names, id)
			}
			sort.Strings(names)
			byCheck := len(names) > 0
			if !byCheck {
				names = ids // no typed failure: every requirement of the spec
			}
			so.FailedRequirements = names
			m.Failures = append(m.Failures, Failure{SpecResult: so, SecurityDefect: security, ByCheck: byCheck})
			if len(names) == 0 {
				m.Unattributed = append(m.Unattributed, so)
			}
		}
		for _, id := range ids {
			ro := byID[id]
			ro.Specs = append(ro.Specs, so)
			contribute(ro, id, so, ncs, broke, kept[id], stopped)
		}
	}

	for _, op := range contract.Certified {
		oc := OperationCodes{Operation: op, Codes: []CodeSeen{}}
		for _, c := range op.Documented() {
			cs := CodeSeen{Code: c, Documented: true}
			if t := tallies[op][c]; t != nil {
				cs.Seen, cs.Example, cs.ExampleRequest, cs.ExampleBody = t.Seen, t.Example, t.ExampleRequest, t.ExampleBody
				delete(tallies[op], c)
			}
			oc.Codes = append(oc.Codes, cs)
		}
		var other []int
		for c := range tallies[op] {
			other = append(other, c)
		}
		sort.Ints(other)
		for _, c := range other {
			oc.Codes = append(oc.Codes, *tallies[op][c])
		}
		m.StatusCodes = append(m.StatusCodes, oc)
	}
	for _, p := range pointOrder {
		op := ObservedPoint{Point: p}
		for _, c := range observed[p] {
			op.Choices = append(op.Choices, *c)
		}
		sort.Slice(op.Choices, func(i, j int) bool { return op.Choices[i].Choice < op.Choices[j].Choice })
		m.Observations = append(m.Observations, op)
	}
	if r.SuiteConfig.DryRun {
		m.Warnings = append(m.Warnings, "dry run: nothing was sent to the target")
	}
	if !r.SuiteSucceeded && failedIts == 0 && meta.NoRun == "" {
		m.RunProblems = append(m.RunProblems, r.SpecialSuiteFailureReasons...)
	}
	m.RunProblems = unique(m.RunProblems)
	judge(m, order, meta, failedIts, r.SuiteConfig.DryRun)
	return m
}

// contribute adds what one spec says about one requirement. kept: a check
// of the requirement passed in the spec; when the spec then failed or
// stopped for another requirement, that pass is still this one's verdict.
func contribute(ro *judged, id string, so SpecResult, ncs []NotChecked, broke map[string]bool, kept bool, stopped string) {
	named := func(nc NotChecked) bool { return len(nc.Requirements) == 0 || contains(nc.Requirements, id) }
	var mine []NotChecked
	for _, nc := range ncs {
		if named(nc) {
			mine = append(mine, nc)
		}
	}
	switch so.Outcome {
	case SpecPassed:
		if len(mine) > 0 {
			ro.unchecked = append(ro.unchecked, mine...)
		} else {
			ro.passes++
		}
	case SpecFailed:
		switch {
		case len(broke) == 0 || broke[id]:
			ro.fails++
		case kept:
			ro.passes++
		case len(mine) > 0:
			ro.unchecked = append(ro.unchecked, mine...)
		default:
			var others []string
			for b := range broke {
				others = append(others, b)
			}
			sort.Strings(others)
			ro.unchecked = append(ro.unchecked, NotChecked{Cause: CauseRun,
				Reason: "its spec " + quoteName(so.Name) + " stopped at the failure of " + strings.Join(others, ", ")})
		}
	case SpecNotChecked:
		switch {
		case len(mine) > 0:
			ro.unchecked = append(ro.unchecked, mine...)
		case kept:
			// The spec stopped for another requirement's reason after
			// this one's check had passed.
			ro.passes++
		case len(ncs) > 0:
			// The spec stopped for another requirement's reason before it
			// could check this one.
			ro.unchecked = append(ro.unchecked, ncs[0])
		default:
			ro.unchecked = append(ro.unchecked, NotChecked{Cause: CauseConfiguration, Reason: so.SkipReason})
		}
	case SpecInterrupted:
		ro.unchecked = append(ro.unchecked, NotChecked{Cause: CauseRun, Reason: "the run was stopped while its spec ran (" + stopped + ")",
			Remedy: "a longer SWR_RUN_TIMEOUT, or let the run finish"})
	default: // not run
		if stopped != "" {
			ro.unchecked = append(ro.unchecked, NotChecked{Cause: CauseRun, Reason: "the run was stopped before its spec (" + stopped + ")",
				Remedy: "a longer SWR_RUN_TIMEOUT, or let the run finish"})
		} else {
			ro.unchecked = append(ro.unchecked, NotChecked{Cause: CauseConfiguration, Reason: filteredReason, Remedy: filteredRemedy, Filtered: true})
		}
	}
}

func quoteName(s string) string { return "\"" + s + "\"" }

// runStopped says why the run ended early (an interrupt, the run timeout),
// or "" when it ran to its end.
func runStopped(r types.Report) string {
	for _, s := range r.SpecReports {
		if s.State == types.SpecStateInterrupted || s.State == types.SpecStateTimedout {
			if s.State == types.SpecStateTimedout {
				return "SWR_RUN_TIMEOUT reached"
			}
			return "interrupted"
		}
	}
	for _, why := range r.SpecialSuiteFailureReasons {
		if strings.Contains(strings.ToLower(why), "interrupt") || strings.Contains(strings.ToLower(why), "timeout") {
			return why
		}
	}
	return ""
}

// judge sets each requirement's verdict and the run's (the contract
// section 7).
func judge(m *model, reqs []*judged, meta Meta, failedIts int, dryRun bool) {
	var failing, security, points []string
	var unchecked []*RequirementResult
	runCause := len(m.RunProblems) > 0
	for _, ro := range reqs {
		switch {
		case meta.NoRun != "":
			ro.Verdict = Unchecked
			ro.NotChecked = &NotChecked{Cause: CauseRun, Reason: "the run stopped before its first spec: " + firstLine(meta.NoRun), Remedy: "fix what the message names"}
		case ro.fails > 0:
			ro.Verdict = Fail
			ro.Reason = fmt.Sprintf("%d of %d specs failed", ro.fails, len(ro.Specs))
			failing = append(failing, ro.ID)
			if ro.SecurityDefect {
				ro.Reason = "SECURITY DEFECT: a request without valid credentials was served, or answered 401 and still took effect; " + ro.Reason
				security = append(security, ro.ID)
			}
		case len(ro.unchecked) > 0 || ro.passes == 0:
			ro.Verdict = Unchecked
			nc := mergeNotChecked(ro.unchecked)
			if len(ro.unchecked) == 0 {
				nc = NotChecked{Cause: CauseConfiguration, Reason: "no spec checks it in this run"}
			}
			ro.NotChecked = &nc
		default:
			ro.Verdict = Pass
		}
		if ro.NotChecked != nil {
			ro.Reason = ro.NotChecked.Reason
			if ro.NotChecked.Remedy != "" {
				ro.Reason += "; to check it: " + ro.NotChecked.Remedy
			}
			if ro.NotChecked.Cause == CauseRun {
				runCause = true
			}
			unchecked = append(unchecked, ro.RequirementResult)
		}
	}
	// The explanation's points are the reasons but those about single
	// requirements not checked and the run's problems, which it groups.
	defer func() { m.Explanation = explain(m, meta, dryRun, points, unchecked) }()
	switch {
	case meta.NoRun != "":
		m.Verdict, m.ExitCode = NoRun, 2
		m.Reasons = append(m.Reasons, firstLine(meta.NoRun))
		points = m.Reasons
		return
	case len(failing) > 0 || failedIts > 0:
		m.Verdict, m.ExitCode = DoesNotConform, 1
		if len(security) > 0 {
			m.Reasons = append(m.Reasons, "SECURITY DEFECT: a request without valid credentials was served, or answered 401 and still took effect ("+strings.Join(security, ", ")+")")
		}
		if len(failing) > 0 {
			m.Reasons = append(m.Reasons, fmt.Sprintf("%d of %d requirements fail: %s", len(failing), len(m.Requirements), list(failing)))
		}
		if n := len(m.Unattributed); n > 0 {
			m.Reasons = append(m.Reasons, fmt.Sprintf("%d failed specs check no listed requirement", n))
		}
		points = append(points, m.Reasons...)
	case dryRun:
		m.Verdict, m.ExitCode = Incomplete, 0
		m.Reasons = append(m.Reasons, "dry run: nothing was sent to the target")
		points, unchecked = m.Reasons, nil
		return
	case len(unchecked) == 0 && len(m.RunProblems) == 0:
		m.Verdict, m.ExitCode = Conforms, 0
		m.Reasons = append(m.Reasons, fmt.Sprintf("every requirement was checked and none failed (%d requirements, %d specs)", len(m.Requirements), m.Specs.Passed))
		points = m.Reasons
		return
	default:
		m.Verdict = Incomplete
		m.ExitCode = 0
		if runCause || meta.RequireComplete {
			m.ExitCode = 3
		}
		m.Reasons = append(m.Reasons, "no requirement failed, but not every requirement was checked")
		if len(unchecked) > 0 {
			points = append(points, fmt.Sprintf("Nothing failed, but %d of %d requirements %s not checked.", len(unchecked), len(m.Requirements), pick(len(unchecked), "was", "were")))
		} else {
			points = append(points, "Nothing failed, but something went wrong during the run.")
		}
	}
	for _, p := range m.RunProblems {
		m.Reasons = append(m.Reasons, "run problem: "+firstLine(p))
	}
	// Requirements a filter left out are one line: a focused replay of one
	// spec would otherwise drown its result in them (the requirements
	// keep the list).
	var filtered []string
	for _, ro := range unchecked {
		if ro.NotChecked.Filtered {
			filtered = append(filtered, ro.ID)
			continue
		}
		m.Reasons = append(m.Reasons, fmt.Sprintf("%s not checked (%s): %s", ro.ID, ro.NotChecked.Cause, ro.Reason))
	}
	if len(filtered) > 0 {
		which, pronoun := fmt.Sprintf("%d requirements", len(filtered)), "them"
		if len(filtered) == 1 {
			which, pronoun = filtered[0], "it" // as one line per requirement says it
		}
		m.Reasons = append(m.Reasons, fmt.Sprintf("%s not checked (configuration): %s; to check %s: %s", which, filteredReason, pronoun, filteredRemedy))
	}
}

// mergeNotChecked sums up why a requirement was not checked: a problem of
// the run outweighs the configuration, and every distinct reason is kept.
func mergeNotChecked(ncs []NotChecked) NotChecked {
	out := NotChecked{Cause: CauseConfiguration, Filtered: len(ncs) > 0}
	var reasons, remedies []string
	for _, nc := range ncs {
		out.Filtered = out.Filtered && nc.Filtered
		if nc.Cause == CauseRun {
			out.Cause = CauseRun
		}
		reasons = append(reasons, nc.Reason)
		if nc.Remedy != "" {
			remedies = append(remedies, nc.Remedy)
		}
	}
	out.Reason = strings.Join(unique(reasons), "; ")
	out.Remedy = strings.Join(unique(remedies), "; ")
	return out
}

func unique(xs []string) []string {
	out := []string{}
	for _, x := range xs {
		if x != "" && !contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return line
}

func specOf(s types.SpecReport, stopped string) SpecResult {
	so := SpecResult{
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
		so.Outcome = SpecPassed
	case s.State == types.SpecStateInterrupted, s.State == types.SpecStateTimedout:
		// The suite sets no per-spec timeouts: a timed-out spec was stopped
		// by the run timeout (SWR_RUN_TIMEOUT), like an interrupt, and what
		// it recorded after that is no verdict on the target.
		so.Outcome = SpecInterrupted
	case s.State.Is(types.SpecStateFailureStates):
		so.Outcome = SpecFailed
	case s.State == types.SpecStatePending:
		so.Outcome, so.SkipReason = SpecNotChecked, "pending"
	case s.State == types.SpecStateSkipped && s.Failure.Message != "":
		so.Outcome, so.SkipReason = SpecNotChecked, s.Failure.Message
	default:
		so.Outcome = SpecNotRun
	}
	if s.State.Is(types.SpecStateFailureStates) {
		so.Message = s.Failure.Message
		if s.Failure.ForwardedPanic != "" {
			so.Message += "\npanic: " + s.Failure.ForwardedPanic
		}
		if loc := s.Failure.Location; loc.FileName != "" {
			so.Location = fmt.Sprintf("%s:%d", sourcePath(loc.FileName), loc.LineNumber)
		}
	}
	for _, e := range s.ReportEntries {
		if e.Name == EntryProperty {
			if p, ok := entry[Property](e); ok {
				so.Property = &p
			}
		}
	}
	return so
}

// sourcePath is a failure's source file as a reader of the repository
// finds it: Ginkgo records the path on the machine that built the suite
// (/tmp/.../suites/auth_test.go), which says nothing to anyone else and
// names a stranger's directories. Kept: from the suite's directory
// (suites/...), or else what follows the module's own directory; a file of
// another module (a vendor's spec) keeps its name alone.
func sourcePath(file string) string {
	file = strings.ReplaceAll(file, `\`, "/") // a Windows build's path, read anywhere
	if i := strings.LastIndex(file, "/suites/"); i >= 0 {
		return file[i+1:]
	}
	if !strings.HasPrefix(file, "/") && !strings.Contains(file, ":/") {
		return file // relative already
	}
	if i := strings.LastIndex(file, "/"+moduleDir+"/"); i >= 0 {
		return file[i+len(moduleDir)+2:]
	}
	return path.Base(file)
}

// moduleDir is the last element of the suite's module path, the name of a
// clone's directory.
const moduleDir = "swr-conformance"

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
