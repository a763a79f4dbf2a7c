package e2e

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/swr-conformance/swr-conformance/fixtures/refserver"
)

// distant is the reference server answering every request 50 ms late, as a
// registry that far away does, seeded with the existing fixture.
func distant(t *testing.T, faults ...refserver.Fault) string {
	t.Helper()
	srv := refserver.New(refserver.Options{Token: token, Faults: faults})
	if err := srv.CreateRepository("conformance", "team/app"); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(50 * time.Millisecond) // the round trip to a distant registry
		srv.ServeHTTP(w, r)
	}))
	t.Cleanup(hs.Close)
	return hs.URL
}

// Where the output is a file (a CI log), every finished spec gets a line
// with n/N, its requirement ID, outcome and duration; there are no color
// codes; and whatever the run's end, the VERDICT line is the last line, in
// one process and under the Ginkgo CLI alike. Each case has a server of its
// own and they run side by side: the runs spend their time waiting for the
// distant server, not computing.
func TestProgressInALogAndTheVerdictLast(t *testing.T) {
	dir := bin(t)
	cli := ginkgo(t)
	provisioning := func(url string) []string {
		return []string{"SWR_ENDPOINT=" + url, "SWR_TOKEN=" + token, "SWR_SHARE_ACCOUNTS=peer-1,peer-2", "SWR_PROVISION=true"}
	}
	parallel := func(env func(string) []string, procs string) func(string) []string {
		return func(url string) []string { return append(env(url), "SWR_GINKGO="+cli, "SWR_PROCS="+procs) }
	}
	with := func(env func(string) []string, more ...string) func(string) []string {
		return func(url string) []string { return append(env(url), more...) }
	}
	wrongToken := func(url string) []string {
		return []string{"SWR_ENDPOINT=" + url, "SWR_TOKEN=not-the-token", "SWR_SHARE_ACCOUNTS=peer-1,peer-2", "SWR_PROVISION=false",
			"SWR_NAMESPACE=conformance", "SWR_REPOSITORY=team/app"}
	}
	filter := "-ginkgo.label-filter=auth || UPDATE-201"
	tests := []struct {
		name    string
		faults  []refserver.Fault
		env     func(url string) []string
		code    int
		verdict string // the VERDICT line's beginning; {url} stands for the server's URL
		specs   bool   // the run gets as far as its specs
	}{
		// Each VERDICT line names the target it is about; a configuration
		// that cannot run has none to name.
		{"conforming, one process", nil, existingEnv, 0, "VERDICT: incomplete (exit 0): {url}; ", true},
		{"conforming, Ginkgo CLI", nil, parallel(provisioning, "3"), 0, "VERDICT: incomplete (exit 0): {url}; ", true},
		{"failing, one process", []refserver.Fault{refserver.FaultUpdate200}, existingEnv, 1, "VERDICT: the target does NOT conform: {url}; ", true},
		{"failing, Ginkgo CLI", []refserver.Fault{refserver.FaultUpdate200}, parallel(provisioning, "2"), 1, "VERDICT: the target does NOT conform: {url}; ", true},
		{"no run: token refused, one process", nil, wrongToken, 2, "VERDICT: no run: {url}; ", false},
		{"no run: token refused, Ginkgo CLI", nil, parallel(wrongToken, "2"), 2, "VERDICT: no run: {url}; ", false},
		{"no run: a bad setting", nil, with(existingEnv, "SWR_PROCS=0"), 2, "VERDICT: no run: the configuration is wrong", false},
		{"no run: no Ginkgo CLI there", nil, with(provisioning, "SWR_GINKGO=/nonexistent/ginkgo", "SWR_PROCS=2"), 2, "VERDICT: no run: {url}; the suite could not run under the Ginkgo CLI", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			url := distant(t, tc.faults...)
			verdict := strings.ReplaceAll(tc.verdict, "{url}", url)
			code, out := runToFile(t, dir, append(tc.env(url), fewCases), filter)
			if code != tc.code || !strings.HasPrefix(lastLine(out), verdict) {
				t.Fatalf("exit %d, last line %q; want exit %d and the VERDICT line (%q...) as the very last line:\n%s", code, lastLine(out), tc.code, verdict, tail(out))
			}
			if strings.Contains(out, "\x1b[") {
				t.Errorf("the log holds terminal escape codes (colors or a status line); output that is not a terminal must have none:\n%s", tail(out))
			}
			if strings.Contains(out, token) {
				t.Fatal("the token appears in the output")
			}
			if tc.specs {
				progressOf(t, out, willRun(t, out))
				return
			}
			if strings.Contains(out, "Will run") || strings.Count(out, "refused the token") > 1 || strings.Contains(out, "timed out waiting") {
				t.Errorf("a run that cannot start says why once, before any spec (under the Ginkgo CLI too, not once per process):\n%s", out)
			}
		})
	}
}

