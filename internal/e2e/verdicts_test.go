package e2e

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/swr-conformance/swr-conformance/fixtures/refserver"
	"github.com/swr-conformance/swr-conformance/internal/report"
	"github.com/swr-conformance/swr-conformance/internal/selftest"
	"github.com/swr-conformance/swr-conformance/internal/swrclient"
)

// readResults reads the results.json of a run in dir, as every reader of
// it does (report.ReadResults), after checking it against the schema
// documented for CI users (internal/report/results.schema.json).
func readResults(t *testing.T, dir string) *report.Results {
	t.Helper()
	path := filepath.Join(dir, "results.json")
	r, err := report.ReadResults(path)
	if err != nil {
		t.Fatalf("no results.json: %v", err)
	}
	if err := holdsToSchema(path); err != nil {
		t.Errorf("the run's results.json does not hold to results.schema.json: %v", err)
	}
	return r
}

// resultsSchema is internal/report/results.schema.json, compiled.
var resultsSchema = sync.OnceValues(func() (*jsonschema.Schema, error) {
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	abs, err := filepath.Abs(filepath.Join("..", "report", "results.schema.json")) // go test runs in the package's directory
	if err != nil {
		return nil, err
	}
	return c.Compile(abs)
})

func holdsToSchema(path string) error {
	schema, err := resultsSchema()
	if err != nil {
		return err
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	inst, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		return err
	}
	return schema.Validate(inst)
}

// verdictOf is requirement id's verdict, "" when the results lack it.
func verdictOf(r *report.Results, id string) report.RequirementVerdict {
	if q := r.Requirement(id); q != nil {
		return q.Verdict
	}
	return ""
}

func lastLine(out string) string {
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	return lines[len(lines)-1]
}

// The conforming dialects, in both fixture modes and two more seeds than
// the kill matrix's (selftest.Seed, which passes both dialects in both
// modes at the same default cases): provisioning checks every requirement
// and conforms; existing-fixture mode cannot create names, so it is
// incomplete, names NAMES-VALID-ACCEPTED, and exits 0, or 3 when the whole
// contract is required. The exit status of SWR_REQUIRE_COMPLETE is the
// runner's, whatever the dialect and seed: each dialect is run with it on
// (seed 2) and off (seed 3), which still shows both dialects passing every
// seed in both modes. The server is the swr-refserver program, as a vendor
// starts it.
func TestVerdictsOfConformingDialects(t *testing.T) {
	dir := bin(t)
	for _, dialect := range []refserver.Dialect{refserver.Strict, refserver.Lenient} {
		for _, seed := range []string{fmt.Sprint(selftest.Seed + 1), fmt.Sprint(selftest.Seed + 2)} {
			url := startRefserver(t, dir, "-token", token, "-namespace", "conformance", "-repository", "team/app", "-dialect", dialect.String())
			name := fmt.Sprintf("%s/seed-%s", dialect, seed)
			t.Run(name+"/provisioning", func(t *testing.T) {
				reports := t.TempDir()
				code, out := runSuite(t, dir, []string{"SWR_ENDPOINT=" + url, "SWR_TOKEN=" + token, "SWR_SHARE_ACCOUNTS=peer-1,peer-2",
					"SWR_PROVISION=true", "SWR_REPORT_DIR=" + reports}, "-ginkgo.seed="+seed)
				r := readResults(t, reports)
				// The VERDICT line names what was tested.
				if code != 0 || r.Verdict != report.Conforms || !strings.HasPrefix(lastLine(out), "VERDICT: the target conforms: "+url+"; ") {
					t.Fatalf("exit %d, verdict %q %v, want 0 and conforms, of %s:\n%s", code, r.Verdict, r.Reasons, url, tail(out))
				}
				checkTraffic(t, r)
			})
			complete := seed == "2"
			t.Run(fmt.Sprintf("%s/existing/require-complete=%v", name, complete), func(t *testing.T) {
				reports := t.TempDir()
				env := append(existingEnv(url), "SWR_REPORT_DIR="+reports, fmt.Sprintf("SWR_REQUIRE_COMPLETE=%v", complete))
				code, out := runSuite(t, dir, env, "-ginkgo.seed="+seed)
				r := readResults(t, reports)
				want := 0
				if complete {
					want = 3
				}
				if code != want || r.Verdict != report.Incomplete || verdictOf(r, "NAMES-VALID-ACCEPTED") != report.Unchecked || len(r.Failing()) > 0 {
					t.Fatalf("exit %d (want %d), verdict %q, failing %v:\n%s", code, want, r.Verdict, r.Failing(), tail(out))
				}
				if !strings.HasPrefix(lastLine(out), "VERDICT: incomplete (exit "+fmt.Sprint(want)+"): "+url+"; ") || !strings.Contains(out, "NAMES-VALID-ACCEPTED not checked (configuration)") || !strings.Contains(out, "SWR_PROVISION=true") {
					t.Fatalf("the VERDICT line must be last and name NAMES-VALID-ACCEPTED with the setting that checks it:\n%s", tail(out))
				}
				checkTraffic(t, r)
			})
		}
	}
}

