package e2e

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/swr-conformance/swr-conformance/fixtures/refserver"
	"github.com/swr-conformance/swr-conformance/internal/selftest"
)

// Interrupting a run (Ctrl-C) still removes what it created.
func TestInterruptCleansUp(t *testing.T) {
	dir := bin(t)
	srv := refserver.New(refserver.Options{Token: token})
	before := srv.Inventory()
	// Slow enough that the run is surely mid-way when interrupted.
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(5 * time.Millisecond)
		srv.ServeHTTP(w, r)
	})
	hs := httptest.NewServer(slow)
	defer hs.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(dir, "swr-conformance"))
	cmd.Env = append(selftest.EnvironWithoutSWR(), "SWR_ENDPOINT="+hs.URL, "SWR_TOKEN="+token, "SWR_SHARE_ACCOUNTS=peer-1", "SWR_PROVISION=true",
		"SWR_REPORT_DIR="+t.TempDir()) // not into the package directory
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait until the run has created repositories of its own, then interrupt.
	deadline := time.Now().Add(30 * time.Second)
	for len(srv.Inventory()) < 3 {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("the run created nothing within 30s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	if err == nil {
		t.Fatal("an interrupted run exited 0")
	}
	if after := srv.Inventory(); !slices.Equal(before, after) {
		t.Fatalf("the interrupted run left things behind: %q", after)
	}
}
