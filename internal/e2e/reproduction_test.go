package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/swr-conformance/swr-conformance/internal/report"
)

// A failure's reproduction replays the whole case: against a server that
// answers 201 to a duplicate create, the 409 failure's snippet, run on a
// fresh server with the same fault, sends the first create, then the
// duplicate, which answers 201, and leaves no share behind.
func TestReproductionReproducesOnACleanTarget(t *testing.T) {
	dir := bin(t)
	fixture := []string{"-token", token, "-fault", "duplicate-201", "-namespace", "conformance", "-repository", "team/app"}
	first := startRefserver(t, dir, fixture...)
	reports := t.TempDir()
	code, out := runSuite(t, dir, []string{"SWR_ENDPOINT=" + first, "SWR_TOKEN=" + token, "SWR_SHARE_ACCOUNTS=peer-1",
		"SWR_NAMESPACE=conformance", "SWR_REPOSITORY=team/app", "SWR_REPORT_DIR=" + reports},
		"-ginkgo.label-filter=CREATE-409-DUPLICATE", "-ginkgo.seed=3")
	if code != 1 {
		t.Fatalf("exit %d, want 1 (does not conform):\n%s", code, tail(out))
	}
	var snippets []string
	for _, f := range readResults(t, reports).FailuresOf("CREATE-409-DUPLICATE") {
		snippets = append(snippets, f.Reproductions()...)
	}
	if len(snippets) == 0 {
		t.Fatal("results.json has no failure of CREATE-409-DUPLICATE with a reproduction")
	}
	for i, snippet := range snippets {
		if !strings.Contains(snippet, "set-up: POST") {
			t.Errorf("failure %d: the reproduction does not send the first create before the duplicate:\n%s", i+1, snippet)
		}
		fresh := startRefserver(t, dir, fixture...)
		cmd := exec.Command("sh", "-c", strings.ReplaceAll(snippet, first, fresh))
		cmd.Env = append(os.Environ(), "SWR_TOKEN="+token)
		got, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("failure %d: the snippet failed (%v):\n%s\n%s", i+1, err, snippet, got)
		}
		if st := httpStatuses(string(got)); len(st) == 0 || st[len(st)-1] != http.StatusCreated {
			t.Errorf("failure %d: on a clean target the snippet should end in the failing answer, 201; it printed:\n%s", i+1, got)
		}
		if !strings.Contains(string(got), "set-up: POST answered 201") {
			t.Errorf("failure %d: the set-up create did not answer 201:\n%s", i+1, got)
		}
		if shares := listShares(t, fresh, "conformance", "team$app"); shares != "[]" {
			t.Errorf("failure %d: the snippet left shares behind: %s", i+1, shares)
		}
	}
}

