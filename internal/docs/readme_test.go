package docs

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// readmePath is README.md seen from this package's directory, where go test
// runs it; links in it are relative to the repository root, its directory.
const readmePath = "../../README.md"

func readREADME(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n")
}

// TestREADMETables fails on a table GitHub would render otherwise than it
// reads: a row with more or fewer cells than the header, or a line written
// directly under the last row, which GitHub makes one more row.
func TestREADMETables(t *testing.T) {
	for _, p := range checkTables(readREADME(t)) {
		t.Error("README.md:" + p)
	}
}

// TestREADMELinks fails on a relative link, [text](path), to a file that is
// not in the repository.
func TestREADMELinks(t *testing.T) {
	for _, p := range checkLinks(readREADME(t), filepath.Dir(readmePath)) {
		t.Error("README.md:" + p)
	}
}

// checkTables returns a "LINE: problem: "quoted line"" for every table
// problem in lines, LINE counted from 1. A table is a header row with an
// unescaped '|', then a delimiter row (| --- | :-: |); it goes on until a
// blank line, so every non-blank line after the delimiter is one of its
// rows, and one that does not start with '|' was meant to be text after it.
func checkTables(lines []string) []string {
	var problems []string
	report := func(i int, format string, a ...any) {
		problems = append(problems, fmt.Sprintf("%d: %s: %q", i+1, fmt.Sprintf(format, a...), lines[i]))
	}
	fence := "" // the opening of the fenced code block we are in, if any
	for i := 0; i < len(lines); i++ {
		if fence, _ = fenceState(fence, lines[i]); fence != "" || i+1 >= len(lines) {
			continue
		}
		header := splitCells(lines[i])
		if len(header) == 0 || !isDelimiterRow(lines[i+1]) {
			continue
		}
		if n := len(splitCells(lines[i+1])); n != len(header) {
			report(i+1, "delimiter row has %s, the header has %d (GitHub shows no table)", cells(n), len(header))
		}
		headerLine := i
		for i += 2; i < len(lines) && strings.TrimSpace(lines[i]) != ""; i++ {
			if !strings.HasPrefix(strings.TrimLeft(lines[i], " \t"), "|") {
				report(i, "text directly under the table of line %d becomes a row of it; put a blank line before it", headerLine+1)
				break // the lines after it are the same paragraph: one report
			}
			if n := len(splitCells(lines[i])); n != len(header) {
				report(i, "row has %s, the header (line %d) has %d", cells(n), headerLine+1, len(header))
			}
			if inCode := pipeInCodeSpan(lines[i]); inCode {
				report(i, "a '|' inside `code` still splits the cell on GitHub; write \\| instead")
			}
		}
		i-- // the loop's i++ goes on with the line that ended the table
	}
	return problems
}

func cells(n int) string {
	if n == 1 {
		return "1 cell"
	}
	return fmt.Sprintf("%d cells", n)
}

// fenceState returns the fence we are in after line: the opening fence of a
// code block (``` or ~~~, 3 or more), or "" outside one. open reports that
// line opened or closed a fence.
func fenceState(fence, line string) (after string, open bool) {
	s := strings.TrimLeft(line, " ")
	if len(line)-len(s) > 3 {
		return fence, false // indented code, or a continuation: not a fence
	}
	run := len(s) - len(strings.TrimLeft(s, "`"))
	char := "`"
	if run == 0 {
		run, char = len(s)-len(strings.TrimLeft(s, "~")), "~"
	}
	if run < 3 {
		return fence, false
	}
	if fence == "" {
		return strings.Repeat(char, run), true
	}
	// A closing fence: the same character, at least as long, nothing after.
	if strings.HasPrefix(fence, char) && run >= len(fence) && strings.TrimSpace(s[run:]) == "" {
		return "", true
	}
	return fence, false
}

// splitCells splits a table row into its cells on every '|' that is neither
// escaped (\|) nor inside a `code span`, without the optional leading and
// trailing '|'. A line with no such '|' has no cells.
func splitCells(line string) []string {
	s := strings.TrimSpace(line)
	var cells []string
	start, pipes := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++ // the escaped character, '|' included
		case '`':
			if end := codeSpanEnd(s, i); end > 0 {
				i = end - 1
			} else {
				i += backtickRun(s, i) - 1 // unmatched: literal backticks
			}
		case '|':
			pipes++
			cells = append(cells, s[start:i])
			start = i + 1
		}
	}
	if pipes == 0 {
		return nil
	}
	cells = append(cells, s[start:])
	if strings.TrimSpace(cells[0]) == "" && strings.HasPrefix(s, "|") {
		cells = cells[1:]
	}
	if len(cells) > 0 && strings.TrimSpace(cells[len(cells)-1]) == "" && strings.HasSuffix(s, "|") {
		cells = cells[:len(cells)-1]
	}
	for i, c := range cells {
		cells[i] = strings.TrimSpace(c)
	}
	return cells
}

