// Package bench measures the suite against the reference server on loopback:
// its request rate in property specs beside a bare net/http loop sending the
// same requests, and the whole default run's wall time and peak memory, with
// and without 50 ms added to every request. Run with `make bench`.
package bench

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/swr-conformance/swr-conformance/fixtures/refserver"
	"github.com/swr-conformance/swr-conformance/generators"
	"github.com/swr-conformance/swr-conformance/generators/grammar"
	"github.com/swr-conformance/swr-conformance/internal/selftest"
	"github.com/swr-conformance/swr-conformance/internal/swrclient"
	"github.com/swr-conformance/swr-conformance/internal/transport"
)

const token = "bench-token"

func server(b *testing.B, latency time.Duration) string {
	b.Helper()
	srv := refserver.New(refserver.Options{Token: token})
	if err := srv.CreateRepository("conformance", "team/app"); err != nil {
		b.Fatal(err)
	}
	var h http.Handler = srv
	if latency > 0 {
		h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(latency) // the round trip of a distant registry
			srv.ServeHTTP(w, r)
		})
	}
	hs := httptest.NewServer(h)
	b.Cleanup(hs.Close)
	return hs.URL
}

// BenchmarkPropertyRequests compares the suite's path for a property spec
// (generators.Check, swrclient with the retrying transport, the verdict
// check) with a bare loop of net/http requests carrying the same inputs, in
// the same process against the same server. ratio = suite rate / bare rate.
func BenchmarkPropertyRequests(b *testing.B) {
	for _, concurrency := range []int{1, 4} {
		b.Run("concurrency="+itoa(concurrency), func(b *testing.B) {
			url := server(b, 0)
			const cases = 500
			in := generators.InvalidNamespaces(grammar.NSTooLong)
			in.Boundary = nil
			body := []byte(`{"access_domain":"peer-1","permit":"read","deadline":"forever"}`)
			client := swrclient.New(url, token, transport.New(transport.Options{}), 30*time.Second)
			var suiteTime, bareTime time.Duration
			for i := 0; i < b.N; i++ {
				// The inputs both sides send: drawn as the suite draws them.
				var inputs []string
				var mu sync.Mutex
				generators.Check(generators.Params{Seed: int64(i), Cases: cases}, in, func(s string) error {
					mu.Lock()
					inputs = append(inputs, s)
					mu.Unlock()
					return nil
				})

				start := time.Now()
				out := generators.Check(generators.Params{Seed: int64(i), Cases: cases, Concurrency: concurrency}, in, func(ns string) error {
					ex := client.CreateShare(context.Background(), ns, "team/app", body)
					if ex.Status != http.StatusBadRequest {
						b.Errorf("got %d", ex.Status)
					}
					return nil
				})
				suiteTime += time.Since(start)
				if out.Tried != cases {
					b.Fatalf("tried %d", out.Tried)
				}

				start = time.Now()
				bare(b, url, inputs, body, concurrency)
				bareTime += time.Since(start)
			}
			n := float64(b.N * cases)
			b.ReportMetric(n/suiteTime.Seconds(), "suite-req/s")
			b.ReportMetric(n/bareTime.Seconds(), "bare-req/s")
			b.ReportMetric(bareTime.Seconds()/suiteTime.Seconds(), "ratio")
		})
	}
}

// bare sends the same creates with nothing but net/http.
func bare(b *testing.B, url string, names []string, body []byte, workers int) {
	next := make(chan string)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ns := range next {
				req, _ := http.NewRequest(http.MethodPost, url+swrclient.SharesPath(ns, "team/app"), bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("X-Auth-Token", token)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					b.Error(err)
					continue
				}
				var buf [512]byte
				for {
					if _, err := resp.Body.Read(buf[:]); err != nil {
						break
					}
				}
				resp.Body.Close()
			}
		}()
	}
	for _, n := range names {
		next <- n
	}
	close(next)
	wg.Wait()
}

var suiteBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "swr-bench-")
	if err != nil {
		return "", err
	}
	suite, _, err := selftest.Build(dir)
	return suite, err
})

// runDefault runs the compiled suite with its defaults against url (or the
// embedded server when url is "") and reports wall time and peak memory.
func runDefault(b *testing.B, url string) {
	suite, err := suiteBinary()
	if err != nil {
		b.Fatal(err)
	}
	var peak int64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		cmd := exec.Command(suite, "-ginkgo.seed=1")
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "SWR_REPORT_DIR=" + b.TempDir()}
		if url != "" {
			cmd.Env = append(cmd.Env, "SWR_ENDPOINT="+url, "SWR_TOKEN="+token, "SWR_SHARE_ACCOUNTS=peer-1,peer-2",
				"SWR_NAMESPACE=conformance", "SWR_REPOSITORY=team/app")
		}
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "VERDICT: the target conforms") {
			b.Fatalf("run failed (%v):\n%s", err, out)
		}
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok && ru.Maxrss > peak {
			peak = ru.Maxrss // KiB on Linux
		}
	}
	b.ReportMetric(float64(peak)/1024, "peak-RSS-MiB")
}

// BenchmarkDefaultRun is `make conformance` with no settings: the embedded
// reference server, in process.
func BenchmarkDefaultRun(b *testing.B) { runDefault(b, "") }

// BenchmarkDefaultRunLatency50ms is the default run against a registry 50 ms
// away (every request answered 50 ms late), existing-fixture mode, default
// concurrency. The goal is under a minute.
func BenchmarkDefaultRunLatency50ms(b *testing.B) { runDefault(b, server(b, 50*time.Millisecond)) }

func itoa(n int) string { return strconv.Itoa(n) }
