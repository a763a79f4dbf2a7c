// Command swr-compare says what changed between two runs of the suite, from
// their results.json files: requirements newly failing, newly passing, newly
// not checked, added or removed; undocumented status codes the registry
// newly answers with; and the overall verdict before and after. The nightly
// workflow puts its -markdown output in the job summary, and fails the night
// on exit status 1.
//
//	swr-compare [-markdown] [-allow-missing-old] OLD.json NEW.json
//
// Exit status: 0 when no requirement newly fails, 1 when one does, 2 for bad
// input (wrong arguments, a file missing or not a results.json).
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/swr-conformance/swr-conformance/internal/contract"
	"github.com/swr-conformance/swr-conformance/internal/report"
)

const usage = "usage: swr-compare [-markdown] [-allow-missing-old] OLD.json NEW.json"

// maxText bounds each free text (requirement text, reasons, examples) in the
// output: GitHub refuses a job summary over 1 MiB, and the whole text is in
// results.json anyway.
const maxText = 300

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("swr-compare", flag.ContinueOnError)
	// The flag package prints an error and then the whole usage; we want one
	// line on bad arguments, so it prints nothing and we say it ourselves.
	flags.SetOutput(io.Discard)
	md := flags.Bool("markdown", false, "write Markdown, for $GITHUB_STEP_SUMMARY")
	allowMissingOld := flags.Bool("allow-missing-old", false, "a missing OLD file is no error (the first night): say so and exit 0")
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stdout, usage)
			flags.SetOutput(stdout)
			flags.PrintDefaults()
			return 0
		}
		fmt.Fprintf(stderr, "swr-compare: %v (%s)\n", err, usage)
		return 2
	}
	if flags.NArg() != 2 {
		fmt.Fprintf(stderr, "swr-compare: want 2 files, got %d argument(s) %q (%s)\n", flags.NArg(), flags.Args(), usage)
		return 2
	}
	oldPath, newPath := flags.Arg(0), flags.Arg(1)

	// NEW is read first: a broken NEW is bad input even on the first night.
	// The errors of report.ReadResults name the file, and say whether it is
	// missing (fs.ErrNotExist, for -allow-missing-old) or not a
	// results.json; fields swr-compare does not use are read and ignored.
	newRes, err := report.ReadResults(newPath)
	if err != nil {
		fmt.Fprintln(stderr, "swr-compare:", err)
		return 2
	}
	oldRes, err := report.ReadResults(oldPath)
	if err != nil {
		if *allowMissingOld && errors.Is(err, fs.ErrNotExist) {
			w := newWriter(stdout, *md)
			w.heading()
			w.line(fmt.Sprintf("no previous results to compare with; verdict now: %s", w.plain(string(newRes.Verdict))))
			return 0
		}
		fmt.Fprintln(stderr, "swr-compare:", err)
		return 2
	}

	d := compare(oldRes, newRes)
	d.write(newWriter(stdout, *md))
	if len(d.newlyFailing) > 0 {
		return 1
	}
	return 0
}

// change is one requirement in one of the lists of a diff.
type change struct {
	req        *report.RequirementResult // as in NEW, or as in OLD for a removed one
	oldVerdict report.RequirementVerdict
	isNew      bool // not in OLD
}

// newCode is an undocumented status code NEW saw and OLD did not.
type newCode struct {
	operation contract.Operation
	code      report.CodeSeen
}

// diff is what changed from OLD to NEW.
type diff struct {
	oldVerdict, newVerdict report.Verdict
	newlyFailing           []change // includes a new requirement that fails: it fails tonight and did not yesterday
	newlyPassing           []change
	newlyNotChecked        []change
	otherChange            []change // a verdict this program does not know, on either side
	added                  []change // new requirements that do not fail
	removed                []change
	newCodes               []newCode
}

func (d *diff) empty() bool {
	return d.oldVerdict == d.newVerdict && len(d.newlyFailing)+len(d.newlyPassing)+len(d.newlyNotChecked)+
		len(d.otherChange)+len(d.added)+len(d.removed)+len(d.newCodes) == 0
}

// compare lists the changes in NEW's order, so the output follows the report.
func compare(oldRes, newRes *report.Results) *diff {
	d := &diff{oldVerdict: oldRes.Verdict, newVerdict: newRes.Verdict}
	old := map[string]*report.RequirementResult{}
	for _, r := range oldRes.Requirements {
		old[r.ID] = r
	}
	inNew := map[string]bool{}
	for _, r := range newRes.Requirements {
		if inNew[r.ID] {
			continue // a requirement listed twice is compared once
		}
		inNew[r.ID] = true
		o, ok := old[r.ID]
		c := change{req: r, isNew: !ok}
		if ok {
			c.oldVerdict = o.Verdict
		}
		switch {
		case r.Verdict == report.Fail && c.oldVerdict != report.Fail:
			d.newlyFailing = append(d.newlyFailing, c)
		case !ok:
			d.added = append(d.added, c)
		case r.Verdict == c.oldVerdict:
			// unchanged; a new reason for the same "not checked" is no news
		case r.Verdict == report.Pass:
			d.newlyPassing = append(d.newlyPassing, c)
		case r.Verdict == report.Unchecked:
			d.newlyNotChecked = append(d.newlyNotChecked, c)
		default:
			d.otherChange = append(d.otherChange, c)
		}
	}
	for _, r := range oldRes.Requirements {
		if !inNew[r.ID] {
			inNew[r.ID] = true // once, if OLD lists it twice
			d.removed = append(d.removed, change{req: r, oldVerdict: r.Verdict})
		}
	}

	// An undocumented code is news only if OLD never saw it for the same
	// operation: the registry answering 429 every night is already known.
	seenBefore := map[contract.Operation]map[int]bool{}
	for _, op := range oldRes.StatusCodes {
		if seenBefore[op.Operation] == nil {
			seenBefore[op.Operation] = map[int]bool{}
		}
		for _, c := range op.Codes {
			if c.Seen > 0 {
				seenBefore[op.Operation][c.Code] = true
			}
		}
	}
	for _, op := range newRes.StatusCodes {
		for _, c := range op.Codes {
			if !c.Documented && c.Seen > 0 && !seenBefore[op.Operation][c.Code] {
				d.newCodes = append(d.newCodes, newCode{op.Operation, c})
			}
		}
	}
	return d
}

