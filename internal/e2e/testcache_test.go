package e2e

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/swr-conformance/swr-conformance/fixtures/refserver"
	"github.com/swr-conformance/swr-conformance/internal/selftest"
)

// go test ./suites/ against an endpoint always sends its requests: run
// twice against a registry that changed in between, the second run tests
// the registry as it is now, never prints the first run's "ok (cached)".
//
// A run of the embedded server is cached here first: that shows the
// command line is one go test caches (package list mode, only cacheable
// flags: -args or -count=1 would make the test pass without testing
// anything), and that its cached result is not served to a run with
// SWR_ENDPOINT set.
func TestGoTestNeverCachesARunAgainstAnEndpoint(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go test ./suites/ four times")
	}
	conforming := refserver.New(refserver.Options{Token: token})
	faulty := refserver.New(refserver.Options{Token: token, Faults: []refserver.Fault{refserver.FaultCreate200}})
	for _, srv := range []*refserver.Server{conforming, faulty} {
		if err := srv.CreateRepository("conformance", "team/app"); err != nil {
			t.Fatal(err)
		}
	}
	var current atomic.Pointer[refserver.Server]
	current.Store(conforming)
	var requests atomic.Int64
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		current.Load().ServeHTTP(w, r)
	}))
	t.Cleanup(hs.Close)

	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	// The same report directory and settings for every run, so that only
	// the endpoint's settings tell the runs apart; one process, the path
	// go test can cache (a run under the Ginkgo CLI never could).
	common := []string{"SWR_REPORT_DIR=" + t.TempDir(), "SWR_PROCS=1", "SWR_CASES=5",
		// A -count there would turn the cache off and prove nothing; the
		// rest (make test's -trimpath) is kept, so that the build cache
		// serves these runs.
		"GOFLAGS=" + withoutCount(os.Getenv("GOFLAGS")),
	}
	registry := append([]string{"SWR_ENDPOINT=" + hs.URL, "SWR_TOKEN=" + token, "SWR_SHARE_ACCOUNTS=peer-1,peer-2",
		"SWR_NAMESPACE=conformance", "SWR_REPOSITORY=team/app"}, common...)
	goTest := func(env []string) (int, string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		// The command line the README shows for a run against an endpoint.
		cmd := exec.CommandContext(ctx, "go", "test", "-v", "./suites/")
		cmd.Dir = root
		cmd.Env = append(selftest.EnvironWithoutSWR(), env...)
		out, err := cmd.CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return code, string(out)
	}
	okLine := func(out string) string {
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, "ok  \t") || strings.HasPrefix(l, "FAIL\t") {
				return l
			}
		}
		return "(no ok or FAIL line)"
	}

	// The control: the embedded server's result is cached. (-v shows the
	// VERDICT line, which names what was tested.)
	if code, out := goTest(common); code != 0 || !strings.Contains(out, "VERDICT: the target conforms: the embedded reference server; ") {
		t.Fatalf("go test -v ./suites/ on the embedded server: exit %d, want 0 and the VERDICT line of the embedded reference server:\n%s", code, tail(out))
	}
	if code, out := goTest(common); code != 0 || !strings.Contains(okLine(out), "(cached)") {
		t.Fatalf("the second run on the embedded server: exit %d, %q; want it served from the cache, or this test cannot tell a cached run from one that ran:\n%s", code, okLine(out), tail(out))
	}

	for i, step := range []struct {
		name    string
		server  *refserver.Server
		code    int
		verdict string
	}{
		{"conforming", conforming, 0, "VERDICT: incomplete (exit 0): " + hs.URL + ";"},
		{"the same target, now answering 200 to a create", faulty, 1, "VERDICT: the target does NOT conform: " + hs.URL + ";"},
	} {
		current.Store(step.server)
		before := requests.Load()
		code, out := goTest(registry)
		if sent := requests.Load() - before; code != step.code || sent == 0 || strings.Contains(out, "(cached)") || !strings.Contains(out, step.verdict) {
			t.Fatalf("run %d (%s): exit %d, %d requests sent, %q; want exit %d, requests sent and %q, never a cached result:\n%s",
				i+1, step.name, code, sent, okLine(out), step.code, step.verdict, tail(out))
		}
	}
}

// withoutCount is the flags of GOFLAGS less any -count.
func withoutCount(goflags string) string {
	var keep []string
	for _, f := range strings.Fields(goflags) {
		if f != "-count" && !strings.HasPrefix(f, "-count=") && !strings.HasPrefix(f, "--count") {
			keep = append(keep, f)
		}
	}
	return strings.Join(keep, " ")
}
