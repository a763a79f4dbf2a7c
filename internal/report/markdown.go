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
	p("# SWR conformance: %s\n\n", headline(m.Verdict))
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
	row("specs", fmt.Sprintf("%d passed, %d failed, %d skipped, %d not run", m.Specs.Passed, m.Specs.Failed, m.Specs.Skipped, m.Specs.NotRun))
	for _, kv := range m.Meta.Config {
		row(kv.Key, kv.Value)
	}

	p("\n## Requirements\n\n| ID | verdict | specs | note |\n| --- | --- | --- | --- |\n")
	for _, r := range m.Requirements {
		p("| %s | %s | %d | %s |\n", cell(r.ID), r.Verdict, len(r.Specs), cell(r.Reason))
	}

	p("\n## Status codes\n\nObserved: a passing spec of the operation expected and received it.\n\n| operation | observed | never observed |\n| --- | --- | --- |\n")
	for _, oc := range m.StatusCodes {
		var seen, unseen []string
		for _, c := range oc.Codes {
			if c.Observed {
				seen = append(seen, fmt.Sprint(c.Code))
			} else {
				unseen = append(unseen, fmt.Sprint(c.Code))
			}
		}
		p("| %s | %s | %s |\n", oc.Operation, orDash(strings.Join(seen, " ")), orDash(strings.Join(unseen, " ")))
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

func headline(verdict string) string {
	switch verdict {
	case Conforms:
		return "the target CONFORMS"
	case DoesNotConform:
		return "the target DOES NOT CONFORM"
	}
	return "INCOMPLETE, no verdict"
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
