package contract

import (
	_ "embed"
	"strings"
)

// Document is the contract the suite checks, in words: the vendor's two
// pages and the project's readings of them (contract.md, built into every
// binary of the suite). Requirements cite its headings.
//
//go:embed contract.md
var Document string

// Section is the text under the heading with exactly this text (without the
// leading #'s), up to the next heading of the same or a higher level; ok is
// false when the document has no such heading.
func Section(heading string) (text string, ok bool) {
	lines := strings.Split(Document, "\n")
	for i, line := range lines {
		level, title := headingOf(line)
		if level == 0 || title != heading {
			continue
		}
		end := len(lines)
		for j := i + 1; j < len(lines); j++ {
			if l, _ := headingOf(lines[j]); l > 0 && l <= level {
				end = j
				break
			}
		}
		return strings.TrimSpace(strings.Join(lines[i+1:end], "\n")), true
	}
	return "", false
}

// headingOf reads a Markdown ATX heading: its level (0: not a heading) and
// its text.
func headingOf(line string) (level int, title string) {
	for level < len(line) && line[level] == '#' {
		level++
	}
	if level == 0 || level > 6 || level >= len(line) || line[level] != ' ' {
		return 0, ""
	}
	return level, strings.TrimSpace(line[level:])
}
