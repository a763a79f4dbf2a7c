package e2e

import (
	"bytes"
	"fmt"
	"hash/fnv"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/swr-conformance/swr-conformance/fixtures/refserver"
	"github.com/swr-conformance/swr-conformance/internal/iam"
	"github.com/swr-conformance/swr-conformance/internal/iam/iamtest"
	"github.com/swr-conformance/swr-conformance/internal/report"
)

// With SWR_IAM_* the suite obtains its own token; wrong credentials stop
// the run at once with a message that names the settings and no secret.
func TestIAMToken(t *testing.T) {
	dir := bin(t)
	creds := iam.Credentials{Username: "nightly", Password: "iam-pa55-word", Domain: "vendor", Project: "cn-north-4"}
	const issued = "MIIiam-issued-token-0123456789"
	iamSrv := httptest.NewServer(iamtest.NewStandIn(iamtest.User{Name: creds.Username, Password: creds.Password, Domain: creds.Domain, Project: creds.Project}, issued))
	defer iamSrv.Close()
	srv := refserver.New(refserver.Options{Token: issued})
	if err := srv.CreateRepository("conformance", "team/app"); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	env := func(password string) []string {
		return []string{"SWR_ENDPOINT=" + hs.URL, "SWR_SHARE_ACCOUNTS=peer-1", "SWR_NAMESPACE=conformance", "SWR_REPOSITORY=team/app",
			"SWR_IAM_ENDPOINT=" + iamSrv.URL, "SWR_USERNAME=nightly", "SWR_PASSWORD=" + password, "SWR_DOMAIN=vendor", "SWR_PROJECT=cn-north-4"}
	}
	code, out := runSuite(t, dir, env(creds.Password), "-ginkgo.label-filter=auth || CREATE-201")
	if code != 0 || strings.Contains(out, issued) || strings.Contains(out, creds.Password) {
		t.Fatalf("exit %d (want 0, no token or password in the output):\n%s", code, tail(out))
	}
	code, out = runSuite(t, dir, env("wrong-password"))
	if code != 2 || !strings.Contains(out, "check SWR_USERNAME, SWR_PASSWORD and SWR_DOMAIN") || strings.Contains(out, "wrong-password") {
		t.Fatalf("exit %d, want 2 and one message about the IAM settings:\n%s", code, out)
	}
}

