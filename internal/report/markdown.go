package report

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// maxMarkdownMessage bounds each block of a failure in summary.md (a
// message, a request, a reproduction), and maxMarkdownFailures all of the
// failures: GitHub refuses a job summary over 1 MiB, and results.json and
// report.html keep everything anyway.
const (
	maxMarkdownMessage  = 4000
	maxMarkdownFailures = 600 << 10
)

// markdown renders summary.md, for a GitHub job summary.
func markdown(m *model) string {
	var b strings.Builder
	p := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	// The heading names what was tested, as the VERDICT line does: a
	// summary of one nightly target among several must say which.
	p("# SWR conformance of %s: %s\n\n", cell(m.Meta.Endpoint), m.Verdict.Headline())
	// The verdict block: the exit status, why, and what was not checked,
	// grouped by cause (Explanation).
	e := m.Explanation
	p("**Exit status %s**\n\n", cell(e.Exit))
	for _, r := range e.Points {
		p("- %s\n", cell(r))
	}
	for _, g := range e.NotChecked {
		p("\n**%s**\n\n", cell(g.Heading))
		for _, it := range g.Items {
			p("- %s\n", cell(it.Text()))
		}
		for _, pr := range g.Problems {
			p("- problem of the run: %s\n", cell(pr))
		}
	}
	p("\n| | |\n| --- | --- |\n")
	row := func(k, v string) { p("| %s | %s |\n", cell(k), cell(v)) }
	row("target", m.Meta.Endpoint)
	row("suite version", m.Meta.SuiteVersion)
	row("commit", m.Meta.Commit)
	row("seed", fmt.Sprint(m.Meta.Seed))
	row("started", startTime(m))
	row("duration", duration(m))
	row("specs", fmt.Sprintf("%d passed, %d failed, %d not checked, %d not run", m.Specs.Passed, m.Specs.Failed, m.Specs.NotChecked, m.Specs.NotRun))
	for _, kv := range m.RunConfig() {
		row(kv.Key, kv.Value)
	}
	if len(m.Warnings) > 0 {
		p("\n## Warnings\n\n")
		for _, w := range m.Warnings {
			p("- %s\n", cell(w))
		}
	}
	if len(m.RunProblems) > 0 {
		p("\n## Problems of the run (no verdict on the target)\n\n")
		for _, w := range m.RunProblems {
			p("- %s\n", cell(w))
		}
	}

	p("\n## Requirements\n\n| ID | verdict | specs | note |\n| --- | --- | --- | --- |\n")
	for _, r := range m.Requirements {
		p("| %s | %s | %d | %s |\n", cell(r.ID), r.Verdict, len(r.Specs), cell(r.Reason))
	}

	p("\n## Status codes\n\nEvery answer of the two operations in this run, from the recorded exchanges.\n\n| operation | status | documented | seen | example |\n| --- | --- | --- | --- | --- |\n")
	for _, oc := range m.StatusCodes {
		for _, c := range oc.Codes {
			doc := "no"
			if c.Documented {
				doc = "yes"
			}
			seen := "never"
			if c.Seen > 0 {
				seen = fmt.Sprint(c.Seen)
			}
			p("| %s | %s | %s | %s | %s |\n", oc.Operation, cell(fmt.Sprintf("%d %s", c.Code, codeText(c.Code))), doc, seen, orDash(cell(c.Example)))
		}
	}

	if len(m.Observations) > 0 {
		p("\n## Observations\n\nWhat the target chose where the contract leaves the answer open: no verdict.\n\n| point | choice | times | example |\n| --- | --- | --- | --- |\n")
		for _, o := range m.Observations {
			for _, c := range o.Choices {
				p("| %s | %s | %d | %s |\n", cell(o.Point), cell(c.Choice), c.Count, orDash(cell(c.Example)))
			}
		}
	}

	if len(m.Failures) > 0 {
		p("\n## Failures\n")
		budget := maxMarkdownFailures
		for _, g := range m.FailureGroups() {
			markdownGroup(&b, m, g, &budget)
		}
	}
	return b.String()
}

