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

// A failure cites the page of the operation that failed: for each rule of
// an operation that cites the other operation's page, the same section
// exists on its own page (Citation.On finds it) and says the quoted words
// there too. Otherwise a failed update would show a section of the POST
// page, or a PATCH section that does not say what is quoted.
func TestEveryCitedSectionHasItsTwin(t *testing.T) {
	twins := 0
	for _, r := range All() {
		for _, op := range r.Ops {
			for _, c := range r.Sources {
				other := ""
				for o, mark := range pageMarks {
					if o != op && strings.HasSuffix(c.Section, mark) {
						other = mark
					}
				}
				if other == "" {
					continue
				}
				on := c.On(op)
				if on.Section == c.Section {
					t.Errorf("%s, a rule of %s, cites %q, and contract.md has no %q: a failed %s would cite the other operation's page (tell the lead; the twin belongs in contract.md)",
						r.ID, op, c.Section, strings.TrimSuffix(c.Section, other)+pageMarks[op], op)
					continue
				}
				twins++
				text, _ := Section(on.Section)
				if !quoted(flatten(text), on.Quote) {
					t.Errorf("%s quotes %q from %q, but its twin %q, cited for a failed %s, does not say it:\n%s", r.ID, c.Quote, c.Section, on.Section, op, text)
				}
			}
		}
	}
	if twins == 0 {
		t.Error("no rule of one operation cites the other operation's page: the check saw nothing to check")
	}
}

// On names the page of the failing operation once, and leaves alone what
// is not a section of the other page.
func TestCitationOn(t *testing.T) {
	post := Citation{Section: "Status codes (POST)", Quote: "401 Authentication failed."}
	patch := Citation{Section: "Status codes (PATCH)", Quote: "401 Authentication failed."}
	part2 := Citation{Section: "X-Auth-Token and 401", Quote: "401"}
	vendor := Citation{Document: "ACME guide", Section: "Shares (POST)", Quote: "x"}
	for _, c := range []struct {
		in   Citation
		op   Operation
		want Citation
	}{
		{post, OpUpdate, patch},
		{patch, OpCreate, post},
		{post, OpCreate, post},
		{part2, OpUpdate, part2},
		{vendor, OpUpdate, vendor},
		{post, OpShow, post},
		{Citation{Section: "Body parameter access_domain (POST)", Quote: "Mandatory: Yes"}, OpUpdate, Citation{Section: "Body parameter access_domain (POST)", Quote: "Mandatory: Yes"}}, // no twin
	} {
		if got := c.in.On(c.op); got != c.want {
			t.Errorf("%+v.On(%s) = %+v, want %+v", c.in, c.op, got, c.want)
		}
	}
	r := Requirement{Sources: []Citation{post, patch, part2}}
	if got := r.SourcesOn(OpUpdate); len(got) != 2 || got[0] != patch || got[1] != part2 {
		t.Errorf("SourcesOn(update) = %+v, want the PATCH section once, then the reading", got)
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
