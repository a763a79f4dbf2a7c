package e2e

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/swr-conformance/swr-conformance/fixtures/refserver"
	"github.com/swr-conformance/swr-conformance/internal/contract"
)

// inProcess starts a reference server on loopback, seeded with the
// existing fixture, and returns it with its URL.
func inProcess(t *testing.T, faults ...refserver.Fault) (*refserver.Server, string) {
	t.Helper()
	return inProcessWith(t, refserver.Options{Faults: faults})
}

// inProcessWith is inProcess with the server's options (the token is the
// tests' own).
func inProcessWith(t *testing.T, o refserver.Options) (*refserver.Server, string) {
	t.Helper()
	o.Token = token
	srv := refserver.New(o)
	if err := srv.CreateRepository("conformance", "team/app"); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return srv, hs.URL
}

// fixtureWrites records the requests that create or delete a namespace or
// repository. In existing-fixture mode the suite sends none, not even to
// find out whether the configured ones exist (contract section 1): a
// create undone at once leaves the inventory as it was, so only the
// requests themselves show it.
type fixtureWrites struct {
	mu   sync.Mutex
	seen []string
}

// watch serves next on a URL of its own and records its fixture writes.
func (fw *fixtureWrites) watch(t *testing.T, next http.Handler) string {
	t.Helper()
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && !strings.Contains(r.URL.EscapedPath(), "/access-domains") {
			fw.mu.Lock()
			fw.seen = append(fw.seen, r.Method+" "+r.URL.EscapedPath())
			fw.mu.Unlock()
		}
		next.ServeHTTP(w, r)
	}))
	t.Cleanup(hs.Close)
	return hs.URL
}

// take returns what was recorded since the last take.
func (fw *fixtureWrites) take() []string {
	fw.mu.Lock()
	defer fw.mu.Unlock()
	seen := fw.seen
	fw.seen = nil
	return seen
}

// share creates a share directly, as someone other than the suite would.
func share(t *testing.T, url, account, description string) {
	t.Helper()
	body := `{"access_domain":"` + account + `","permit":"read","deadline":"2045-01-01T00:00:00Z","description":"` + description + `"}`
	req, _ := http.NewRequest(http.MethodPost, url+"/v2/manage/namespaces/conformance/repositories/team$app/access-domains", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Auth-Token", token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("seeding share of %s: %d", account, resp.StatusCode)
	}
}

func existingEnv(url string) []string {
	return []string{"SWR_ENDPOINT=" + url, "SWR_TOKEN=" + token, "SWR_SHARE_ACCOUNTS=peer-1,peer-2",
		"SWR_NAMESPACE=conformance", "SWR_REPOSITORY=team/app", "SWR_PROVISION=false"}
}

// In existing-fixture mode the suite touches only its own accounts' shares:
// a share of another account survives unchanged, a share of one of its
// accounts left over from an interrupted run is removed before use, and no
// namespace or repository is created or deleted, also on a target without
// list and show of shares, where the run learns from show repository that
// the fixture exists.
func TestExistingFixtureTouchesOnlyItsOwnShares(t *testing.T) {
	dir := bin(t)
	for name, o := range map[string]refserver.Options{
		"full target":                     {},
		"without list and show of shares": {Lacks: []contract.Operation{contract.OpList, contract.OpShow}},
	} {
		t.Run(name, func(t *testing.T) {
			srv, _ := inProcessWith(t, o)
			var writes fixtureWrites
			url := writes.watch(t, srv)
			share(t, url, "outsider", "not the suite's")
			before := srv.Inventory()
			share(t, url, "peer-1", "left over from an interrupted run")

			code, out := runSuite(t, dir, append(existingEnv(url), fewCases))
			if code != 0 {
				t.Fatalf("exit %d with a left-over share present:\n%s", code, tail(out))
			}
			if after := srv.Inventory(); !slices.Equal(before, after) {
				t.Fatalf("the target changed:\nbefore %q\nafter  %q", before, after)
			}
			if w := writes.take(); len(w) > 0 {
				t.Fatalf("existing-fixture mode created or deleted a namespace or repository: %q", w)
			}
		})
	}
}