// markdownGroup writes the failures of one requirement on one operation's
// page: the rule and its sources once, then each failure. budget is what
// the failures may still take; a failure that does not fit is named in one
// line.
func markdownGroup(b *strings.Builder, m *model, g failureGroup, budget *int) {
	p := func(format string, a ...any) { fmt.Fprintf(b, format, a...) }
	switch {
	case g.ID == "":
		p("\n### Failed specs that check no listed requirement\n\n")
	case g.Badge() != "":
		p("\n### %s (%s): %s\n\n", cell(g.ID), g.Badge(), cell(g.Text))
	default:
		p("\n### %s: %s\n\n", cell(g.ID), cell(g.Text))
	}
	for _, c := range g.Sources {
		p("- source: %s § %s: \"%s\"\n", cell(documentOf(c)), cell(c.Section), cell(c.Quote))
	}
	for _, f := range g.Failures {
		var one strings.Builder
		markdownFailure(&one, m, f)
		if one.Len() > *budget {
			p("\n#### Failure %d of %d: %s\n\nShown in report.html and results.json: summary.md stays within what a CI job summary takes.\n", f.N, len(m.Failures), cell(f.Detail))
			continue
		}
		*budget -= one.Len()
		b.WriteString(one.String())
	}
	for _, f := range g.Elsewhere {
		p("\nAlso a failure of this requirement: failure %d (%s), shown under %s.\n", f.N, cell(f.Detail), f.FailedRequirements[0])
	}
}

// markdownFailure writes one failure: its evidence, or else its message.
func markdownFailure(b *strings.Builder, m *model, f placed) {
	p := func(format string, a ...any) { fmt.Fprintf(b, format, a...) }
	p("\n#### Failure %d of %d: %s\n\n", f.N, len(m.Failures), cell(f.Detail))
	var facts []string
	if f.SecurityDefect {
		facts = append(facts, "**SECURITY DEFECT**")
	}
	if len(f.FailedRequirements) > 0 {
		facts = append(facts, "Requirements: "+strings.Join(f.FailedRequirements, ", "))
	}
	if f.Location != "" {
		facts = append(facts, "at "+cell(f.Location))
	}
	if len(facts) > 0 {
		p("%s\n\n", strings.Join(facts, " · "))
	}
	if len(f.Evidence) == 0 {
		fenced(b, "text", f.Message)
		return
	}
	for _, e := range f.Evidence {
		if e.Case != "" {
			p("Case:\n\n")
			fenced(b, "text", e.Case)
		}
		p("- **Expected:** %s\n- **Got:** %s\n\n", cell(e.Expected), cell(e.Got))
		for _, x := range e.Exchanges {
			role := ""
			if x.Role != "" {
				role = " (" + cell(x.Role) + ")"
			}
			p("Request%s:\n\n", role)
			fenced(b, "http", x.Request)
			p("Response%s:\n\n", role)
			fenced(b, "text", x.Response)
		}
		if e.Reproduction != "" {
			p("Reproduce:\n\n")
			fenced(b, "sh", e.Reproduction)
		}
		if e.Replay != "" {
			p("Replay the same inputs (add to the suite's arguments):\n\n")
			fenced(b, "text", e.Replay)
		}
	}
}

// fenced writes text as a fenced block, cut at maxMarkdownMessage bytes
// (at a whole rune), with a fence longer than any run of backticks in it.
func fenced(b *strings.Builder, lang, text string) {
	if len(text) > maxMarkdownMessage {
		cut := maxMarkdownMessage
		for !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = text[:cut] + "\n... (cut here; the whole message is in results.json)"
	}
	fence := strings.Repeat("`", max(3, longestRun(text, '`')+1))
	fmt.Fprintf(b, "%s%s\n%s\n%s\n\n", fence, lang, strings.TrimRight(text, "\n"), fence)
}

// cell makes text safe inside one Markdown table cell or heading: GitHub
// would read '|' as a column and '<' as the start of HTML.
func cell(s string) string {
	s = strings.NewReplacer("|", `\|`, "<", "&lt;").Replace(s)
	return strings.Join(strings.Fields(s), " ")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// longestRun is the longest run of c in s: a fence must be longer to hold s.
func longestRun(s string, c byte) int {
	n, best := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			n++
			best = max(best, n)
		} else {
			n = 0
		}
	}
	return best
}

func startTime(m *model) string {
	if m.StartTime.IsZero() {
		return "unknown"
	}
	return m.StartTime.UTC().Format("2006-01-02 15:04:05 UTC")
}

func duration(m *model) string {
	return time.Duration(m.Duration * float64(time.Second)).Round(time.Millisecond).String()
}
