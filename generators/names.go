package generators

import (
	"fmt"
	"math/rand"
	"strings"

	"github.com/swr-conformance/swr-conformance/internal/contract"
)

const (
	lowerChars = "abcdefghijklmnopqrstuvwxyz"
	digitChars = "0123456789"
	upperChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
)

// nameSpec is a kind of name of the contract, with what generating its
// names takes.
type nameSpec struct{ contract.NameKind }

var (
	namespaceSpec  = nameSpec{contract.Namespace}
	repositorySpec = nameSpec{contract.Repository}
)

func specOf(k contract.NameKind) nameSpec { return nameSpec{k} }

// badChars are the characters that break only name.invalid-char and still
// leave an ordinary path segment: upper case and printable punctuation other
// than separators, the URL's structural characters and, in a repository, '$'
// (the wire form's stand-in for '/').
func (k nameSpec) badChars() (upper, punct string) {
	var b strings.Builder
	for c := byte('!'); c <= '~'; c++ {
		if strings.IndexByte(lowerChars+digitChars+upperChars+k.Separators, c) >= 0 ||
			strings.IndexByte(contract.StructuralChars, c) >= 0 || (k.Repository && c == '$') {
			continue
		}
		b.WriteByte(c)
	}
	return upperChars, b.String()
}

// sepPairs are all ordered pairs of separators that break
// name.adjacent-separators ("__" is allowed).
func (k nameSpec) sepPairs() []string {
	var ps []string
	for _, a := range k.Separators {
		for _, b := range k.Separators {
			if p := string(a) + string(b); p != "__" {
				ps = append(ps, p)
			}
		}
	}
	return ps
}

// edgeTokens are what may stand before the first or after the last letter of
// a name and break only the first-char or last-char rule.
func (k nameSpec) edgeTokens() []string {
	ts := strings.Split(k.Separators, "")
	return append(ts, "__")
}

// nameStyle fixes per sample how dense separators and digits are, so one class
// covers plain words, dotted versions, deep paths and digit runs.
type nameStyle struct{ sep, digit float64 }

func randomStyle(r *rand.Rand) nameStyle {
	return nameStyle{sep: oneOf(r, 0, 0.15, 0.35, 0.6), digit: oneOf(r, 0, 0.25, 0.8)}
}

func isSep(c byte) bool { return c == '.' || c == '_' || c == '-' || c == '/' }

// core returns n ≥ 1 name characters that begin and end with a-z or 0-9 and in
// which every separator run is one separator or exactly "__".
func (k nameSpec) core(r *rand.Rand, n int, st nameStyle) []byte {
	b := make([]byte, 0, n)
	for len(b) < n {
		i := len(b)
		if i > 0 && i < n-1 && !isSep(b[i-1]) && r.Float64() < st.sep {
			c := k.Separators[r.Intn(len(k.Separators))]
			if c == '_' && i+2 < n && r.Intn(3) == 0 {
				b = append(b, '_', '_')
			} else {
				b = append(b, c)
			}
			continue
		}
		if r.Float64() < st.digit {
			b = append(b, digitChars[r.Intn(10)])
		} else {
			b = append(b, lowerChars[r.Intn(26)])
		}
	}
	return b
}

// valid returns a valid name of exactly n characters.
func (k nameSpec) valid(r *rand.Rand, n int) []byte {
	b := k.core(r, n, randomStyle(r))
	if !k.Repository {
		b[0] = lowerChars[r.Intn(26)]
	}
	return b
}

// around puts run between two valid pieces, in a name of total length n.
func (k nameSpec) around(r *rand.Rand, n int, run string) string {
	left := 1 + r.Intn(n-len(run)-1)
	return string(k.valid(r, left)) + run + string(k.core(r, n-len(run)-left, randomStyle(r)))
}

// fixed is a deterministic valid name of length n with every kind of
// separator likely present, for boundary lists.
func (k nameSpec) fixed(n int) string {
	b := k.core(rand.New(rand.NewSource(int64(n))), n, nameStyle{sep: 0.4, digit: 0.3})
	if !k.Repository {
		b[0] = 'a'
	}
	return string(b)
}

func (k nameSpec) holds(rule contract.Rule) func(string) bool {
	return func(s string) bool {
		return k.Check(s).Only(rule) && contract.OrdinarySegment(k.Wire(s)) &&
			!(k.Repository && strings.Contains(s, "$"))
	}
}

func (k nameSpec) validInputs() Inputs {
	boundary := []string{"a", "z", "a0", "a__b", "x.y-z_1", k.fixed(k.MaxLen), strings.Repeat("a", k.MaxLen), k.fixed(k.MaxLen - 1)}
	for _, c := range k.Separators {
		boundary = append(boundary, "a"+string(c)+"b")
	}
	if k.Repository {
		boundary = append(boundary, "1", "0", "9", "1a", "team/app", "a/b/c/d", "0/1", "a__b/c.d-e", strings.Repeat("1", k.MaxLen))
	}
	return Inputs{
		Label:    "valid " + k.Name,
		Gen:      mix(choice{1, func(r *rand.Rand) string { return string(k.valid(r, length(r, 1, k.MaxLen))) }}),
		Boundary: boundary,
		Holds:    func(s string) bool { return k.Check(s).Valid() },
	}
}