func (d *diff) write(w *writer) {
	w.heading()
	if d.empty() {
		w.line(fmt.Sprintf("no change from the previous results; verdict: %s", w.plain(string(d.newVerdict))))
		return
	}
	if d.oldVerdict == d.newVerdict {
		w.line(fmt.Sprintf("verdict: %s (unchanged)", w.plain(string(d.newVerdict))))
	} else {
		w.line(fmt.Sprintf("verdict: %s → %s", w.plain(string(d.oldVerdict)), w.plain(string(d.newVerdict))))
	}

	w.section("newly failing", d.newlyFailing, func(c change) string {
		s := w.req(c.req)
		if c.isNew {
			s += " (new requirement)"
		} else {
			s += " (was " + w.plain(string(c.oldVerdict)) + ")"
		}
		if c.req.SecurityDefect {
			s += " " + w.strong("security defect")
		}
		return s
	})
	w.section("newly passing", d.newlyPassing, func(c change) string {
		return w.req(c.req) + " (was " + w.plain(string(c.oldVerdict)) + ")"
	})
	w.section("newly not checked", d.newlyNotChecked, func(c change) string {
		s := w.req(c.req) + " (was " + w.plain(string(c.oldVerdict)) + ")"
		if nc := c.req.NotChecked; nc != nil {
			if nc.Cause != "" {
				s += " [" + w.plain(string(nc.Cause)) + "]"
			}
			if nc.Reason != "" {
				s += ": " + w.plain(nc.Reason)
			}
		}
		return s
	})
	w.section("verdict changed", d.otherChange, func(c change) string {
		return w.req(c.req) + ": " + w.plain(string(c.oldVerdict)) + " → " + w.plain(string(c.req.Verdict))
	})
	w.section("new requirements", d.added, func(c change) string {
		return w.req(c.req) + ": " + w.plain(string(c.req.Verdict))
	})
	w.section("requirements no longer in the report", d.removed, func(c change) string {
		return w.req(c.req) + " (was " + w.plain(string(c.oldVerdict)) + ")"
	})
	if len(d.newCodes) > 0 {
		w.title("new undocumented status codes")
		for _, nc := range d.newCodes {
			s := fmt.Sprintf("%s: %s", w.plain(string(nc.operation)), w.statusCode(nc.code.Code))
			s += fmt.Sprintf(", seen %d time(s)", nc.code.Seen)
			if nc.code.Example != "" {
				s += ", e.g. " + w.code(nc.code.Example)
			}
			w.item(s)
		}
	}
}

// writer renders the same lines as plain text or Markdown, so the two
// formats cannot drift apart in what they say.
type writer struct {
	out io.Writer
	md  bool
}

func newWriter(out io.Writer, md bool) *writer { return &writer{out: out, md: md} }

// heading opens the Markdown section; plain text needs none (the reader
// asked for this comparison).
func (w *writer) heading() {
	if w.md {
		fmt.Fprint(w.out, "## Compared with the previous results\n\n")
	}
}

func (w *writer) line(s string) {
	fmt.Fprintln(w.out, s)
}

func (w *writer) title(s string) {
	if w.md {
		fmt.Fprintf(w.out, "\n### %s\n\n", s)
	} else {
		fmt.Fprintf(w.out, "\n%s:\n", s)
	}
}

func (w *writer) item(s string) {
	if w.md {
		fmt.Fprintf(w.out, "- %s\n", s)
	} else {
		fmt.Fprintf(w.out, "  - %s\n", s)
	}
}

func (w *writer) section(title string, cs []change, render func(change) string) {
	if len(cs) == 0 {
		return
	}
	w.title(title)
	for _, c := range cs {
		w.item(render(c))
	}
}

// req names a requirement: its ID and its text.
func (w *writer) req(r *report.RequirementResult) string {
	id := w.code(r.ID)
	if r.Text == "" {
		return id
	}
	return id + " " + w.plain(r.Text)
}

func (w *writer) statusCode(c int) string {
	if c == 0 {
		return "no answer"
	}
	return w.code(fmt.Sprint(c))
}

func (w *writer) strong(s string) string {
	if w.md {
		return "**" + s + "**"
	}
	return "[" + strings.ToUpper(s) + "]"
}

// plain is free text from the report on one line: a newline would break a
// list item, and Markdown punctuation in a reason would be read as markup.
func (w *writer) plain(s string) string {
	s = oneLine(s)
	if !w.md {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune("\\`*_[]<>|#~", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// code is literal text: an ID or a request, in a Markdown code span whose
// fence is longer than any run of backticks inside it.
func (w *writer) code(s string) string {
	s = oneLine(s)
	if !w.md {
		return s
	}
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return fence + s + fence
}

// oneLine joins the lines of s and cuts it at maxText runes.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > maxText {
		s = string(r[:maxText]) + "…"
	}
	return s
}
