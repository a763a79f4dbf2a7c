package swrclient

import (
	"strings"

	"github.com/swr-conformance/swr-conformance/internal/contract"
)

// EscapeSegment percent-encodes s as one URL path segment. Only RFC 3986
// unreserved characters, sub-delimiters, ':' and '@' stay literal, so the
// server decodes exactly s; "." and ".." are encoded too, because a literal
// dot segment would be resolved away by clients, proxies and routers and the
// server would never see the name the suite meant to send.
func EscapeSegment(s string) string {
	if s == "." || s == ".." {
		return strings.Repeat("%2E", len(s))
	}
	plain := true
	for i := 0; i < len(s) && plain; i++ {
		plain = isPchar(s[i])
	}
	if plain { // most names: nothing to escape, nothing to build
		return s
	}
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isPchar(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

func isPchar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("-._~!$&'()*+,;=:@", c) >= 0
}

const manage = contract.PathNamespaces

// repoSegment is a repository name as it goes into a path: '/' sent as '$'.
func repoSegment(repo string) string { return EscapeSegment(contract.WireRepository(repo)) }

// SharesPath is the collection of shares of a repository (create, list).
func SharesPath(namespace, repository string) string {
	return manage + "/" + EscapeSegment(namespace) + "/" + contract.SegmentRepositories + "/" + repoSegment(repository) + "/" + contract.SegmentShares
}

// SharePath is one share (update, show, delete).
func SharePath(namespace, repository, account string) string {
	return SharesPath(namespace, repository) + "/" + EscapeSegment(account)
}

// NamespacesPath is the collection of namespaces (create).
func NamespacesPath() string { return manage }

// NamespacePath is one namespace (show, delete).
func NamespacePath(namespace string) string { return manage + "/" + EscapeSegment(namespace) }

// RepositoriesPath is the collection of a namespace's repositories (create).
func RepositoriesPath(namespace string) string {
	return NamespacePath(namespace) + "/" + contract.SegmentRepos
}

// RepositoryPath is one repository (show, delete).
func RepositoryPath(namespace, repository string) string {
	return RepositoriesPath(namespace) + "/" + repoSegment(repository)
}
