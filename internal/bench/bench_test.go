// Package bench measures the suite against the reference server on loopback:
// its request rate in property specs beside a bare net/http loop sending the
// same requests, the whole default run's wall time and peak memory, and the
// whole run against a registry 50 ms away and behind a gateway's rate limit,
// each beside its floor (run_test.go). Run with `make bench`.
package bench

import (
	"bytes"
	"context"
	"net/http"
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
	"github.com/swr-conformance/swr-conformance/internal/contract"
	"github.com/swr-conformance/swr-conformance/internal/pace"
	"github.com/swr-conformance/swr-conformance/internal/selftest"
	"github.com/swr-conformance/swr-conformance/internal/swrclient"
	"github.com/swr-conformance/swr-conformance/internal/transport"
)

const token = "bench-token"

// server is the reference server on loopback, answering at once.
func server(b *testing.B) string {
	_, url, stop := refServer(b, refserver.Options{}, 0)
	b.Cleanup(stop)
	return url
}

// BenchmarkPropertyRequests compares the suite's path for a property spec
// (generators.Check, swrclient's send loop over the base transport, paced
// by the run's limiter, the verdict check) with a bare loop of net/http requests carrying the same inputs, in
// the same process against the same server. The bare loop runs with one
// sender and with eight, through http.DefaultClient as it comes; ratio is
// the suite's rate over the better of the two, so the suite is measured
// against the best such a loop does on this machine. http.DefaultClient
// keeps 2 idle connections per host, so its eight senders keep dialing; a
// third bare loop, eight senders over a transport that keeps 8, shows what
// a bare loop does without that (bare8pooled, ratio-pooled: the suite over
// the best of all three). They are measured in turn in every iteration, in
// a rotating order, so that a disturbance of the machine falls on all.
func BenchmarkPropertyRequests(b *testing.B) {
	for _, concurrency := range []int{1, 4, 8} {
		b.Run("concurrency="+itoa(concurrency), func(b *testing.B) {
			url := server(b)
			const cases = 2000
			in := generators.InvalidNamespaces(contract.NSTooLong)
			in.Boundary = nil
			body := []byte(`{"access_domain":"peer-1","permit":"read","deadline":"forever"}`)
			// The client as a run has it: the base transport, paced by the
			// run's limiter (no rate in force on loopback).
			client := swrclient.New(url, token, transport.Base(false), 30*time.Second)
			client.Gate = &pace.Local{L: pace.NewLimiter(0, nil)}
			pooledTransport := http.DefaultTransport.(*http.Transport).Clone()
			pooledTransport.MaxIdleConnsPerHost = 8
			defer pooledTransport.CloseIdleConnections()
			pooled := &http.Client{Transport: pooledTransport}
			var suiteTime, bare1Time, bare8Time, pooledTime time.Duration
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

				suite := func() {
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
				}
				bare1 := func() {
					start := time.Now()
					bare(b, http.DefaultClient, url, inputs, body, 1)
					bare1Time += time.Since(start)
				}
				bare8 := func() {
					start := time.Now()
					bare(b, http.DefaultClient, url, inputs, body, 8)
					bare8Time += time.Since(start)
				}
				bare8pooled := func() {
					start := time.Now()
					bare(b, pooled, url, inputs, body, 8)
					pooledTime += time.Since(start)
				}
				runs := []func(){suite, bare1, bare8, bare8pooled}
				for k := range runs {
					runs[(i+k)%len(runs)]()
				}
			}
			n := float64(b.N * cases)
			suiteRate, bare1Rate, bare8Rate, pooledRate := n/suiteTime.Seconds(), n/bare1Time.Seconds(), n/bare8Time.Seconds(), n/pooledTime.Seconds()
			b.ReportMetric(suiteRate, "suite-req/s")
			b.ReportMetric(bare1Rate, "bare1-req/s")
			b.ReportMetric(bare8Rate, "bare8-req/s")
			b.ReportMetric(pooledRate, "bare8pooled-req/s")
			b.ReportMetric(suiteRate/max(bare1Rate, bare8Rate), "ratio")
			b.ReportMetric(suiteRate/max(bare1Rate, bare8Rate, pooledRate), "ratio-pooled")
		})
	}
}

// bare sends the same creates with nothing but net/http.
func bare(b *testing.B, client *http.Client, url string, names []string, body []byte, workers int) {
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
				resp, err := client.Do(req)
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
// (Runs against a distant registry: BenchmarkRunsAt50ms.)
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
		target := url
		if url == "" {
			target = "the embedded reference server"
		}
		if err != nil || !strings.Contains(string(out), "VERDICT: the target conforms: "+target+"; ") {
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

func itoa(n int) string { return strconv.Itoa(n) }
