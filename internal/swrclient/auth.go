package swrclient

import (
	"strings"

	"github.com/swr-conformance/swr-conformance/internal/contract"
	"github.com/swr-conformance/swr-conformance/internal/redact"
)

// Auth says which credential a request carries.
type Auth int

const (
	AuthToken   Auth = iota // the configured token
	AuthMissing             // no X-Auth-Token header
	AuthEmpty               // X-Auth-Token with an empty value
	AuthWrong               // WrongToken

	// Near misses of the configured token (contract section 2: a token is
	// an opaque string compared exactly, so each of these is a token the
	// target does not accept). A target that compares a prefix, ignores
	// case or stops reading early accepts some of them; the unrelated
	// WrongToken would never show it.
	AuthLastChanged // the last character changed
	AuthAppended    // one character appended
	AuthLastRemoved // the last character removed
	AuthFirstHalf   // the first half only
	AuthCaseSwapped // every ASCII letter in the other case
)

// WrongToken is sent where a spec needs a token the target cannot accept. It
// is unrelated to the configured token, so showing it leaks nothing.
const WrongToken = "swr-conformance-not-a-valid-token"

// nearMissKinds lists the near misses in the order the specs send them.
var nearMissKinds = []Auth{AuthLastChanged, AuthAppended, AuthLastRemoved, AuthFirstHalf, AuthCaseSwapped}

// NearMisses are the near misses of token worth sending: each differs from
// token and is not empty (an empty token is a case of its own), so a one-
// character token has no "first half", and a token without letters no
// case-swapped twin.
func NearMisses(token string) []Auth {
	var out []Auth
	for _, a := range nearMissKinds {
		if v, _ := a.value(token); v != token && v != "" {
			out = append(out, a)
		}
	}
	return out
}

// minSecretNearMiss is the shortest near miss redacted from text. A near
// miss is part of the token, so it is as secret as the token, except that
// replacing a string of one to three bytes would garble every answer (a
// three-letter token's first half is one letter): tokens that short are no
// secret worth the name, and their full form is still redacted.
const minSecretNearMiss = 4

// NearMissSecrets are the near misses of token that are redacted wherever
// the token is: the client's redactor and the reports' scrubber take them.
func NearMissSecrets(token string) []string {
	var out []string
	for _, a := range NearMisses(token) {
		if v, _ := a.value(token); len(v) >= minSecretNearMiss {
			out = append(out, v)
		}
	}
	return out
}

// newRedactor removes token and its near misses, in every escaped form.
func newRedactor(token string) *redact.Redactor {
	return redact.New(append([]string{token}, NearMissSecrets(token)...)...)
}

// value is the X-Auth-Token a request with this credential carries, given
// the configured token; present is false when it carries no header.
func (a Auth) value(token string) (v string, present bool) {
	switch a {
	case AuthMissing:
		return "", false
	case AuthEmpty:
		return "", true
	case AuthWrong:
		return WrongToken, true
	case AuthLastChanged:
		if token == "" {
			return "", true
		}
		return token[:len(token)-1] + string(changedLast(token)), true
	case AuthAppended:
		return token + "x", true
	case AuthLastRemoved:
		if token == "" {
			return "", true
		}
		return token[:len(token)-1], true
	case AuthFirstHalf:
		return token[:len(token)/2], true
	case AuthCaseSwapped:
		return swapCase(token), true
	}
	return token, true
}

// changedLast is what replaces the token's last character: 'x', or 'y' when
// the token already ends in 'x'. A reproduction writes it literally after
// ${SWR_TOKEN%?}, which tells no more than that the token does not end in it.
func changedLast(token string) byte {
	if strings.HasSuffix(token, "x") {
		return 'y'
	}
	return 'x'
}

// swapCase turns ASCII letters to the other case, as tr 'a-zA-Z' 'A-Za-z'
// does in a reproduction.
func swapCase(s string) string {
	b := []byte(s)
	for i, c := range b {
		switch {
		case 'a' <= c && c <= 'z':
			b[i] = c - 'a' + 'A'
		case 'A' <= c && c <= 'Z':
			b[i] = c - 'A' + 'a'
		}
	}
	return string(b)
}

// String says the credential in words, for spec details and messages.
func (a Auth) String() string {
	switch a {
	case AuthToken:
		return "the token"
	case AuthMissing:
		return "no X-Auth-Token header"
	case AuthEmpty:
		return "an empty X-Auth-Token"
	case AuthWrong:
		return "a token the target never issued"
	case AuthLastChanged:
		return "the token with its last character changed"
	case AuthAppended:
		return "the token with one character appended"
	case AuthLastRemoved:
		return "the token without its last character"
	case AuthFirstHalf:
		return "the first half of the token"
	case AuthCaseSwapped:
		return "the token with its letters' case swapped"
	}
	return "an unknown credential"
}

// header shows the credential's header in a rendering of a request: never
// the token or a near miss of it.
func (a Auth) header() string {
	switch a {
	case AuthToken:
		return contract.HeaderToken + ": " + redact.Marker
	case AuthMissing:
		return "(no " + contract.HeaderToken + " header)"
	case AuthEmpty:
		return contract.HeaderToken + ": (empty)"
	case AuthWrong:
		return contract.HeaderToken + ": " + WrongToken
	}
	return contract.HeaderToken + ": " + redact.Marker + " (" + a.String() + ")"
}

// curlHeader is the credential as curl arguments: the token and its near
// misses are built from $SWR_TOKEN by the shell, never written out. The
// expressions are POSIX sh (dash runs them), byte for byte what value sends.
// changed is what replaced the last character (AuthLastChanged).
func (a Auth) curlHeader(changed byte) []string {
	h := contract.HeaderToken + ": "
	switch a {
	case AuthToken:
		return []string{"-H", `"` + h + `$SWR_TOKEN"`}
	case AuthMissing:
		return nil
	case AuthEmpty:
		return []string{"-H", ShellQuote(contract.HeaderToken + ";")} // curl's spelling of an empty header
	case AuthWrong:
		return []string{"-H", ShellQuote(h + WrongToken)}
	case AuthLastChanged:
		return []string{"-H", `"` + h + `${SWR_TOKEN%?}` + string(changed) + `"`}
	case AuthAppended:
		return []string{"-H", `"` + h + `${SWR_TOKEN}x"`}
	case AuthLastRemoved:
		return []string{"-H", `"` + h + `${SWR_TOKEN%?}"`}
	case AuthFirstHalf:
		return []string{"-H", `"` + h + `$(printf %s "$SWR_TOKEN" | cut -b 1-$((${#SWR_TOKEN} / 2)))"`}
	case AuthCaseSwapped:
		return []string{"-H", `"` + h + `$(printf %s "$SWR_TOKEN" | tr 'a-zA-Z' 'A-Za-z')"`}
	}
	return nil
}