// backtickRun is the number of backticks from s[i].
func backtickRun(s string, i int) int {
	n := 0
	for i+n < len(s) && s[i+n] == '`' {
		n++
	}
	return n
}

// codeSpanEnd returns the index just after the code span that opens at s[i]
// (a run of n backticks closed by the next run of exactly n), or 0 when the
// run is not closed and so is no code span.
func codeSpanEnd(s string, i int) int {
	n := backtickRun(s, i)
	for j := i + n; j < len(s); {
		if s[j] != '`' {
			j++
			continue
		}
		m := backtickRun(s, j)
		if m == n {
			return j + m
		}
		j += m
	}
	return 0
}

// pipeInCodeSpan reports an unescaped '|' inside a code span of line.
func pipeInCodeSpan(line string) bool {
	for i := 0; i < len(line); i++ {
		if line[i] != '`' {
			continue
		}
		end := codeSpanEnd(line, i)
		if end == 0 {
			i += backtickRun(line, i) - 1
			continue
		}
		code := line[i:end]
		if strings.Contains(strings.ReplaceAll(code, `\|`, ""), "|") {
			return true
		}
		i = end - 1
	}
	return false
}

var delimiterCell = regexp.MustCompile(`^:?-+:?$`)

// isDelimiterRow reports a row like | --- | :---: | --: |.
func isDelimiterRow(line string) bool {
	cells := splitCells(line)
	if len(cells) == 0 {
		return false
	}
	for _, c := range cells {
		if !delimiterCell.MatchString(c) {
			return false
		}
	}
	return true
}

var (
	// inlineLink is [text](dest) or ![alt](dest "title"); dest may be <...>.
	inlineLink = regexp.MustCompile(`!?\[[^\]]*\]\(\s*(<[^>]*>|[^\s)]*)(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)`)
	// refDefinition is [label]: dest, on a line of its own.
	refDefinition = regexp.MustCompile(`^ {0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)`)
	scheme        = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*:`)
)

// checkLinks returns a "LINE: problem: "quoted line"" for every relative
// link in lines, outside code, whose file is not under root. Links with a
// scheme (https:, mailto:) and #anchors are not checked.
func checkLinks(lines []string, root string) []string {
	var problems []string
	fence := ""
	for i, line := range lines {
		var open bool
		if fence, open = fenceState(fence, line); fence != "" || open {
			continue
		}
		var dests []string
		for _, m := range inlineLink.FindAllStringSubmatch(stripCodeSpans(line), -1) {
			dests = append(dests, m[1])
		}
		if m := refDefinition.FindStringSubmatch(line); m != nil {
			dests = append(dests, m[1])
		}
		for _, d := range dests {
			if p := checkLink(d, root); p != "" {
				problems = append(problems, fmt.Sprintf("%d: %s: %q", i+1, p, line))
			}
		}
	}
	return problems
}

// checkLink returns what is wrong with one link destination, or "".
func checkLink(dest, root string) string {
	dest = strings.TrimSuffix(strings.TrimPrefix(dest, "<"), ">")
	if scheme.MatchString(dest) || strings.HasPrefix(dest, "//") {
		return ""
	}
	path, _, _ := strings.Cut(dest, "#")
	path, _, _ = strings.Cut(path, "?")
	if path == "" {
		return "" // an anchor in this page, or an empty link
	}
	if p, err := url.PathUnescape(path); err == nil {
		path = p
	}
	// On GitHub a link starting with / is relative to the repository root.
	rel := filepath.Clean(filepath.FromSlash(strings.TrimPrefix(path, "/")))
	if rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return fmt.Sprintf("link %q leaves the repository", dest)
	}
	if _, err := os.Stat(filepath.Join(root, rel)); err != nil {
		return fmt.Sprintf("link %q: no such file in the repository", dest)
	}
	return ""
}

// stripCodeSpans blanks out code spans, where [x](y) is not a link.
func stripCodeSpans(line string) string {
	b := []byte(line)
	for i := 0; i < len(b); i++ {
		if b[i] != '`' {
			continue
		}
		end := codeSpanEnd(line, i)
		if end == 0 {
			i += backtickRun(line, i) - 1
			continue
		}
		for j := i; j < end; j++ {
			b[j] = ' '
		}
		i = end - 1
	}
	return string(b)
}

// The checkers themselves, on Markdown written to break them.

