package generators

import (
	"fmt"
	"slices"
	"strings"

	"github.com/swr-conformance/swr-conformance/internal/contract"
)

// The pages' example requests carry an account and a deadline that a run
// cannot send as they stand: "demo" is nobody's account on a target, and
// the deadline is in the past (a past deadline is not pinned). The
// boundary cases put the run's account and PageExampleDeadline in their
// place, in the same shape, and keep every other byte.
const (
	pageExampleAccount  = "demo"
	pageExampleDeadline = "2018-10-01T16:00:00.000Z"
	// PageExampleDeadline replaces the pages' deadline: the same shape
	// (three fractional digits, Z), decades ahead.
	PageExampleDeadline = "2045-10-01T16:00:00.000Z"
)

// pageExample is the JSON body of a page's example request, verbatim as
// the contract document reproduces it (line breaks, two-space indentation,
// `"permit" : "read"`), with the run's account and a future deadline.
func pageExample(account string, create bool) string {
	heading := "Example request (PATCH)"
	if create {
		heading = "Example request (POST)"
	}
	section, ok := contract.Section(heading)
	if !ok {
		panic("generators: the contract document has no section " + heading)
	}
	// The code block holds the request line, a blank line and the body,
	// from a line "{" to a line "}".
	lines := strings.Split(section, "\n")
	start, end := slices.Index(lines, "{"), slices.Index(lines, "}")
	if start < 0 || end < start {
		panic("generators: no JSON body in the contract's " + heading)
	}
	body := strings.Join(lines[start:end+1], "\n")
	replace := func(old, new string) {
		if strings.Count(body, old) != 1 {
			panic(fmt.Sprintf("generators: the contract's %s does not hold %s once", heading, old))
		}
		body = strings.Replace(body, old, new, 1)
	}
	if create {
		replace(jsonString(pageExampleAccount), jsonString(account))
	}
	replace(jsonString(pageExampleDeadline), jsonString(PageExampleDeadline))
	return body
}

// reversedMembers is a body laid out one member a line, as the pages lay
// theirs out, with its member lines in the opposite order: the commas
// stay at the ends of every line but the last.
func reversedMembers(body string) string {
	lines := strings.Split(body, "\n")
	members := slices.Clone(lines[1 : len(lines)-1])
	for i := range members {
		members[i] = strings.TrimSuffix(members[i], ",")
	}
	slices.Reverse(members)
	for i := range members[:len(members)-1] {
		members[i] += ","
	}
	return strings.Join(append(append([]string{lines[0]}, members...), lines[len(lines)-1]), "\n")
}

// pageExamples are the boundary cases of the valid bodies: the page's
// example request, byte for byte but for the account and the deadline,
// and the same with its members in the opposite order.
func pageExamples(account string, create bool) []string {
	example := pageExample(account, create)
	return []string{example, reversedMembers(example)}
}
