package bench

import (
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/swr-conformance/swr-conformance/fixtures/refserver"
	"github.com/swr-conformance/swr-conformance/internal/selftest"
)

// slowServer is the reference server answering every request late by
// latency, as a registry that far away would, seeded with the existing
// fixture conformance/team/app.
func slowServer(b *testing.B, latency time.Duration) string {
	b.Helper()
	srv := refserver.New(refserver.Options{Token: token})
	if err := srv.CreateRepository("conformance", "team/app"); err != nil {
		b.Fatal(err)
	}
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(latency) // the round trip to a distant registry
		srv.ServeHTTP(w, r)
	}))
	b.Cleanup(hs.Close)
	return hs.URL
}

// BenchmarkRunsAt50ms is the whole run, two ways, against a registry 50 ms
// away (every answer 50 ms late), in existing-fixture mode with four share
// accounts: `make conformance` (the Ginkgo CLI, SWR_PROCS=4: one account per
// process) and the plain compiled binary with its defaults (two processes
// under its built-in CLI, two accounts each). Goals on the
// project's 2-core machine: make conformance within 20 s, the plain binary
// within 30 s. Each reports s/run; make conformance also build-s, the part
// of it that is `make build` with nothing to compile.
func BenchmarkRunsAt50ms(b *testing.B) {
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	bin := b.TempDir()
	url := slowServer(b, 50*time.Millisecond)
	env := append(selftest.EnvironWithoutSWR(), "SWR_ENDPOINT="+url, "SWR_TOKEN="+token,
		"SWR_SHARE_ACCOUNTS=peer-1,peer-2,peer-3,peer-4", "SWR_PROVISION=false",
		"SWR_NAMESPACE=conformance", "SWR_REPOSITORY=team/app")
	if out, err := exec.Command("make", "-s", "-C", root, "build", "BIN="+bin).CombinedOutput(); err != nil {
		b.Fatalf("make build: %v\n%s", err, out)
	}
	// run runs cmd and checks that it ends with the verdict of a conforming
	// target in existing-fixture mode (incomplete, exit 0).
	run := func(b *testing.B, cmd *exec.Cmd) time.Duration {
		cmd.Env = append(append(cmd.Env, env...), "SWR_REPORT_DIR="+b.TempDir())
		start := time.Now()
		out, err := cmd.CombinedOutput()
		took := time.Since(start)
		lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
		if last := lines[len(lines)-1]; err != nil || !strings.HasPrefix(last, "VERDICT: incomplete (exit 0): "+url+"; ") {
			b.Fatalf("%s: %v, last line %q; want exit 0 and the VERDICT line of a conforming target in existing-fixture mode:\n%s", cmd, err, last, out)
		}
		return took
	}
	b.Run("make-conformance", func(b *testing.B) {
		var total, build time.Duration
		for i := 0; i < b.N; i++ {
			start := time.Now()
			if out, err := exec.Command("make", "-s", "-C", root, "build", "BIN="+bin).CombinedOutput(); err != nil {
				b.Fatalf("make build: %v\n%s", err, out)
			}
			build += time.Since(start)
			cmd := exec.Command("make", "-s", "-C", root, "conformance", "BIN="+bin, "ARGS=-ginkgo.seed=1")
			cmd.Env = []string{"SWR_PROCS=4"}
			total += run(b, cmd)
		}
		b.ReportMetric(total.Seconds()/float64(b.N), "s/run")
		b.ReportMetric(build.Seconds()/float64(b.N), "build-s")
	})
	b.Run("plain-binary", func(b *testing.B) {
		var total time.Duration
		for i := 0; i < b.N; i++ {
			total += run(b, exec.Command(filepath.Join(bin, "swr-conformance"), "-ginkgo.seed=1"))
		}
		b.ReportMetric(total.Seconds()/float64(b.N), "s/run")
	})
}