func (k nameSpec) invalidInputs(rule contract.Rule) Inputs {
	in := Inputs{Label: string(rule), Holds: k.holds(rule)}
	m := k.MaxLen
	switch rule {
	case k.TooLong:
		in.Gen = mix(choice{1, func(r *rand.Rand) string {
			n := oneOf(r, m+1, m+1, m+1, m+2, m+1+r.Intn(m), m+1+r.Intn(3*m))
			return string(k.valid(r, n))
		}})
		in.Boundary = []string{strings.Repeat("a", m+1), k.fixed(m + 1), strings.Repeat("a", 4*m)}
	case k.FirstChar:
		lead := func(r *rand.Rand) string {
			t := oneOf(r, k.edgeTokens()...)
			return t + string(k.valid(r, length(r, 1, m-len(t))))
		}
		in.Gen = mix(choice{1, lead})
		in.Boundary = []string{"-a", "_a", ".a", "__a", "-" + strings.Repeat("a", m-1)}
		if k.Repository {
			in.Boundary = append(in.Boundary, "/a", "/team/app", "-1")
		} else {
			in.Gen = mix(choice{1, lead}, choice{1, func(r *rand.Rand) string {
				b := k.valid(r, length(r, 1, m))
				b[0] = digitChars[r.Intn(10)]
				return string(b)
			}})
			in.Boundary = append(in.Boundary, "1a", "1", "0", "9a", "1"+strings.Repeat("a", m-1))
		}
	case k.LastChar:
		in.Gen = mix(choice{1, func(r *rand.Rand) string {
			t := oneOf(r, k.edgeTokens()...)
			return string(k.valid(r, length(r, 1, m-len(t)))) + t
		}})
		in.Boundary = []string{"a-", "a_", "a.", "a__", strings.Repeat("a", m-1) + "-"}
		if k.Repository {
			in.Boundary = append(in.Boundary, "a/", "1/", "team/app/")
		}
	case contract.NameInvalidChar:
		upper, punct := k.badChars()
		in.Gen = mix(choice{1, func(r *rand.Rand) string {
			n := length(r, 3, m)
			b := k.valid(r, n)
			set := oneOf(r, upper, punct, upper+punct)
			defects := oneOf(r, 1, 1, 1, 2, 3, n-2)
			for range defects {
				b[1+r.Intn(n-2)] = set[r.Intn(len(set))]
			}
			return string(b)
		}})
		in.Boundary = []string{"a@b", "aBc", "aZ0", "a" + upper + "z", strings.Repeat("a", m-2) + "Bb"}
		for _, c := range punct {
			in.Boundary = append(in.Boundary, "a"+string(c)+"b")
		}
	case contract.NameAdjacentSeparators:
		pairs := k.sepPairs()
		in.Gen = mix(choice{1, func(r *rand.Rand) string {
			run := oneOf(r, pairs...)
			if r.Intn(4) == 0 {
				run = k.badRun(r, 3+r.Intn(3))
			}
			return k.around(r, length(r, len(run)+2, m), run)
		}})
		for _, p := range pairs {
			in.Boundary = append(in.Boundary, "a"+p+"b")
		}
		in.Boundary = append(in.Boundary, "a__-b", "a-__b", "a___-b", "a._.b", "a"+pairs[0]+strings.Repeat("b", m-3))
	case contract.NameTripleUnderscore:
		in.Gen = mix(choice{1, func(r *rand.Rand) string {
			run := strings.Repeat("_", oneOf(r, 3, 3, 3, 4, 3+r.Intn(8)))
			return k.around(r, length(r, len(run)+2, m), run)
		}})
		in.Boundary = []string{"a___b", "a____b", "a___1", "a___" + strings.Repeat("b", m-4)}
	default:
		panic(fmt.Sprintf("generators: no ordinary-segment %s generator for rule %s", k.Name, rule))
	}
	return in
}

// badRun returns n ≥ 2 separators that are not all underscores.
func (k nameSpec) badRun(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = k.Separators[r.Intn(len(k.Separators))]
	}
	if strings.Trim(string(b), "_") == "" {
		others := strings.ReplaceAll(k.Separators, "_", "")
		b[r.Intn(n)] = others[r.Intn(len(others))]
	}
	return string(b)
}

// ValidNames draws valid names of kind k of every length from 1 to its
// maximum (repositories in their logical form, with '/').
func ValidNames(k contract.NameKind) Inputs { return specOf(k).validInputs() }

// InvalidNames draws names of kind k that break rule and no other, and are
// ordinary path segments in their wire form; repositories hold no '$' (it
// would be read back as '/'). It panics for a rule not in k.Rules().
func InvalidNames(k contract.NameKind, rule contract.Rule) Inputs {
	return specOf(k).invalidInputs(rule)
}

// ValidNamespaces is ValidNames(contract.Namespace).
func ValidNamespaces() Inputs { return ValidNames(contract.Namespace) }

// ValidRepositories is ValidNames(contract.Repository).
func ValidRepositories() Inputs { return ValidNames(contract.Repository) }

// InvalidNamespaces is InvalidNames(contract.Namespace, rule).
func InvalidNamespaces(rule contract.Rule) Inputs { return InvalidNames(contract.Namespace, rule) }

// InvalidRepositories is InvalidNames(contract.Repository, rule).
func InvalidRepositories(rule contract.Rule) Inputs { return InvalidNames(contract.Repository, rule) }

// StructureBreakingNames are invalid names that would change the URL's
// structure if sent raw: the suite percent-encodes them, and only "not 2xx,
// not 5xx" is pinned for them. Each is checked in its wire form.
func StructureBreakingNames(k contract.NameKind) []string {
	names := []string{"", ".", "..",
		"?", "a?b", "a?", "#", "a#b", "%", "a%b", "a%2Fb", "a%2e", `\`, `a\b`,
		" ", "a b", " a", "a ", "a\tb", "a\nb", "a\x01b", "a\x7fb",
		"aé", "é", "共享", "a\u00a0b", "a\u200bb", "a\xffb"}
	// In a repository '/' is sent as '$', which keeps the segment ordinary.
	if !k.Repository {
		names = append(names, "/", "a/b", "/a", "a/", "team/app")
	}
	return names
}
