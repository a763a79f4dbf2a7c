package report

import "fmt"

// Explanation is the verdict in plain words, for the verdict block of
// summary.md and report.html: the exit status and what it means, why the
// verdict is what it is, and the requirements not checked, grouped by
// cause rather than one line each. An "incomplete" is then read where it is
// seen: whether the configuration left requirements out (expected, no
// defect of the target, and the setting that checks the rest) or something
// went wrong during the run. results.json carries it beside the reasons.
type Explanation struct {
	ExitCode int      `json:"exit_code"`
	Exit     string   `json:"exit"`   // what the exit status means
	Points   []string `json:"points"` // why this verdict, without the requirements not checked
	// NotChecked groups the requirements not checked by cause: the
	// configuration's first, then the run's. Empty when every requirement
	// was checked, and for "no run" (nothing was).
	NotChecked []NotCheckedGroup `json:"not_checked"`
}

// NotCheckedGroup is the requirements one cause left unchecked.
type NotCheckedGroup struct {
	Cause        Cause            `json:"cause"`
	Requirements int              `json:"requirements"` // how many
	Heading      string           `json:"heading"`      // what the cause means for the verdict
	Items        []NotCheckedItem `json:"items"`
	// Problems are the run's problems, first line each (cause run only).
	Problems []string `json:"problems,omitempty"`
}

// NotCheckedItem is the requirements left out for one reason.
type NotCheckedItem struct {
	Requirements []string `json:"requirements"`
	// Filtered: left out by -ginkgo.label-filter, -focus or -skip. Shown as
	// a count; the requirements table lists them.
	Filtered bool   `json:"filtered,omitempty"`
	Reason   string `json:"reason"`
	Remedy   string `json:"remedy,omitempty"`
}

// Text is the item in one line.
func (it NotCheckedItem) Text() string {
	if it.Filtered {
		n := len(it.Requirements)
		return fmt.Sprintf("%s left out by a filter (-ginkgo.label-filter, -ginkgo.focus or -ginkgo.skip); to check %s: %s (the requirements table lists %s)",
			plural(n, "requirement"), pick(n, "it", "them"), it.Remedy, pick(n, "it", "them"))
	}
	s := list(it.Requirements) + ": " + firstLine(it.Reason)
	if it.Remedy != "" {
		s += "; to check " + pick(len(it.Requirements), "it", "them") + ": " + it.Remedy
	}
	return s
}

// Lines are the explanation as plain text, one line each, items indented:
// for the console, and for any report without markup.
func (e Explanation) Lines() []string {
	out := []string{"exit status " + e.Exit}
	out = append(out, e.Points...)
	for _, g := range e.NotChecked {
		out = append(out, g.Heading)
		for _, it := range g.Items {
			out = append(out, "  - "+it.Text())
		}
		for _, p := range g.Problems {
			out = append(out, "  - problem of the run: "+p)
		}
	}
	return out
}

// The reason a filtered-out spec leaves its requirements unchecked, and
// what checks them (NotChecked.Filtered tells such an item apart).
const (
	filteredReason = "its specs were filtered out (-ginkgo.label-filter, -ginkgo.focus or -ginkgo.skip)"
	filteredRemedy = "run without the filter"
)

// explain builds the explanation of m's verdict; points are why it is
// what it is, and unchecked the requirements not checked.
func explain(m *model, meta Meta, dryRun bool, points []string, unchecked []*RequirementResult) Explanation {
	e := Explanation{ExitCode: m.ExitCode, Exit: exitMeaning(m, meta, dryRun), Points: append([]string{}, points...), NotChecked: []NotCheckedGroup{}}
	if m.Verdict == NoRun {
		return e
	}
	config := NotCheckedGroup{Cause: CauseConfiguration, Items: []NotCheckedItem{}}
	run := NotCheckedGroup{Cause: CauseRun, Items: []NotCheckedItem{}}
	for _, ro := range unchecked {
		g := &config
		if ro.NotChecked.Cause == CauseRun {
			g = &run
		}
		g.Requirements++
		g.add(ro.ID, *ro.NotChecked)
	}
	for _, p := range m.RunProblems {
		run.Problems = append(run.Problems, firstLine(p))
	}
	if config.Requirements > 0 {
		config.Heading = fmt.Sprintf("Left out by this configuration (%s): expected with these settings, and no defect of the target.", plural(config.Requirements, "requirement"))
		e.NotChecked = append(e.NotChecked, config)
	}
	if run.Requirements > 0 || len(run.Problems) > 0 {
		run.Heading = "Something went wrong during the run: no verdict on the target, but the run is not complete."
		if run.Requirements > 0 {
			run.Heading = fmt.Sprintf("Not checked because of what happened during the run (%s): no verdict on the target either way, and the run is not complete.", plural(run.Requirements, "requirement"))
		}
		if len(run.Problems) > 0 {
			run.Heading += " See the problems of the run."
		}
		e.NotChecked = append(e.NotChecked, run)
	}
	return e
}

// add puts requirement id into the item of its reason and remedy, or a
// new one: requirements left out for the same reason share one line.
func (g *NotCheckedGroup) add(id string, nc NotChecked) {
	filtered, remedy := nc.Filtered, nc.Remedy
	reason := firstLine(nc.Reason) // the rest (an exchange, say) is in the requirement's note
	for i, it := range g.Items {
		if it.Reason == reason && it.Remedy == remedy {
			g.Items[i].Requirements = append(g.Items[i].Requirements, id)
			return
		}
	}
	g.Items = append(g.Items, NotCheckedItem{Requirements: []string{id}, Filtered: filtered, Reason: reason, Remedy: remedy})
}

// exitMeaning says the exit status and what it means, after "exit status ".
func exitMeaning(m *model, meta Meta, dryRun bool) string {
	code := m.ExitCode
	switch {
	case meta.NoRun != "":
		return fmt.Sprintf("%d: no run; fix what the message names", code)
	case dryRun && m.Verdict == Incomplete:
		return fmt.Sprintf("%d: a dry run, which checks nothing", code)
	}
	switch m.Verdict {
	case Conforms:
		return fmt.Sprintf("%d: the target conforms", code)
	case DoesNotConform:
		return fmt.Sprintf("%d: the target does not conform", code)
	}
	runCause := len(m.RunProblems) > 0
	for _, ro := range m.Requirements {
		if ro.NotChecked != nil && ro.NotChecked.Cause == CauseRun {
			runCause = true
		}
	}
	switch {
	case code == 0:
		return "0: nothing failed, and only the configuration left requirements unchecked (SWR_REQUIRE_COMPLETE=true makes this 3)"
	case runCause:
		return fmt.Sprintf("%d: nothing failed, but something went wrong during the run", code)
	case meta.RequireComplete:
		return fmt.Sprintf("%d: nothing failed, but SWR_REQUIRE_COMPLETE=true asks for every requirement, and the configuration left some out", code)
	}
	return fmt.Sprintf("%d: nothing failed, but not every requirement was checked", code)
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func pick(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