// throttle answers the first sending of about one in a hundred of the
// distinct requests with 429 or 503 and lets every repetition through, so
// each throttled request succeeds on its first retry whatever the
// concurrency. So few, at any rate, are a flaky backend's: the run's rate
// does not come down for them (internal/pace's dead band), and the test
// stays as fast as the run.
func throttle(next http.Handler) http.Handler {
	var mu sync.Mutex
	seen := map[string]bool{}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		key := r.Method + " " + r.URL.RequestURI() + " " + r.Header.Get("X-Auth-Token") + " " + string(body)
		h := fnv.New32a()
		h.Write([]byte(key))
		mu.Lock()
		first := !seen[key]
		seen[key] = true
		mu.Unlock()
		if first && h.Sum32()%100 == 0 {
			status := http.StatusTooManyRequests
			if h.Sum32()/100%2 == 0 {
				status = http.StatusServiceUnavailable
			}
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(status)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func TestRateLimitingIsNoVerdict(t *testing.T) {
	dir := bin(t)
	srv, _ := inProcess(t)
	hs := httptest.NewServer(throttle(srv))
	defer hs.Close()
	code, out := runSuite(t, dir, existingEnv(hs.URL))
	if code != 0 || !strings.Contains(out, "the target asked to slow down") || !strings.Contains(out, "gave up 0 times") {
		t.Fatalf("exit %d, want 0 and the slow-downs counted:\n%s", code, tail(out))
	}
}

// A target that stops answering gives timed-out results naming the request,
// never a hang; one that never answers stops the run at the first request.
func TestUnansweredRequestsTimeOut(t *testing.T) {
	dir := bin(t)
	srv, _ := inProcess(t)
	// stall leaves requests number from to to-1 unanswered until the client
	// gives up, and answers all others.
	// Stalled handlers are released before the servers close: Close waits
	// for every handler to return.
	release := make(chan struct{})
	var servers []*httptest.Server
	defer func() {
		close(release)
		for _, s := range servers {
			s.Close()
		}
	}()
	stall := func(from, to int64, counts func(*http.Request) bool) http.Handler {
		var n atomic.Int64
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !counts(r) {
				srv.ServeHTTP(w, r)
				return
			}
			if i := n.Add(1); i >= from && i < to {
				// The server notices a hang-up only once the body is read.
				io.Copy(io.Discard, r.Body)
				select {
				case <-r.Context().Done(): // the client gave up
				case <-release:
				}
				return
			}
			srv.ServeHTTP(w, r)
		})
	}
	never := httptest.NewServer(stall(1, 1<<62, func(*http.Request) bool { return true }))
	servers = append(servers, never)
	start := time.Now()
	code, out := runSuite(t, dir, append(existingEnv(never.URL), "SWR_TIMEOUT=300ms"))
	if code != 2 || !strings.Contains(out, "no answer in time") || time.Since(start) > 20*time.Second {
		t.Fatalf("exit %d after %s, want 2 within seconds and a timeout message:\n%s", code, time.Since(start), out)
	}

	// The fifth create of a share and the two times it is sent again (after
	// its slot was emptied) get no answer; in one process they are one
	// request's three attempts.
	start = time.Now()
	creates := func(r *http.Request) bool {
		return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/access-domains")
	}
	pause := httptest.NewServer(stall(5, 8, creates))
	servers = append(servers, pause)
	code, out = runSuite(t, dir, append(existingEnv(pause.URL), "SWR_TIMEOUT=300ms", "SWR_PROCS=1"), "-ginkgo.label-filter=auth || CREATE-201")
	// No answer is never a verdict: exit 3 (incomplete) within seconds, not
	// a hang cut short by the harness, naming the unanswered request.
	if code != 3 || time.Since(start) > 60*time.Second || !strings.Contains(out, "VERDICT: incomplete (exit 3): "+pause.URL+"; ") || !strings.Contains(out, "no answer") || strings.Contains(out, "does NOT conform") {
		t.Fatalf("exit %d, want 3 and not-checked requirements that name the unanswered request:\n%s", code, tail(out))
	}
}

// Certificates are verified; skipping that is an explicit opt-in, reported.
func TestTLSVerification(t *testing.T) {
	dir := bin(t)
	srv, _ := inProcess(t)
	hs := httptest.NewTLSServer(srv)
	defer hs.Close()
	code, out := runSuite(t, dir, existingEnv(hs.URL))
	if code != 2 || !strings.Contains(out, "certificate") {
		t.Fatalf("exit %d, want 2 for an untrusted certificate:\n%s", code, out)
	}
	code, out = runSuite(t, dir, append(existingEnv(hs.URL), "SWR_INSECURE_SKIP_VERIFY=true"), "-ginkgo.label-filter=auth")
	if code != 0 || !strings.Contains(out, "WARNING: TLS certificates are NOT verified") {
		t.Fatalf("exit %d, want 0 and a loud warning:\n%s", code, tail(out))
	}
}

// SWR_RUN_TIMEOUT ends a run that would take too long, without a verdict,
// and the run still removes what it created.
func TestRunTimeout(t *testing.T) {
	dir := bin(t)
	srv := refserver.New(refserver.Options{Token: token})
	before := srv.Inventory()
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(20 * time.Millisecond) // a distant registry: the full run would take about a minute
		srv.ServeHTTP(w, r)
	}))
	defer slow.Close()
	start := time.Now()
	code, out := runSuite(t, dir, []string{"SWR_ENDPOINT=" + slow.URL, "SWR_TOKEN=" + token, "SWR_SHARE_ACCOUNTS=peer-1",
		"SWR_PROVISION=true", "SWR_RUN_TIMEOUT=2s"})
	if code == 0 || time.Since(start) > 30*time.Second || !strings.Contains(out, "VERDICT: incomplete (exit 3): "+slow.URL+"; ") {
		t.Fatalf("exit %d after %s, want a stopped run without a verdict:\n%s", code, time.Since(start), tail(out))
	}
	if after := srv.Inventory(); !slices.Equal(before, after) {
		t.Fatalf("the stopped run left things behind: %q", after)
	}
}