func TestSplitCells(t *testing.T) {
	tests := []struct {
		line string
		want []string
	}{
		{"| a | b |", []string{"a", "b"}},
		{"a | b", []string{"a", "b"}},
		{"| a | b", []string{"a", "b"}},
		{"|  | b |", []string{"", "b"}},
		{`| a \| b | c |`, []string{`a \| b`, "c"}},
		{`| a \\| b |`, []string{`a \\`, "b"}},
		{"| `a | b` | c |", []string{"`a | b`", "c"}},
		{"| ``a ` | b`` | c |", []string{"``a ` | b``", "c"}},
		{"| `a | b |", []string{"`a", "b"}}, // an unclosed backtick is literal
		{"no pipe at all", nil},
		{"`a | b`", nil},
		{"| --- | :-: |", []string{"---", ":-:"}},
	}
	for _, tc := range tests {
		if got := splitCells(tc.line); fmt.Sprint(got) != fmt.Sprint(tc.want) || len(got) != len(tc.want) {
			t.Errorf("splitCells(%q) = %q, want %q", tc.line, got, tc.want)
		}
	}
}

func TestCheckTables(t *testing.T) {
	tests := []struct {
		name string
		md   string
		want []string // one per problem: "LINE: " and the start of the message
	}{
		{"fine", "text\n\n| a | b |\n| --- | ---: |\n| 1 | `x \\| y` |\n| 2 | 3 |\n\nafter\n", nil},
		{"at the end", "| a | b |\n| --- | --- |\n| 1 | 2 |", nil},
		{"not a table", "a | b\nno delimiter\n| --- |\n", nil},
		{"in a fence", "```\n| a | b |\n| --- | --- |\n| 1 | 2 | 3 |\nswallowed\n```\n", nil},
		{"swallows", "| a | b |\n| --- | --- |\n| 1 | 2 |\nA paragraph\ngoes on.\n", []string{`4: text directly under the table of line 1`}},
		{"swallows after the delimiter", "| a | b |\n| --- | --- |\ntext\n", []string{`3: text directly under the table of line 1`}},
		{"glued on", "| a | b |\n| --- | --- |\n| 1 | 2 | Text\nmore text\n",
			[]string{`3: row has 3 cells, the header (line 1) has 2`, `4: text directly under the table of line 1`}},
		{"too few", "intro\n\n| a | b | c |\n|---|---|---|\n| 1 | 2 |\n", []string{`5: row has 2 cells, the header (line 3) has 3`}},
		{"delimiter", "| a | b |\n| --- |\n| 1 | 2 |\n", []string{`2: delimiter row has 1 cell, the header has 2`}},
		{"pipe in code", "| a | b |\n| --- | --- |\n| `x|y` | 2 |\n", []string{"3: a '|' inside `code`"}},
		{"two tables", "| a |\n| - |\n| 1 |\n\n| b | c |\n| - | - |\n| 1 |\n", []string{`7: row has 1 cell, the header (line 5) has 2`}},
	}
	for _, tc := range tests {
		lines := strings.Split(tc.md, "\n")
		got := checkTables(lines)
		ok := len(got) == len(tc.want)
		for i := 0; ok && i < len(got); i++ {
			// Each message starts as wanted and ends quoting the line it names.
			var n int
			fmt.Sscanf(tc.want[i], "%d:", &n)
			ok = strings.HasPrefix(got[i], tc.want[i]) && strings.HasSuffix(got[i], fmt.Sprintf(": %q", lines[n-1]))
		}
		if !ok {
			t.Errorf("%s: problems\n\t%s\nwant\n\t%s", tc.name, strings.Join(got, "\n\t"), strings.Join(tc.want, "\n\t"))
		}
	}
}

func TestCheckLinks(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "docs"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "docs", "a b.md"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	md := strings.Join([]string{
		"[ok](docs/a%20b.md), [dir](docs/), [anchored](docs/a%20b.md#part), [root](/docs)",                // 1
		"[web](https://example.com/x) [mail](mailto:a@example.com) [here](#section) [<x>](<docs/a b.md>)", // 2
		"[missing](docs/missing.md) and ![image](img/logo.png \"Logo\")",                                  // 3
		"`[code](not/a/link.md)` is code",                                                                 // 4
		"```",                                                                                             // 5
		"[fenced](not/a/link.md)",                                                                         // 6
		"```",                                                                                             // 7
		"[up](../outside.md)",                                                                             // 8
		"[ref]: docs/gone.md",                                                                             // 9
	}, "\n")
	lines := strings.Split(md, "\n")
	got := checkLinks(lines, root)
	want := []string{`3: link "docs/missing.md": no such file`, `3: link "img/logo.png": no such file`,
		`8: link "../outside.md" leaves the repository`, `9: link "docs/gone.md": no such file`}
	ok := len(got) == len(want)
	for i := 0; ok && i < len(got); i++ {
		var n int
		fmt.Sscanf(want[i], "%d:", &n)
		ok = strings.HasPrefix(got[i], want[i]) && strings.HasSuffix(got[i], fmt.Sprintf(": %q", lines[n-1]))
	}
	if !ok {
		t.Errorf("problems\n\t%s\nwant\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
}
