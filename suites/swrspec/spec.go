package swrspec

import (
	"github.com/onsi/ginkgo/v2"

	"github.com/swr-conformance/swr-conformance/internal/contract"
)

// Requirement is one rule of the contract: see package contract's
// catalogue, or declare a rule of your own.
type Requirement = contract.Requirement

// Group is a set of specs a user selects by label.
type Group = contract.Group

// Also names the requirements a spec checks besides the one it is named
// after (a create spec that also reads the share back, say).
type Also []Requirement

// ItChecks declares a spec of requirement req, as Ginkgo's It does. Its name
// is "[ID] rule (detail)"; its labels are the IDs of req and of the
// requirements of an Also argument, req's groups, its operation when it has
// one, and every Group argument. The other arguments (decorators, the body)
// go to It unchanged. Name and labels come from the same requirement, so
// they cannot drift apart.
func ItChecks(req Requirement, detail string, args ...any) bool {
	labels := LabelsOf(req)
	var rest []any
	for _, a := range args {
		switch a := a.(type) {
		case Also:
			for _, r := range a {
				labels = appendNew(labels, r.ID)
				for _, g := range r.Groups {
					labels = appendNew(labels, string(g))
				}
			}
		case Group:
			labels = appendNew(labels, string(a))
		default:
			rest = append(rest, a)
		}
	}
	return ginkgo.It(Name(req, detail), append([]any{ginkgo.Label(labels...), ginkgo.Offset(1)}, rest...)...)
}

// Name is the name of a spec of req: "[ID] rule", and " (detail)" when
// there is one.
func Name(req Requirement, detail string) string {
	if detail == "" {
		return "[" + req.ID + "] " + req.Text
	}
	return "[" + req.ID + "] " + req.Text + " (" + detail + ")"
}

// LabelsOf are the labels of a spec of req alone: its ID, its groups, and the
// group of its operation when it is a rule of one operation only.
func LabelsOf(req Requirement) []string {
	labels := []string{req.ID}
	if len(req.Ops) == 1 {
		labels = appendNew(labels, string(contract.GroupOf(req.Ops[0])))
	}
	for _, g := range req.Groups {
		labels = appendNew(labels, string(g))
	}
	return labels
}

func appendNew(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}