// checkTraffic checks a conforming run's traffic: every request sent once,
// nothing refused, and the requests the run said up front it would send
// within 10% of what it sent (the figures of expectedRequests, kept in step
// with the specs here).
func checkTraffic(t *testing.T, r *report.Results) {
	t.Helper()
	tr := r.Traffic
	if tr == nil {
		t.Fatal("results.json has no traffic")
	}
	if tr.Sent != tr.Requests || tr.Refused429+tr.Refused503 != 0 || tr.LearnedRate != 0 {
		t.Errorf("traffic %+v: want every request sent once, none refused, no rate learned", *tr)
	}
	if diff := tr.ExpectedRequests - tr.Requests; diff*10 > tr.Requests || -diff*10 > tr.Requests {
		t.Errorf("the run said it would send about %d requests and sent %d: update expectedRequests (internal/runner/gate.go) to the specs", tr.ExpectedRequests, tr.Requests)
	}
}

// failDeletesAfter answers every share delete after the first n with 500: a
// registry whose cleanup breaks mid-run.
func failDeletesAfter(n int64, next http.Handler) http.Handler {
	var deletes atomic.Int64
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodDelete && strings.Contains(r.URL.Path, "/access-domains/") && deletes.Add(1) > n {
			http.Error(w, `{"errorCode":"SVCSTG.SWR.5000001","errorMessage":"internal error"}`, http.StatusInternalServerError)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// A failing cleanup is a problem of the run: incomplete, exit 3, and no
// requirement marked failed.
func TestCleanupFailingMidRunIsIncomplete(t *testing.T) {
	dir := bin(t)
	srv, _ := inProcess(t)
	hs := httptest.NewServer(failDeletesAfter(15, srv))
	defer hs.Close()
	reports := t.TempDir()
	code, out := runSuite(t, dir, append(existingEnv(hs.URL), "SWR_REPORT_DIR="+reports))
	r := readResults(t, reports)
	if code != 3 || r.Verdict != report.Incomplete || len(r.Failing()) > 0 || len(r.RunProblems) == 0 {
		t.Fatalf("exit %d, verdict %q, failing %v, run problems %d; want 3, incomplete, none failing:\n%s", code, r.Verdict, r.Failing(), len(r.RunProblems), tail(out))
	}
	if strings.Contains(out, "does NOT conform") {
		t.Fatalf("a cleanup problem became a verdict:\n%s", tail(out))
	}
}

// dropEvery hangs up without an answer on every n-th request; every other
// drop is served first, so a write may or may not have happened.
func dropEvery(n int64, next http.Handler) http.Handler {
	var count atomic.Int64
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := count.Add(1)
		if i%n != 0 {
			next.ServeHTTP(w, r)
			return
		}
		if (i/n)%2 == 0 {
			next.ServeHTTP(httptest.NewRecorder(), r) // the write happens; its answer is lost
		}
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	})
}

// A network that drops one connection in a hundred before any answer never
// fails a requirement: the verdict is the one the server gets without
// drops, or incomplete.
func TestDroppedConnectionsAreNoVerdict(t *testing.T) {
	dir := bin(t)
	for _, provision := range []bool{true, false} {
		t.Run(fmt.Sprintf("provision=%v", provision), func(t *testing.T) {
			srv, _ := inProcess(t)
			hs := httptest.NewServer(dropEvery(100, srv))
			defer hs.Close()
			reports := t.TempDir()
			env := append(existingEnv(hs.URL), "SWR_REPORT_DIR="+reports)
			if provision {
				env = []string{"SWR_ENDPOINT=" + hs.URL, "SWR_TOKEN=" + token, "SWR_SHARE_ACCOUNTS=peer-1,peer-2", "SWR_PROVISION=true", "SWR_REPORT_DIR=" + reports}
			}
			code, out := runSuite(t, dir, append(env, fewCases))
			r := readResults(t, reports)
			ok := r.Verdict == report.Incomplete || provision && r.Verdict == report.Conforms
			if !ok || len(r.Failing()) > 0 || code == 1 {
				t.Fatalf("exit %d, verdict %q, failing %v:\n%s", code, r.Verdict, r.Failing(), tail(out))
			}
			if !strings.Contains(out, "sent again") && !strings.Contains(out, "no answer") && r.Verdict == report.Conforms {
				t.Logf("no dropped request was visible in the output (the drops were all resent)")
			}
		})
	}
}

