package e2e

import (
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
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
	failures := failuresOf(t, reports, "CREATE-409-DUPLICATE")
	if len(failures) == 0 {
		t.Fatal("results.json has no failure of CREATE-409-DUPLICATE")
	}
	for i, failure := range failures {
		snippet := snippetOf(t, failure)
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
		statuses := regexp.MustCompile(`HTTP/1\.1 (\d{3})`).FindAllStringSubmatch(string(got), -1)
		if len(statuses) == 0 || statuses[len(statuses)-1][1] != "201" {
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

// failuresOf returns the failure texts of req's specs in results.json.
func failuresOf(t *testing.T, reports, req string) []string {
	t.Helper()
	var out []string
	for _, q := range readFull(t, reports).Reqs {
		for _, s := range q.Specs {
			if q.ID == req && s.Failure != "" {
				out = append(out, s.Failure)
			}
		}
	}
	return out
}

// snippetOf cuts the shell snippet out of a failure: the curl lines after
// "reproduce, on a target".
func snippetOf(t *testing.T, failure string) string {
	t.Helper()
	_, rest, ok := strings.Cut(failure, "reproduce, on a target")
	if !ok {
		t.Fatalf("the failure has no reproduction snippet:\n%s", failure)
	}
	var lines []string
	for _, line := range strings.Split(rest, "\n")[1:] {
		if !strings.HasPrefix(line, "curl ") {
			break
		}
		lines = append(lines, line)
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