// A gateway that refuses everything after letting the run set up ends the
// run incomplete, with no failed requirement: a slow-down is never a
// verdict, not even the last one. (A run that the timeout stops is
// TestRunTimeout's.)
func TestRefusingEverythingIsIncomplete(t *testing.T) {
	dir := bin(t)
	srv, _ := inProcess(t)
	var n atomic.Int64
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) > 12 { // the set-up's reads go through
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		srv.ServeHTTP(w, r)
	}))
	defer hs.Close()
	reports := t.TempDir()
	start := time.Now()
	code, out := runSuite(t, dir, append(existingEnv(hs.URL), "SWR_RUN_TIMEOUT=60s", "SWR_REPORT_DIR="+reports))
	if _, err := os.Stat(filepath.Join(reports, "results.json")); err != nil {
		t.Fatalf("exit %d and no results.json (%v):\n%s", code, err, tail(out))
	}
	r := readResults(t, reports)
	if code != 3 || r.Verdict != report.Incomplete || len(r.Failing()) > 0 || time.Since(start) > time.Minute {
		t.Fatalf("exit %d, verdict %q, failing %v after %s; want exit 3, incomplete and nothing failed within a minute:\n%s", code, r.Verdict, r.Failing(), time.Since(start), tail(out))
	}
	if tr := r.Traffic; tr == nil || tr.Refused429 == 0 || tr.LearnedRate == 0 {
		t.Errorf("traffic %+v: want the refusals counted and a rate learned", r.Traffic)
	}
}

// SWR_RATE caps the whole run, however many processes share it: the
// requests a server sees in any second are at most the rate (a few more
// for the jitter of arrival), not the rate times the processes.
func TestRateCapsTheWholeRun(t *testing.T) {
	dir := bin(t)
	srv, _ := inProcess(t)
	var mu sync.Mutex
	var arrivals []time.Time
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		arrivals = append(arrivals, time.Now())
		mu.Unlock()
		srv.ServeHTTP(w, r)
	}))
	defer hs.Close()
	const rate = 100
	env := []string{"SWR_ENDPOINT=" + hs.URL, "SWR_TOKEN=" + token, "SWR_SHARE_ACCOUNTS=peer-1,peer-2,peer-3,peer-4",
		"SWR_NAMESPACE=conformance", "SWR_REPOSITORY=team/app", "SWR_PROVISION=false", fmt.Sprintf("SWR_RATE=%d", rate), "SWR_PROCS=4", "SWR_CASES=3"}
	code, out := runSuite(t, dir, env, "-ginkgo.label-filter=update")
	if code != 0 || !strings.Contains(out, "4 parallel processes") {
		t.Fatalf("exit %d, want 0 from a run in 4 processes:\n%s", code, tail(out))
	}
	mu.Lock()
	defer mu.Unlock()
	most := 0
	for i, start := range arrivals {
		n := 0
		for _, at := range arrivals[i:] {
			if at.Sub(start) >= time.Second {
				break
			}
			n++
		}
		most = max(most, n)
	}
	if most > rate+rate/10 {
		t.Errorf("%d requests arrived within one second under SWR_RATE=%d in 4 processes, want at most %d: the cap is for the whole run", most, rate, rate+rate/10)
	}
	if len(arrivals) < 2*rate {
		t.Errorf("only %d requests: too few to see the cap", len(arrivals))
	}
}
