package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The README's first screen takes a newcomer from a clone to a passing run,
// a failing run against a fault, and their own registry; the failing run
// is the README's own commands, run as written (on a free port), and it
// fails the way the README says.
func TestREADMEQuickStart(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "README.md")) // go test runs in the package's directory
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(raw), "\n")
	first := strings.Join(lines[:min(len(lines), 45)], "\n")
	for _, want := range []string{"make conformance", "make test", "-fault ", "bin/swr-conformance", "export SWR_ENDPOINT=", "VERDICT: the target does NOT conform"} {
		if !strings.Contains(first, want) {
			t.Errorf("the README's first screen (45 lines) lacks %q", want)
		}
	}

	var server, suite []string // the quick start's commands, continuation lines joined
	for i := 0; i < len(lines) && i < 45; i++ {
		line := lines[i]
		for strings.HasSuffix(line, `\`) && i+1 < len(lines) {
			i++
			line = strings.TrimSuffix(line, `\`) + " " + strings.TrimSpace(lines[i])
		}
		switch f := strings.Fields(line); {
		case len(f) > 0 && f[0] == "bin/swr-refserver":
			server = f
		case len(f) > 0 && strings.HasPrefix(f[0], "SWR_ENDPOINT="):
			suite = f
		}
	}
	if server == nil || suite == nil || server[len(server)-1] != "&" || suite[len(suite)-1] != "bin/swr-conformance" {
		t.Fatalf("the quick start has no reference server with a fault and no suite run against it:\nserver %q\nsuite %q", server, suite)
	}
	dir := bin(t)
	var args []string
	for i := 1; i < len(server)-1; i++ {
		if server[i] == "-listen" {
			i++ // a free port instead of 8080
			continue
		}
		args = append(args, server[i])
	}
	url := startRefserver(t, dir, args...)
	var env []string
	for _, kv := range suite[:len(suite)-1] {
		if strings.HasPrefix(kv, "SWR_ENDPOINT=") {
			kv = "SWR_ENDPOINT=" + url
		}
		env = append(env, kv)
	}
	code, out := runSuite(t, dir, env)
	if code != 1 || !strings.HasPrefix(lastLine(out), "VERDICT: the target does NOT conform: "+url+";") {
		t.Errorf("the quick start's failing run: exit %d, want 1 and the README's VERDICT line:\n%s", code, tail(out))
	}
}