// A run ends the same way in one process and in several: Ginkgo's "Ran N of
// M Specs", the reports, the suite's own lines and the VERDICT line, with
// nothing that contradicts or repeats the verdict (no "SUCCESS!" above an
// incomplete verdict, no "--- FAIL: TestConformance", "FAIL" or "Test
// Suite Failed"), and a focused run names the requirements its filter left
// out in one line.
func TestOneEndingForAnyNumberOfProcesses(t *testing.T) {
	dir := bin(t)
	_, url := inProcess(t, refserver.FaultCreate200)
	noise := regexp.MustCompile(`(?m)^(SUCCESS!|FAIL!|--- (PASS|FAIL)|PASS$|FAIL$|Test Suite|Ginkgo ran)`)
	ending := func(out string) string {
		_, after, ok := strings.Cut(out, "\nRan ")
		if !ok {
			t.Fatalf("no \"Ran N of M Specs\" line:\n%s", tail(out))
		}
		after = regexp.MustCompile(`in [0-9.]+ seconds`).ReplaceAllString(after, "in … seconds")
		after = regexp.MustCompile(`reports: \S+`).ReplaceAllString(after, "reports: …")
		return regexp.MustCompile(`(?m)^  failed: .*\n`).ReplaceAllString(after, "") // their order differs
	}
	for _, filter := range []string{"CREATE-201", "UPDATE-201"} {
		var endings []string
		for _, procs := range []string{"1", "2"} {
			code, out := runSuite(t, dir, append(existingEnv(url), "SWR_SHARE_ACCOUNTS=peer-1,peer-2,peer-3,peer-4", "SWR_PROCS="+procs), "-ginkgo.label-filter="+filter)
			if m := noise.FindString(out); m != "" {
				t.Errorf("%s, %s process(es): the run ends with %q, which is not the verdict's:\n%s", filter, procs, m, tail(out))
			}
			one := regexp.MustCompile(`(?m)^  - [A-Z0-9-]+ not checked \(configuration\): its specs were filtered out`).FindAllString(out, -1)
			counted := regexp.MustCompile(`(?m)^  - \d+ requirements not checked \(configuration\): its specs were filtered out`).FindAllString(out, -1)
			if len(one) != 0 || len(counted) != 1 {
				t.Errorf("%s, %s process(es): %d lines name one filtered-out requirement each and %d count them; want one line with a count:\n%s", filter, procs, len(one), len(counted), tail(out))
			}
			if !strings.HasPrefix(lastLine(out), "VERDICT: ") {
				t.Errorf("%s, %s process(es): exit %d, the last line is not the VERDICT line:\n%s", filter, procs, code, tail(out))
			}
			endings = append(endings, ending(out))
		}
		if endings[0] != endings[1] {
			t.Errorf("%s: one process and two end differently:\n--- one:\n%s\n--- two:\n%s", filter, endings[0], endings[1])
		}
	}
}