// Redaction happens where text comes from the wire: a short token never
// changes the report's own words.
func TestShortTokenLeavesReportWordsIntact(t *testing.T) {
	dir := bin(t)
	srv := refserver.New(refserver.Options{Token: "tok", Faults: []refserver.Fault{refserver.FaultForeverRefused}})
	if err := srv.CreateRepository("conformance", "team/app"); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	reports := t.TempDir()
	code, out := runSuite(t, dir, []string{"SWR_ENDPOINT=" + hs.URL, "SWR_TOKEN=tok", "SWR_SHARE_ACCOUNTS=peer-1,peer-2",
		"SWR_NAMESPACE=conformance", "SWR_REPOSITORY=team/app", "SWR_REPORT_DIR=" + reports})
	if code != 1 {
		t.Fatalf("exit %d, want a failing run:\n%s", code, tail(out))
	}
	mangled := regexp.MustCompile(`\[REDACTED\][a-z]|[a-z]\[REDACTED\]`)
	for _, f := range []string{"results.json", "summary.md", "report.html", "junit.xml"} {
		b, err := os.ReadFile(filepath.Join(reports, f))
		if err != nil {
			t.Fatal(err)
		}
		if m := mangled.Find(b); m != nil {
			t.Errorf("%s has a mangled word: %q", f, m)
		}
		if f != "summary.md" && !strings.Contains(string(b), "token the target does not accept") {
			t.Errorf("%s lost the words of AUTH-401-WRONG-TOKEN", f)
		}
	}
	if m := mangled.FindString(out); m != "" {
		t.Errorf("the console has a mangled word: %q", m)
	}
}

