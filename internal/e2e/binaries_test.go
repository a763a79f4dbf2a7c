// Package e2e runs the shipped binaries as a vendor would: the compiled suite
// against the reference server started as a separate program on loopback.
package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/swr-conformance/swr-conformance/internal/selftest"
)

// binaries builds the suite and the reference server once per test run.
var binaries = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "swr-e2e-")
	if err != nil {
		return "", err
	}
	_, _, err = selftest.Build(dir)
	return dir, err
})

func bin(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binaries")
	}
	dir, err := binaries()
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// startRefserver runs swr-refserver on a free loopback port and returns its URL.
func startRefserver(t *testing.T, dir string, args ...string) string {
	t.Helper()
	url, stop, err := selftest.StartRefServer(context.Background(), filepath.Join(dir, "swr-refserver"), args...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return url
}

// runSuite runs the compiled suite with env and returns its exit code and output.
func runSuite(t *testing.T, dir string, env []string, args ...string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(dir, "swr-conformance"), args...)
	// Reports go to a directory of the test's own unless env names one.
	cmd.Env = append(append(selftest.EnvironWithoutSWR(), "SWR_REPORT_DIR="+t.TempDir()), env...)
	out, err := cmd.CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, string(out)
}

const token = "e2e-token-4f1c9a"

// fewCases has a run draw selftest.FaultCases random cases per property
// instead of the default 25, for a test of how a run behaves (its cleanup,
// its output, its merge, its redaction) rather than of which inputs it
// sends: every spec still runs, and the kill matrix shows every fault
// caught at this count. A run costs about half as much.
var fewCases = fmt.Sprintf("SWR_CASES=%d", selftest.FaultCases)

func TestCompiledSuitePassesStandaloneServer(t *testing.T) {
	dir := bin(t)
	url := startRefserver(t, dir, "-token", token, "-namespace", "conformance", "-repository", "team/app")
	common := []string{"SWR_ENDPOINT=" + url, "SWR_TOKEN=" + token, "SWR_SHARE_ACCOUNTS=peer-1,peer-2"}
	// Existing-fixture mode cannot create names, so it is incomplete by its
	// configuration (exit 0); provisioning checks everything.
	for name, tc := range map[string]struct {
		env  []string
		want string
	}{
		"existing fixture": {append(common, "SWR_NAMESPACE=conformance", "SWR_REPOSITORY=team/app", "SWR_PROVISION=false"), "VERDICT: incomplete (exit 0): " + url + "; "},
		"provisioning":     {append(common, "SWR_PROVISION=true"), "VERDICT: the target conforms: " + url + "; "},
	} {
		t.Run(name, func(t *testing.T) {
			code, out := runSuite(t, dir, tc.env)
			if code != 0 || !strings.Contains(out, tc.want) {
				t.Fatalf("exit %d, want 0 and %q:\n%s", code, tc.want, tail(out))
			}
			if strings.Contains(out, token) {
				t.Fatal("the token appears in the suite's output")
			}
		})
	}
}

func TestCompiledSuiteFailsFaultyServer(t *testing.T) {
	dir := bin(t)
	url := startRefserver(t, dir, "-token", token, "-namespace", "conformance", "-repository", "team/app", "-fault", "update-200")
	code, out := runSuite(t, dir, []string{"SWR_ENDPOINT=" + url, "SWR_TOKEN=" + token, "SWR_SHARE_ACCOUNTS=peer-1",
		"SWR_NAMESPACE=conformance", "SWR_REPOSITORY=team/app"}, "-ginkgo.label-filter=UPDATE-201")
	if code == 0 || !strings.Contains(out, "VERDICT: the target does NOT conform: "+url+"; ") || !strings.Contains(out, "rule UPDATE-201") {
		t.Fatalf("exit %d, want a failing verdict naming UPDATE-201:\n%s", code, tail(out))
	}
	if strings.Contains(out, token) {
		t.Fatal("the token appears in the suite's output")
	}
}

// Bad settings and unreachable targets end the run before any spec with one
// message that names what to fix.
func TestCompiledSuiteRefusesBadSetup(t *testing.T) {
	dir := bin(t)
	tests := []struct {
		name string
		env  []string
		want string
	}{
		{"token missing", []string{"SWR_ENDPOINT=http://127.0.0.1:1", "SWR_SHARE_ACCOUNTS=a", "SWR_NAMESPACE=ns", "SWR_REPOSITORY=r"}, "SWR_TOKEN is required"},
		{"unreachable", []string{"SWR_ENDPOINT=http://127.0.0.1:1", "SWR_TOKEN=x", "SWR_SHARE_ACCOUNTS=a", "SWR_NAMESPACE=ns", "SWR_REPOSITORY=r"}, "cannot reach SWR_ENDPOINT=http://127.0.0.1:1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out := runSuite(t, dir, tc.env)
			if code != 2 || !strings.Contains(out, tc.want) || strings.Contains(out, "FAIL!") || strings.Count(out, "\n") > 6 {
				t.Fatalf("exit %d, want 2 and one message containing %q:\n%s", code, tc.want, out)
			}
		})
	}
	t.Run("wrong token", func(t *testing.T) {
		url := startRefserver(t, dir, "-token", token, "-namespace", "ns", "-repository", "r")
		code, out := runSuite(t, dir, []string{"SWR_ENDPOINT=" + url, "SWR_TOKEN=not-it", "SWR_SHARE_ACCOUNTS=a", "SWR_NAMESPACE=ns", "SWR_REPOSITORY=r"})
		if code != 2 || !strings.Contains(out, "refused the token (401): check SWR_TOKEN") {
			t.Fatalf("exit %d:\n%s", code, out)
		}
	})
}

func tail(s string) string {
	lines := strings.Split(s, "\n")
	if len(lines) > 80 {
		lines = lines[len(lines)-80:]
	}
	return strings.Join(lines, "\n")
}