// Every failure about an effect (a refused write that took effect, a write
// that is not visible, an update that touched another share) reproduces in
// one snippet: the set-up writes, the write, the read-back that shows the
// wrong state, and cleanup only at the end. Run on a fresh server with the
// fault, its read-back shows the defect; on a conforming one it does not
// (the two read-backs differ), and neither run leaves a share behind.
func TestEffectReproductionsShowTheDefect(t *testing.T) {
	dir := bin(t)
	for _, tc := range []struct {
		fault, req, filter string
	}{
		{"auth-401-still-creates", "CREATE-REFUSED-NO-EFFECT", "AUTH-401-MISSING-TOKEN && create"},
		{"auth-401-still-updates", "UPDATE-REFUSED-NO-EFFECT", "AUTH-401-MISSING-TOKEN && update"},
		{"create-400-still-creates", "CREATE-REFUSED-NO-EFFECT", "CREATE-REFUSED-NO-EFFECT && property"},
		{"update-400-partial", "UPDATE-REFUSED-NO-EFFECT", "UPDATE-REFUSED-NO-EFFECT && property"},
		{"duplicate-409-overwrites", "CREATE-REFUSED-NO-EFFECT", "CREATE-REFUSED-NO-EFFECT && !property && !auth"},
		{"update-all-shares", "UPDATE-ONLY-ITS-SHARE", "UPDATE-ONLY-ITS-SHARE"},
		{"create-noop", "CREATE-VISIBLE", "CREATE-VISIBLE && !property"},
		{"update-noop", "UPDATE-VISIBLE", "UPDATE-VISIBLE && !property"},
	} {
		t.Run(tc.fault, func(t *testing.T) {
			t.Parallel()
			fixture := []string{"-token", token, "-namespace", "conformance", "-repository", "team/app"}
			faulty := append([]string{"-fault", tc.fault}, fixture...)
			first := startRefserver(t, dir, faulty...)
			reports := t.TempDir()
			code, out := runSuite(t, dir, []string{"SWR_ENDPOINT=" + first, "SWR_TOKEN=" + token, "SWR_SHARE_ACCOUNTS=peer-1,peer-2",
				"SWR_NAMESPACE=conformance", "SWR_REPOSITORY=team/app", "SWR_REPORT_DIR=" + reports, "SWR_PROCS=1"},
				"-ginkgo.label-filter="+tc.filter, "-ginkgo.seed=5")
			if code != 1 {
				t.Fatalf("exit %d, want 1 (does not conform):\n%s", code, tail(out))
			}
			var snippet string
			failures := readResults(t, reports).FailuresOf(tc.req)
			for _, f := range failures {
				for _, r := range f.Reproductions() {
					if snippet == "" && strings.Contains(r, "== read back") {
						snippet = r
					}
				}
			}
			if snippet == "" {
				t.Fatalf("no failure of %s has a reproduction with the write and its read-back:\n%+v", tc.req, failures)
			}
			lines := strings.Split(snippet, "\n")
			if last := lines[len(lines)-1]; !strings.Contains(last, "-X DELETE") {
				t.Errorf("the snippet does not end with its cleanup:\n%s", snippet)
			}
			if strings.Index(snippet, "-X DELETE") < strings.Index(snippet, "== read back") {
				t.Errorf("the snippet removes a share before its read-back:\n%s", snippet)
			}
			readBack := func(server []string) string {
				base := startRefserver(t, dir, server...)
				cmd := exec.Command("sh", "-c", strings.ReplaceAll(snippet, first, base))
				cmd.Env = append(os.Environ(), "SWR_TOKEN="+token)
				got, err := cmd.CombinedOutput()
				if err != nil {
					t.Fatalf("the snippet failed (%v):\n%s\n%s", err, snippet, got)
				}
				if shares := listShares(t, base, "conformance", "team$app"); shares != "[]" {
					t.Errorf("the snippet left shares behind: %s", shares)
				}
				_, after, ok := strings.Cut(string(got), "== read back")
				if !ok {
					t.Fatalf("the snippet printed no read-back:\n%s", got)
				}
				return stateOf(after)
			}
			defect, conforming := readBack(faulty), readBack(fixture)
			if defect == conforming {
				t.Errorf("the read-back shows the same state with and without %s (%s): the reproduction does not reproduce\n%s", tc.fault, defect, snippet)
			}
		})
	}
}

// stateOf is the share state a read-back printed (curl -i: status line,
// headers, the JSON body), without the times that differ between runs.
func stateOf(out string) string {
	lines := strings.Split(strings.TrimSpace(out), "\n")
	body := strings.TrimSpace(lines[len(lines)-1])
	var share map[string]any
	if json.Unmarshal([]byte(body), &share) == nil {
		delete(share, "created")
		delete(share, "updated")
		b, _ := json.Marshal(share)
		body = string(b)
	}
	st := httpStatuses(out)
	if len(st) == 0 {
		return body
	}
	return fmt.Sprint(st[0]) + " " + body
}

// httpStatuses are the status codes of the status lines curl -i printed
// ("HTTP/1.1 201 Created"), in order.
func httpStatuses(out string) []int {
	var codes []int
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) < 2 || !strings.HasPrefix(f[0], "HTTP/") {
			continue
		}
		if code, err := strconv.Atoi(f[1]); err == nil {
			codes = append(codes, code)
		}
	}
	return codes
}

// statuses are the status codes of every exchange of a failure's
// evidence, in order (0: no answer).
func statuses(f report.Failure) []int {
	var out []int
	for _, e := range f.Evidence {
		for _, x := range e.Exchanges {
			out = append(out, x.Status)
		}
	}
	return out
}

// commandsOf is a reproduction without its comment lines: what the shell
// runs.
func commandsOf(snippet string) string {
	var lines []string
	for _, line := range strings.Split(snippet, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "#") {
			lines = append(lines, line)
		}
	}
	return strings.Join(lines, "\n")
}

// listShares is the list answer of a repository's shares, as the target
// gives it.
func listShares(t *testing.T, base, ns, repo string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/v2/manage/namespaces/"+ns+"/repositories/"+repo+"/access-domains", nil)
	req.Header.Set("X-Auth-Token", token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return strings.TrimSpace(string(b))
}