// Configuration mistakes stop the run before any spec: exit 2, one message
// naming the setting.
func TestConfigurationMistakesStopTheRun(t *testing.T) {
	dir := bin(t)
	srv, _ := inProcess(t)
	var writes fixtureWrites
	url := writes.watch(t, srv)
	base := []string{"SWR_ENDPOINT=" + url, "SWR_TOKEN=" + token, "SWR_SHARE_ACCOUNTS=peer-1,peer-2", "SWR_PROVISION=false"}
	tests := []struct {
		name string
		env  []string
		want []string
	}{
		// A 404 from show namespace cannot be told from a target without
		// it, so both settings are named; a namespace shown with its
		// repository not found names the repository.
		{"missing namespace", append(base, "SWR_NAMESPACE=no-such-ns", "SWR_REPOSITORY=team/app"),
			[]string{`SWR_NAMESPACE="no-such-ns" or SWR_REPOSITORY="team/app" does not exist`, "show namespace  GET /v2/manage/namespaces/no-such-ns: 404"}},
		{"a $ in the repository", append(base, "SWR_NAMESPACE=conformance", "SWR_REPOSITORY=team$app"), []string{"write the repository with '/', not '$'"}},
		{"missing repository", append(base, "SWR_NAMESPACE=conformance", "SWR_REPOSITORY=no/such-repo"),
			[]string{`SWR_REPOSITORY="no/such-repo" does not exist in SWR_NAMESPACE="conformance"`, "show repository GET /v2/manage/namespaces/conformance/repos/no$such-repo: 404"}},
		{"misspelled endpoint alone", []string{"SWR_ENDPIONT=" + url}, []string{"SWR_ENDPIONT is not a setting of this suite: did you mean SWR_ENDPOINT?"}},
		{"misspelled endpoint with the vendor settings", []string{"SWR_ENDPIONT=" + url, "SWR_TOKEN=" + token, "SWR_NAMESPACE=conformance", "SWR_REPOSITORY=team/app", "SWR_SHARE_ACCOUNTS=peer-1"},
			[]string{"did you mean SWR_ENDPOINT?"}},
		// A nightly matrix entry without its endpoint: the workflow passes
		// every setting of a target, the unused ones empty. The embedded
		// server would conform in its place.
		{"a target's settings with an empty endpoint", []string{"SWR_ENDPOINT=", "SWR_TOKEN=" + token, "SWR_IAM_ENDPOINT=", "SWR_USERNAME=", "SWR_PASSWORD=", "SWR_DOMAIN=", "SWR_PROJECT=",
			"SWR_NAMESPACE=conformance", "SWR_REPOSITORY=team/app", "SWR_SHARE_ACCOUNTS=peer-1", "SWR_PROVISION="},
			[]string{`SWR_TOKEN, SWR_NAMESPACE, SWR_REPOSITORY, SWR_SHARE_ACCOUNTS, SWR_IAM_ENDPOINT="", SWR_USERNAME="", SWR_PASSWORD="", SWR_DOMAIN="" and SWR_PROJECT="" point at a registry, but SWR_ENDPOINT is empty: set SWR_ENDPOINT to the registry's base URL, or unset them all to test the embedded reference server`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			reports := t.TempDir()
			before := srv.Inventory()
			code, out := runSuite(t, dir, append(tc.env, "SWR_REPORT_DIR="+reports))
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q", w)
				}
			}
			if code != 2 || strings.Contains(out, "Ran ") || strings.Count(out, tc.want[0]) != 1 || !strings.HasPrefix(lastLine(out), "VERDICT: no run") {
				t.Fatalf("exit %d, want 2 and one message before any spec, the VERDICT line last:\n%s", code, out)
			}
			if strings.Contains(out, token) {
				t.Errorf("the output shows the token:\n%s", out)
			}
			if strings.Contains(out, "provisioning is on (SWR_PROVISION=true)") {
				t.Errorf("the message blames SWR_PROVISION=true, which the user never set:\n%s", out)
			}
			// Reports say why the run stopped, whether a setting was wrong or
			// the target could not be used: a CI job's upload finds them.
			r := readResults(t, reports)
			if r.Verdict != report.NoRun || r.ExitCode != 2 || len(r.Reasons) == 0 || !strings.Contains(out, r.Reasons[0]) {
				t.Errorf("results.json says %q (exit %d, %q), want no run with the message of the console", r.Verdict, r.ExitCode, r.Reasons)
			}
			if after := srv.Inventory(); strings.Join(after, "\n") != strings.Join(before, "\n") {
				t.Errorf("checking the fixture changed the target:\nbefore %q\nafter  %q", before, after)
			}
			if w := writes.take(); len(w) > 0 {
				t.Errorf("checking the fixture created or deleted a namespace or repository: %q", w)
			}
		})
	}
}

// A counterexample reproduces by itself: against a server that accepts any
// permit, every seed reports the 201 the invalid permit got, never a 409
// caused by another case running beside it.
func TestCounterexamplesNameTheDefect(t *testing.T) {
	dir := bin(t)
	for seed := 1; seed <= 6; seed++ {
		t.Run(fmt.Sprintf("seed-%d", seed), func(t *testing.T) {
			_, url := inProcess(t, refserver.FaultPermitAny)
			reports := t.TempDir()
			code, out := runSuite(t, dir, append(existingEnv(url), "SWR_CONCURRENCY=8", "SWR_REPORT_DIR="+reports),
				fmt.Sprintf("-ginkgo.seed=%d", seed), "-ginkgo.label-filter=BODY-PERMIT-READ-ONLY")
			if code != 1 {
				t.Fatalf("exit %d, want 1:\n%s", code, tail(out))
			}
			var shown int
			for _, f := range readResults(t, reports).FailuresOf("BODY-PERMIT-READ-ONLY") {
				for _, e := range f.Evidence {
					if e.Requirement != "BODY-PERMIT-READ-ONLY" {
						continue
					}
					for _, x := range e.Exchanges {
						shown++
						if x.Status != http.StatusCreated {
							t.Fatalf("counterexample %q got %d, want 201 (%s %s):\n%s", e.Case, x.Status, x.Method, x.Path, tail(out))
						}
					}
				}
			}
			if shown == 0 {
				t.Fatalf("no counterexample shown:\n%s", tail(out))
			}
		})
	}
}

