package runner

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/swr-conformance/swr-conformance/internal/report"
)

// verdictLine is the run's last line. Its start is fixed for each verdict,
// for scripts and people scanning a log (VERDICT: the target conforms,
// VERDICT: the target does NOT conform, VERDICT: incomplete (exit N),
// VERDICT: no run); what was tested follows, so that a log never leaves
// open which target a verdict is about (the endpoint, or the embedded
// reference server), then the detail. A run stopped by its configuration
// has no target to name.
func verdictLine(verdict, target, detail string) string {
	if target == "" {
		return "VERDICT: " + verdict + ": " + detail
	}
	return "VERDICT: " + verdict + ": " + target + "; " + detail
}

// printVerdict writes to w what the verdict rests on and then the VERDICT
// line about target (config.Config.Target), and returns the verdict's exit
// status.
func printVerdict(w io.Writer, j *report.Judgement, target string) int {
	if j.Verdict == report.NoRun {
		// Its reason is the message printed when the run stopped.
		fmt.Fprintln(w, "\n"+verdictLine(report.NoRun.Words(j.ExitCode), target, "the run stopped before its first spec (see the message above)"))
		return j.ExitCode
	}
	// The details first: the VERDICT line is the run's very last.
	fmt.Fprintln(w)
	failed := slices.Sorted(slices.Values(j.Failed))
	for _, f := range failed {
		fmt.Fprintln(w, "  failed: "+f)
	}
	// The first reason is the VERDICT line's own (for an incomplete run,
	// the line says it in its words): each is said once.
	first, rest := "", j.Reasons
	if len(rest) > 0 {
		first, rest = rest[0], rest[1:]
	}
	for _, r := range rest {
		fmt.Fprintln(w, "  - "+r)
	}
	if j.Verdict == report.Incomplete && j.ExitCode == 0 {
		fmt.Fprintln(w, "  This is expected with these settings, and no defect of the target: what was left out is named above, with the setting that checks it.")
	}
	words := j.Verdict.Words(j.ExitCode) // the words scripts match, defined in package report
	switch j.Verdict {
	case report.Conforms:
		fmt.Fprintln(w, verdictLine(words, target, first))
	case report.DoesNotConform:
		fmt.Fprintln(w, verdictLine(words, target, fmt.Sprintf("%s failed (%s)", plural(len(j.Failed), "spec"), first)))
	default:
		fmt.Fprintln(w, verdictLine(words, target, summarizeIncomplete(j)))
	}
	return j.ExitCode
}

// summarizeIncomplete says in one line what an incomplete run left out.
func summarizeIncomplete(j *report.Judgement) string {
	if len(j.NotChecked) == 0 {
		return strings.Join(j.Reasons, "; ")
	}
	if len(j.NotChecked) > 6 { // a focused run: the count says it, the reports list them
		return fmt.Sprintf("nothing failed, but %s not checked (reasons above)", plural(len(j.NotChecked), "requirement"))
	}
	return fmt.Sprintf("nothing failed, but %s not checked: %s (reasons above)", plural(len(j.NotChecked), "requirement"), strings.Join(j.NotChecked, ", "))
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
