package contract

import (
	"fmt"
	"sort"
	"strings"
)

// Rule names one rule of the contract. Its string is stable: it appears in
// failure messages, reports and fault names.
type Rule string

// Name rules (contract section 3).
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
// empty, Open lists the points of the input the contract leaves open: a
// conforming server may accept or refuse such an input, so the suite asserts
// nothing about it beyond "not 2xx, not 5xx" where it must send one at all.
type Verdict struct {
	Rules []Rule
	Open  []Open // only when Rules is empty
}

// Valid reports whether a conforming server must accept the input.
func (v Verdict) Valid() bool { return len(v.Rules) == 0 && len(v.Open) == 0 }

// Invalid reports whether a conforming server must refuse the input with 400.
func (v Verdict) Invalid() bool { return len(v.Rules) > 0 }

// Pinned reports whether the contract settles the answer: valid or invalid.
func (v Verdict) Pinned() bool { return len(v.Open) == 0 }

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

// Unpinned says in words why the contract does not pin an answer; "" if it
// does.
func (v Verdict) Unpinned() string {
	parts := make([]string, len(v.Open))
	for i, o := range v.Open {
		parts[i] = o.String()
	}
	return strings.Join(parts, "; ")
}

func (v Verdict) String() string {
	switch {
	case v.Invalid():
		parts := make([]string, len(v.Rules))
		for i, r := range v.Rules {
			parts[i] = string(r)
		}
		return "invalid (" + strings.Join(parts, ", ") + ")"
	case len(v.Open) > 0:
		return "not pinned (" + v.Unpinned() + ")"
	default:
		return "valid"
	}
}

// verdict builds a Verdict from a set of broken rules.
func verdict(broken map[Rule]bool, open []Open) Verdict {
	if len(broken) == 0 {
		return Verdict{Open: open}
	}
	rules := make([]Rule, 0, len(broken))
	for r := range broken {
		rules = append(rules, r)
	}
	sort.Slice(rules, func(i, j int) bool { return rules[i] < rules[j] })
	return Verdict{Rules: rules}
}

func isLower(c byte) bool { return c >= 'a' && c <= 'z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// NameKind is one of the two kinds of name in the path, namespace or
// repository: its limits, its separators and the rules that are its own.
type NameKind struct {
	Name       string // "namespace" or "repository", as messages say it
	Repository bool
	MaxLen     int
	Separators string // the characters that separate words
	// The rules of this kind; the character and separator rules
	// (NameInvalidChar, NameAdjacentSeparators, NameTripleUnderscore) are
	// shared by both kinds.
	Empty, TooLong, FirstChar, LastChar Rule
}

// The two kinds of name.
var (
	Namespace  = NameKind{"namespace", false, NamespaceMaxLen, "._-", NSEmpty, NSTooLong, NSFirstChar, NSLastChar}
	Repository = NameKind{"repository", true, RepositoryMaxLen, "._-/", RepoEmpty, RepoTooLong, RepoFirstChar, RepoLastChar}
)

// NameKinds lists both kinds, namespace first.
var NameKinds = []NameKind{Namespace, Repository}

// Rules lists the rules a name of this kind can break while it is still
// one ordinary path segment: every rule but Empty.
func (k NameKind) Rules() []Rule {
	return []Rule{k.TooLong, k.FirstChar, k.LastChar, NameInvalidChar, NameAdjacentSeparators, NameTripleUnderscore}
}

// IsSeparator reports whether c separates words in a name of this kind.
func (k NameKind) IsSeparator(c byte) bool { return strings.IndexByte(k.Separators, c) >= 0 }

// Wire is the form of a name of this kind in a URL path segment, before
// escaping: a repository's '/' sent as '$' (see WireRepository).
func (k NameKind) Wire(name string) string {
	if k.Repository {
		return WireRepository(name)
	}
	return name
}

// Check checks a name of this kind. A repository is checked in its logical
// form, with '/' between path components (not the '$' form sent in URLs).
func (k NameKind) Check(s string) Verdict {
	broken := map[Rule]bool{}
	if s == "" {
		broken[k.Empty] = true
		return verdict(broken, nil)
	}
	if len(s) > k.MaxLen {
		broken[k.TooLong] = true
	}
	first, last := s[0], s[len(s)-1]
	if !(isLower(first) || (k.Repository && isDigit(first))) {
		broken[k.FirstChar] = true
	}
	if !(isLower(last) || isDigit(last)) {
		broken[k.LastChar] = true
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isLower(c) && !isDigit(c) && !k.IsSeparator(c) {
			broken[NameInvalidChar] = true
		}
	}
	// Maximal runs of separators: each must be one separator or exactly "__".
	for i := 0; i < len(s); {
		if !k.IsSeparator(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && k.IsSeparator(s[j]) {
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
	return verdict(broken, nil)
}

// WireRepository is the form of a repository name that goes into a URL path:
// each '/' replaced by '$'. '$' is not a name character, so the mapping is one
// to one.
func WireRepository(name string) string { return strings.ReplaceAll(name, "/", "$") }

// RepositoryFromWire undoes WireRepository.
func RepositoryFromWire(segment string) string { return strings.ReplaceAll(segment, "$", "/") }

// StructuralChars are the printable characters that change a URL's
// structure when they stand raw in a path segment.
const StructuralChars = `/?#%\`

// OrdinarySegment reports whether s, as one URL path segment, keeps the URL's
// structure: printable ASCII without '/', '?', '#', '%', '\' or space, and not
// empty, "." or "..". Invalid names that are ordinary segments must get 400;
// any other name may be turned away by a router first, so only "not 2xx, not
// 5xx" is asserted for it (contract section 3).
func OrdinarySegment(s string) bool {
	if s == "" || s == "." || s == ".." {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(StructuralChars, c) >= 0 {
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