// created200 answers 200 where the reference server answers 201 to a
// namespace or repository create, as some regions do.
func created200(next http.Handler) http.Handler {
	return rewrite(next, func(_ http.ResponseWriter, r *http.Request, code int, body []byte) (int, []byte) {
		if r.Method == http.MethodPost && !strings.Contains(r.URL.Path, "/access-domains") && code == http.StatusCreated {
			code = http.StatusOK
		}
		return code, body
	})
}

// A neighbouring operation succeeds with any 2xx: a registry that answers
// 200 when a namespace or repository is created is provisioned as usual.
func TestNeighbouringSuccessIsAny2xx(t *testing.T) {
	dir := bin(t)
	srv := refserver.New(refserver.Options{Token: token})
	hs := httptest.NewServer(created200(srv))
	defer hs.Close()
	reports := t.TempDir()
	code, out := runSuite(t, dir, []string{"SWR_ENDPOINT=" + hs.URL, "SWR_TOKEN=" + token, "SWR_SHARE_ACCOUNTS=peer-1,peer-2",
		"SWR_PROVISION=true", "SWR_REPORT_DIR=" + reports})
	if r := readResults(t, reports); code != 0 || r.Verdict != report.Conforms {
		t.Fatalf("exit %d, verdict %q, want 0 and conforms:\n%s", code, r.Verdict, tail(out))
	}
	if inv := srv.Inventory(); len(inv) != 0 {
		t.Fatalf("the run left things behind: %q", inv)
	}
}

// A requirement's verdict is what its own checks showed: against a server
// whose 401 still creates, the auth specs receive their 401 (their
// requirements pass) and then find the share (CREATE-REFUSED-NO-EFFECT
// fails, a security defect). Console, results.json, summary.md,
// report.html and junit.xml say the same of every requirement.
func TestRequirementVerdictIsItsOwnChecks(t *testing.T) {
	dir := bin(t)
	_, url := inProcess(t, refserver.FaultAuth401StillCreates)
	reports := t.TempDir()
	code, out := runSuite(t, dir, append(existingEnv(url), "SWR_REPORT_DIR="+reports, "SWR_PROCS=1"),
		"-ginkgo.label-filter=auth")
	if code != 1 {
		t.Fatalf("exit %d, want 1:\n%s", code, tail(out))
	}
	res := readResults(t, reports)
	want := map[string]report.RequirementVerdict{"AUTH-401-EMPTY-TOKEN": report.Pass, "AUTH-401-MISSING-TOKEN": report.Pass, "AUTH-401-WRONG-TOKEN": report.Pass, "CREATE-REFUSED-NO-EFFECT": report.Fail}
	summary, html, junit := readFile(t, reports, "summary.md"), readFile(t, reports, "report.html"), readFile(t, reports, "junit.xml")
	for id, v := range want {
		if got := verdictOf(res, id); got != v {
			t.Errorf("results.json: %s is %q, want %q", id, got, v)
		}
		if !strings.Contains(summary, "| "+id+" | "+string(v)+" |") {
			t.Errorf("summary.md does not say %s %s", id, v)
		}
		if !regexp.MustCompile(`<td class="id">` + id + `</td>\s*<td><span class="v [a-z-]+">` + string(v) + `</span>`).MatchString(html) {
			t.Errorf("report.html does not say %s %s", id, v)
		}
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "failed: ") && !strings.HasPrefix(strings.TrimSpace(line), "failed: CREATE-REFUSED-NO-EFFECT in ") {
			t.Errorf("the console names a failed spec by another requirement than the one it failed through: %s", line)
		}
	}
	// The failure records say the same: each failed through
	// CREATE-REFUSED-NO-EFFECT, a security defect, a 401 among its
	// exchanges (the refused write) and a reproduction to run.
	if len(res.Failures) == 0 {
		t.Error("results.json has no failure record")
	}
	for _, f := range res.Failures {
		if !slices.Equal(f.Requirements(), []string{"CREATE-REFUSED-NO-EFFECT"}) || !f.SecurityDefect || len(f.Reproductions()) == 0 || !slices.Contains(statuses(f), 401) {
			t.Errorf("failure record %s: requirements %q, security defect %v, statuses %v, %d reproductions; want CREATE-REFUSED-NO-EFFECT, a security defect, a 401 and a reproduction",
				f.FullName, f.Requirements(), f.SecurityDefect, statuses(f), len(f.Reproductions()))
		}
	}
	if !strings.Contains(out, "SECURITY DEFECT") || !strings.Contains(summary, "SECURITY DEFECT") || !strings.Contains(html, "SECURITY DEFECT") {
		t.Errorf("a 401 that still created is not called a security defect everywhere")
	}
	if !strings.Contains(junit, `name="swr.verdict" value="does not conform"`) {
		t.Errorf("junit.xml does not carry the verdict:\n%s", junit[:min(len(junit), 600)])
	}
}

