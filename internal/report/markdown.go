package report

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// maxMarkdownMessage bounds each failure in summary.md: GitHub refuses a job
// summary over 1 MiB, and results.json keeps the whole message anyway.
const maxMarkdownMessage = 4000

// markdown renders summary.md, for a GitHub job summary.
func markdown(m *model) string {
	var b strings.Builder
	p := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	// The heading names what was tested, as the VERDICT line does: a
	// summary of one nightly target among several must say which.
	p("# SWR conformance of %s: %s\n\n", cell(m.Meta.Endpoint), headline(m.Verdict))
	for _, r := range m.Reasons {
		p("- %s\n", r)
	}
	p("\n| | |\n| --- | --- |\n")
	row := func(k, v string) { p("| %s | %s |\n", cell(k), cell(v)) }
	row("suite version", m.Meta.SuiteVersion)
	row("commit", m.Meta.Commit)
	row("endpoint", m.Meta.Endpoint)
	row("seed", fmt.Sprint(m.Meta.Seed))
	row("started", startTime(m))
	row("duration", duration(m))
	row("specs", fmt.Sprintf("%d passed, %d failed, %d not checked, %d not run", m.Specs.Passed, m.Specs.Failed, m.Specs.NotChecked, m.Specs.NotRun))
	for _, kv := range m.Meta.Config {
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
		for _, f := range m.Failures {
			p("\n### %s\n\n", cell(f.Spec.FullName))
			if len(f.Requirements) > 0 {
				p("Requirements: %s\n\n", strings.Join(f.Requirements, ", "))
			}
			msg := f.Spec.Failure
			if len(msg) > maxMarkdownMessage {
				cut := maxMarkdownMessage
				for !utf8.RuneStart(msg[cut]) {
					cut--
				}
				msg = msg[:cut] + "\n... (cut here; the whole message is in results.json)"
			}
			fence := strings.Repeat("`", max(3, longestRun(msg, '`')+1))
			p("%stext\n%s\n%s\n", fence, strings.TrimRight(msg, "\n"), fence)
		}
	}
	return b.String()
}

// headline is the verdict in the words a person looks for.
func headline(verdict string) string {
	switch verdict {
	case Conforms:
		return "CONFORMS"
	case DoesNotConform:
		return "DOES NOT CONFORM"
	case NoRun:
		return "NO RUN"
	}
	return "INCOMPLETE"
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
