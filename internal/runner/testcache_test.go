package runner

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/swr-conformance/swr-conformance/internal/config"
)

// A run against an endpoint makes go test's log of it malformed, so go
// test keeps no result of it; a run of the embedded server leaves the log
// alone, and without a log nothing is written.
func TestKeepOutOfTestCache(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "testlog.txt")
	const header = "# test log\ngetenv SWR_ENDPOINT\n"
	if err := os.WriteFile(log, []byte(header), 0o644); err != nil {
		t.Fatal(err)
	}
	keepOutOfTestCache(config.Config{}, log)
	if b, _ := os.ReadFile(log); string(b) != header {
		t.Errorf("the embedded server's run changed the test log: %q", b)
	}
	keepOutOfTestCache(config.Config{Endpoint: "https://swr-api.example.com"}, log)
	b, _ := os.ReadFile(log)
	if !strings.HasPrefix(string(b), header) || !strings.HasSuffix(string(b), "\nuncacheable swr-conformance tested https://swr-api.example.com, whose state go test cannot see\n") {
		t.Errorf("test log after a run against an endpoint: %q; want one line go test cannot read, added at the end", b)
	}

	// Under the Ginkgo CLI package testing wrote no log: the line makes one.
	fresh := filepath.Join(dir, "none-yet.txt")
	keepOutOfTestCache(config.Config{Endpoint: "https://swr-api.example.com"}, fresh)
	if b, err := os.ReadFile(fresh); err != nil || !strings.HasPrefix(string(b), "uncacheable ") {
		t.Errorf("no log yet: got %q (%v), want a log of the one line", b, err)
	}
	keepOutOfTestCache(config.Config{Endpoint: "https://swr-api.example.com"}, "")
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("without a test log something was written: %v", entries)
	}
}