func readFile(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A target that compares only a prefix of the token serves its near
// misses: AUTH-401-WRONG-TOKEN fails as a security defect. The near misses
// are secrets too: an answer that echoes them shows none in the console or
// the reports, and the reproduction builds them from $SWR_TOKEN, so that it
// replays the defect on a fresh server with the same fault.
func TestNearMissesOfTheToken(t *testing.T) {
	dir := bin(t)
	srv := refserver.New(refserver.Options{Token: token, Faults: []refserver.Fault{refserver.FaultTokenPrefixCompared}})
	if err := srv.CreateRepository("conformance", "team/app"); err != nil {
		t.Fatal(err)
	}
	// Every write's answer echoes the credential it was sent, as careless
	// gateways do.
	echo := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, r)
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.Header().Del("Content-Length")
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes())
		if r.Method == http.MethodPost || r.Method == http.MethodPatch {
			fmt.Fprintf(w, "token was %q", r.Header.Get("X-Auth-Token"))
		}
	})
	hs := httptest.NewServer(echo)
	defer hs.Close()
	reports := t.TempDir()
	code, out := runSuite(t, dir, append(existingEnv(hs.URL), "SWR_REPORT_DIR="+reports, "SWR_PROCS=1"), "-ginkgo.label-filter=AUTH-401-WRONG-TOKEN")
	if code != 1 {
		t.Fatalf("exit %d, want 1:\n%s", code, tail(out))
	}
	res := readResults(t, reports)
	if q := res.Requirement("AUTH-401-WRONG-TOKEN"); q == nil || !q.SecurityDefect || !strings.HasPrefix(q.Reason, "SECURITY DEFECT") {
		t.Errorf("AUTH-401-WRONG-TOKEN: %+v, want a security defect", q)
	}
	failures := res.FailuresOf("AUTH-401-WRONG-TOKEN")
	secrets := append([]string{token}, swrclient.NearMissSecrets(token)...)
	texts := map[string]string{"console": out}
	for _, f := range []string{"results.json", "summary.md", "report.html", "junit.xml"} {
		texts[f] = readFile(t, reports, f)
	}
	for where, text := range texts {
		for _, s := range secrets {
			if strings.Contains(text, s) {
				t.Errorf("%s shows %q, the token or a near miss of it", where, s)
			}
		}
	}
	if !strings.Contains(texts["results.json"], "token was") {
		t.Error("no echo of a credential reached results.json: the redaction was not put to the test")
	}
	if len(failures) == 0 || len(failures[0].Reproductions()) == 0 {
		t.Fatalf("no failure of AUTH-401-WRONG-TOKEN with a reproduction in results.json: %+v", failures)
	}
	if !failures[0].SecurityDefect || !slices.ContainsFunc(statuses(failures[0]), func(s int) bool { return s/100 == 2 }) {
		t.Errorf("the failure of AUTH-401-WRONG-TOKEN: security defect %v, statuses %v; want a security defect and the 2xx the near miss got", failures[0].SecurityDefect, statuses(failures[0]))
	}
	snippet := failures[0].Reproductions()[0]
	if !strings.Contains(commandsOf(snippet), "SWR_TOKEN") {
		t.Fatalf("the reproduction does not build the near miss from $SWR_TOKEN:\n%s", snippet)
	}
	fresh := httptest.NewServer(func() http.Handler {
		s := refserver.New(refserver.Options{Token: token, Faults: []refserver.Fault{refserver.FaultTokenPrefixCompared}})
		if err := s.CreateRepository("conformance", "team/app"); err != nil {
			t.Fatal(err)
		}
		return s
	}())
	defer fresh.Close()
	cmd := exec.Command("sh", "-c", strings.ReplaceAll(snippet, hs.URL, fresh.URL))
	cmd.Env = append(os.Environ(), "SWR_TOKEN="+token)
	got, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the snippet failed (%v):\n%s\n%s", err, snippet, got)
	}
	if !slices.ContainsFunc(httpStatuses(string(got)), func(s int) bool { return s == 200 || s == 201 }) {
		t.Errorf("on a fresh server with the fault the snippet's near miss was not served:\n%s\n%s", snippet, got)
	}
}
