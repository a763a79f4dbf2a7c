// Package grammar is the contract's input grammar as code: one oracle per
// input kind (namespace, repository, deadline, permit, request bodies) that
// says whether an input is valid, which named rules it breaks, or that the
// contract does not pin an answer for it.
//
// The reference server validates with these oracles and the generators label
// their invalid inputs with the rules reported here, so the suite, its
// generators and its reference server cannot disagree about the grammar.
// The source of every rule is ../shared/CONTRACT-NOTES.md, sections 3 and 4.
package grammar

import (
	"fmt"
	"sort"
	"strings"
)

// Rule names one rule of the contract. Its string is stable: it appears in
// failure messages, reports and fault names.
type Rule string

// Name rules (CONTRACT-NOTES.md section 3).
const (
	NSEmpty     Rule = "ns.empty"      // a namespace has at least 1 character
	NSTooLong   Rule = "ns.too-long"   // a namespace has at most 64 characters
	NSFirstChar Rule = "ns.first-char" // a namespace starts with a-z
	NSLastChar  Rule = "ns.last-char"  // a namespace ends with a-z or 0-9

	RepoEmpty     Rule = "repo.empty"      // a repository has at least 1 character
	RepoTooLong   Rule = "repo.too-long"   // a repository has at most 128 characters
	RepoFirstChar Rule = "repo.first-char" // a repository starts with a-z or 0-9
	RepoLastChar  Rule = "repo.last-char"  // a repository ends with a-z or 0-9

	// NameInvalidChar: only a-z, 0-9 and the separators (. _ - and, in a
	// repository, /) may appear.
	NameInvalidChar Rule = "name.invalid-char"
	// NameAdjacentSeparators: two separators never stand next to each other,
	// except exactly two underscores.
	NameAdjacentSeparators Rule = "name.adjacent-separators"
	// NameTripleUnderscore: at most two underscores in a row.
	NameTripleUnderscore Rule = "name.triple-underscore"
)

// Limits of the name grammar.
const (
	NamespaceMaxLen  = 64
	RepositoryMaxLen = 128
)

// Verdict is an oracle's answer for one input.
//
// Rules lists every rule the input breaks (sorted, no duplicates). When it is
// empty, Unpinned says whether the contract leaves the answer open: a
// conforming server may accept or refuse such an input, so the suite asserts
// nothing about it beyond "not 2xx, not 5xx" where it must send one at all.
type Verdict struct {
	Rules    []Rule
	Unpinned string // why the contract does not pin an answer; "" if it does
}

// Valid reports whether a conforming server must accept the input.
func (v Verdict) Valid() bool { return len(v.Rules) == 0 && v.Unpinned == "" }

// Invalid reports whether a conforming server must refuse the input with 400.
func (v Verdict) Invalid() bool { return len(v.Rules) > 0 }

// Only reports whether the input breaks exactly the rule r and no other.
func (v Verdict) Only(r Rule) bool { return len(v.Rules) == 1 && v.Rules[0] == r }

// Breaks reports whether r is among the rules the input breaks.
func (v Verdict) Breaks(r Rule) bool {
	for _, x := range v.Rules {
		if x == r {
			return true
		}
	}
	return false
}

func (v Verdict) String() string {
	switch {
	case v.Invalid():
		parts := make([]string, len(v.Rules))
		for i, r := range v.Rules {
			parts[i] = string(r)
		}
		return "invalid (" + strings.Join(parts, ", ") + ")"
	case v.Unpinned != "":
		return "not pinned (" + v.Unpinned + ")"
	default:
		return "valid"
	}
}

// verdict builds a Verdict from a set of broken rules.
func verdict(broken map[Rule]bool, unpinned string) Verdict {
	if len(broken) == 0 {
		return Verdict{Unpinned: unpinned}
	}
	rules := make([]Rule, 0, len(broken))
	for r := range broken {
		rules = append(rules, r)
	}
	sort.Slice(rules, func(i, j int) bool { return rules[i] < rules[j] })
	return Verdict{Rules: rules}
}

// IsSeparator reports whether c separates words in a name of the given kind.
func IsSeparator(c byte, repository bool) bool {
	return c == '.' || c == '_' || c == '-' || (repository && c == '/')
}

func isLower(c byte) bool { return c >= 'a' && c <= 'z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

type nameKind struct {
	repository                        bool
	maxLen                            int
	empty, tooLong, firstChar, lastCh Rule
}

var (
	namespaceKind  = nameKind{false, NamespaceMaxLen, NSEmpty, NSTooLong, NSFirstChar, NSLastChar}
	repositoryKind = nameKind{true, RepositoryMaxLen, RepoEmpty, RepoTooLong, RepoFirstChar, RepoLastChar}
)

// Namespace checks a namespace (organization) name.
func Namespace(s string) Verdict { return checkName(s, namespaceKind) }

// Repository checks a repository name in its logical form, with '/' between
// path components (not the '$' form sent in URLs; see WireRepository).
func Repository(s string) Verdict { return checkName(s, repositoryKind) }

func checkName(s string, k nameKind) Verdict {
	broken := map[Rule]bool{}
	if s == "" {
		broken[k.empty] = true
		return verdict(broken, "")
	}
	if len(s) > k.maxLen {
		broken[k.tooLong] = true
	}
	first, last := s[0], s[len(s)-1]
	if !(isLower(first) || (k.repository && isDigit(first))) {
		broken[k.firstChar] = true
	}
	if !(isLower(last) || isDigit(last)) {
		broken[k.lastCh] = true
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isLower(c) && !isDigit(c) && !IsSeparator(c, k.repository) {
			broken[NameInvalidChar] = true
		}
	}
	// Maximal runs of separators: each must be one separator or exactly "__".
	for i := 0; i < len(s); {
		if !IsSeparator(s[i], k.repository) {
			i++
			continue
		}
		j := i
		for j < len(s) && IsSeparator(s[j], k.repository) {
			j++
		}
		run := s[i:j]
		switch {
		case len(run) == 1 || run == "__":
		case strings.Trim(run, "_") == "":
			broken[NameTripleUnderscore] = true
		default:
			broken[NameAdjacentSeparators] = true
		}
		i = j
	}
	return verdict(broken, "")
}

// WireRepository is the form of a repository name that goes into a URL path:
// each '/' replaced by '$'. '$' is not a name character, so the mapping is one
// to one.
func WireRepository(name string) string { return strings.ReplaceAll(name, "/", "$") }

// RepositoryFromWire undoes WireRepository.
func RepositoryFromWire(segment string) string { return strings.ReplaceAll(segment, "$", "/") }

// OrdinarySegment reports whether s, as one URL path segment, keeps the URL's
// structure: printable ASCII without '/', '?', '#', '%', '\' or space, and not
// empty, "." or "..". Invalid names that are ordinary segments must get 400;
// any other name may be turned away by a router first, so only "not 2xx, not
// 5xx" is asserted for it (CONTRACT-NOTES.md section 3).
func OrdinarySegment(s string) bool {
	if s == "" || s == "." || s == ".." {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`/?#%\`, c) >= 0 {
			return false
		}
	}
	return true
}

// Describe renders an input for a message: quoted, with its length when that
// matters to the reader.
func Describe(s string) string {
	if len(s) > 16 {
		return fmt.Sprintf("%q (%d bytes)", s, len(s))
	}
	return fmt.Sprintf("%q", s)
}
