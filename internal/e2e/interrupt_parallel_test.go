//go:build unix

package e2e

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/swr-conformance/swr-conformance/fixtures/refserver"
	"github.com/swr-conformance/swr-conformance/internal/selftest"
)

// Ctrl-C during a run under the Ginkgo CLI (the terminal interrupts its
// whole process group: the launching process, the CLI and the suite's
// processes) still removes what every process created, and the run ends
// with its VERDICT line, incomplete (exit 3), as a run in one process does.
func TestInterruptUnderTheGinkgoCLI(t *testing.T) {
	dir := bin(t)
	cli := ginkgo(t)
	srv := refserver.New(refserver.Options{Token: token})
	before := srv.Inventory()
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(5 * time.Millisecond) // slow enough that the run is surely mid-way when interrupted
		srv.ServeHTTP(w, r)
	}))
	defer slow.Close()
	cmd := exec.Command(filepath.Join(dir, "swr-conformance"))
	cmd.Env = append(selftest.EnvironWithoutSWR(), "SWR_ENDPOINT="+slow.URL, "SWR_TOKEN="+token, "SWR_SHARE_ACCOUNTS=peer-1",
		"SWR_PROVISION=true", "SWR_GINKGO="+cli, "SWR_PROCS=3", "SWR_REPORT_DIR="+t.TempDir())
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait until the processes have created namespaces and repositories of
	// their own (a namespace and a repository each), and specs have begun
	// to create repositories of their own, then interrupt.
	deadline := time.Now().Add(60 * time.Second)
	for len(srv.Inventory()) < 12 {
		if time.Now().After(deadline) {
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			cmd.Wait()
			t.Fatalf("the run had not reached its specs after 60 s (want a namespace and a fixture per process, and spec repositories):\n%s", out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	code := -1
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	}
	if code != 3 || !strings.HasPrefix(lastLine(out.String()), "VERDICT: incomplete (exit 3): "+slow.URL+"; ") {
		t.Fatalf("exit %d (%v), last line %q; want 3 and the VERDICT line of an incomplete run last:\n%s", code, err, lastLine(out.String()), tail(out.String()))
	}
	if after := srv.Inventory(); !slices.Equal(before, after) {
		t.Fatalf("the interrupted run left things behind: %q", after)
	}
}