// In provisioning mode everything the run created is removed, also when
// specs fail.
func TestProvisioningLeavesNothingBehind(t *testing.T) {
	dir := bin(t)
	for _, fault := range []refserver.Fault{"", refserver.FaultUpdate200, refserver.FaultCreateNoop} {
		t.Run(string(fault)+"_", func(t *testing.T) {
			var faults []refserver.Fault
			if fault != "" {
				faults = append(faults, fault)
			}
			srv, url := inProcess(t, faults...)
			share(t, url, "outsider", "not the suite's")
			before := srv.Inventory()
			code, out := runSuite(t, dir, []string{"SWR_ENDPOINT=" + url, "SWR_TOKEN=" + token, "SWR_SHARE_ACCOUNTS=peer-1", "SWR_PROVISION=true", fewCases})
			want := 1
			if fault == "" {
				want = 0
			}
			if code != want {
				t.Fatalf("exit %d:\n%s", code, tail(out))
			}
			if after := srv.Inventory(); !slices.Equal(before, after) {
				t.Fatalf("the run left things behind:\nbefore %q\nafter  %q", before, after)
			}
		})
	}
}

// rewrite serves each request with next and lets edit change the answer
// (status and body) before it is sent; edit may also set headers on w.
func rewrite(next http.Handler, edit func(w http.ResponseWriter, r *http.Request, code int, body []byte) (int, []byte)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		code, body := edit(w, r, rec.Code, rec.Body.Bytes())
		w.WriteHeader(code)
		w.Write(body)
	})
}

// echoToken is a hostile target: it repeats the token it receives in a
// response header and in every response body.
func echoToken(next http.Handler) http.Handler {
	return rewrite(next, func(w http.ResponseWriter, r *http.Request, code int, body []byte) (int, []byte) {
		tok := r.Header.Get("X-Auth-Token")
		w.Header().Set("X-Echo", tok)
		return code, append(append([]byte(nil), body...), " token was "+tok...)
	})
}

// The token never appears in anything the suite writes: console output,
// failure messages, curl reproductions, Ginkgo's JUnit and JSON reports, even
// when a failing target echoes it back.
func TestTokenNeverWritten(t *testing.T) {
	dir := bin(t)
	const secret = "LEAKCHECK-9f2b7c1e-secret"
	srv := refserver.New(refserver.Options{Token: secret, Faults: []refserver.Fault{refserver.FaultForeverRefused}})
	if err := srv.CreateRepository("conformance", "team/app"); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(echoToken(srv))
	defer hs.Close()
	reports := t.TempDir()
	for _, provision := range []string{"false", "true"} {
		env := []string{"SWR_ENDPOINT=" + hs.URL, "SWR_TOKEN=" + secret, "SWR_SHARE_ACCOUNTS=peer-1", "SWR_PROVISION=" + provision, fewCases,
			"SWR_REPORT_DIR=" + filepath.Join(reports, "suite-"+provision)}
		if provision == "false" {
			env = append(env, "SWR_NAMESPACE=conformance", "SWR_REPOSITORY=team/app")
		}
		code, out := runSuite(t, dir, env, "-ginkgo.v",
			"-ginkgo.junit-report="+filepath.Join(reports, "junit-"+provision+".xml"),
			"-ginkgo.json-report="+filepath.Join(reports, "report-"+provision+".json"))
		// The echo must have reached the failure messages, redacted: else
		// this test would prove nothing.
		if code == 0 || !strings.Contains(out, "token was [REDACTED]") {
			t.Fatalf("want a failing run that shows the echoed token redacted; exit %d:\n%s", code, tail(out))
		}
		if strings.Contains(out, secret) {
			t.Fatalf("the token appears in the output:\n%s", tail(out))
		}
	}
	// Ginkgo's own two reports per run, and the suite's four.
	var files []string
	filepath.WalkDir(reports, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, path)
		}
		return err
	})
	if len(files) != 12 {
		t.Fatalf("expected 12 report files, found %d: %q", len(files), files)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(secret)) {
			t.Fatalf("the token appears in %s", f)
		}
		if strings.HasSuffix(f, "report.html") && !bytes.Contains(b, []byte("DOES NOT CONFORM")) {
			t.Fatalf("%s does not show the failing verdict", f)
		}
	}
}
