package contract

import (
	"strings"
	"testing"
)

// Every source the catalogue cites is a heading of the contract document,
// and the quoted words stand in that section ("..." for what is left out):
// a vendor holding only the binary reads every rule's source.
func TestEverySourceResolvesToTheDocument(t *testing.T) {
	for _, r := range All() {
		if len(r.Sources) == 0 {
			t.Errorf("%s cites no source", r.ID)
		}
		for _, c := range r.Sources {
			if c.Document != "" {
				t.Errorf("%s cites %q: the catalogue cites contract.md alone, which the binary carries", r.ID, c.Document)
			}
			text, ok := Section(c.Section)
			if !ok {
				t.Errorf("%s cites %q, which is no heading of contract.md", r.ID, c.Section)
				continue
			}
			if !quoted(flatten(text), c.Quote) {
				t.Errorf("%s quotes %q from %q, but that section does not say it:\n%s", r.ID, c.Quote, c.Section, text)
			}
		}
	}
}

func TestHeadingsAreUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, line := range strings.Split(Document, "\n") {
		if level, title := headingOf(line); level > 0 {
			if seen[title] {
				t.Errorf("heading %q appears twice: a citation of it would be ambiguous", title)
			}
			seen[title] = true
		}
	}
}

func TestSection(t *testing.T) {
	text, ok := Section("Refused writes have no effect")
	if !ok || !strings.HasPrefix(text, "A refused write has no effect") || strings.Contains(text, "touches only") {
		t.Errorf("Section = %q, %v: want the text under the heading up to the next one", text, ok)
	}
	if _, ok := Section("No such heading"); ok {
		t.Error("Section found a heading that does not exist")
	}
}

// flatten joins a section's lines, so a quote may run across a line break.
func flatten(s string) string { return strings.Join(strings.Fields(s), " ") }

// quoted reports whether quote, whose "..." stand for omitted text, appears
// in text in order.
func quoted(text, quote string) bool {
	at := 0
	for _, part := range strings.Split(quote, "...") {
		part = strings.TrimSpace(part)
		i := strings.Index(text[at:], part)
		if i < 0 {
			return false
		}
		at += i + len(part)
	}
	return true
}
