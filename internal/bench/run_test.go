package bench

import (
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/swr-conformance/swr-conformance/fixtures/refserver"
	"github.com/swr-conformance/swr-conformance/internal/report"
	"github.com/swr-conformance/swr-conformance/internal/selftest"
)

// Whole runs against a distant registry or behind a gateway's rate limit,
// each two ways: `make conformance` (the Ginkgo CLI) and the plain compiled
// binary (its built-in CLI), both with the suite's defaults (no SWR_PROCS,
// no SWR_CONCURRENCY), in existing-fixture mode on conformance/team/app
// with four share accounts. Each reports the requests the server answered
// (counted at the server, not by the suite), the wall time, the floor the
// run cannot beat, and the ratio of the two.

// gatewayRate is the rate limit of BenchmarkGateway: the vendor's gateways
// throttle per user and API, commonly at 10 to 20 requests per second
// (CONTRACT-NOTES section 6).
const gatewayRate = 20

// fixtureEnv is the run's settings against url: existing-fixture mode,
// four share accounts, everything else the suite's default.
func fixtureEnv(url string) []string {
	return append(selftest.EnvironWithoutSWR(), "SWR_ENDPOINT="+url, "SWR_TOKEN="+token,
		"SWR_SHARE_ACCOUNTS=peer-1,peer-2,peer-3,peer-4", "SWR_PROVISION=false",
		"SWR_NAMESPACE=conformance", "SWR_REPOSITORY=team/app")
}

// refServer starts the reference server with opts, seeded with the existing
// fixture conformance/team/app, each answer late by latency; stop closes it.
func refServer(b *testing.B, opts refserver.Options, latency time.Duration) (srv *refserver.Server, url string, stop func()) {
	b.Helper()
	opts.Token = token
	srv = refserver.New(opts)
	if err := srv.CreateRepository("conformance", "team/app"); err != nil {
		b.Fatal(err)
	}
	var h http.Handler = srv
	if latency > 0 {
		h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(latency) // the round trip to a distant registry
			srv.ServeHTTP(w, r)
		})
	}
	hs := httptest.NewServer(h)
	return srv, hs.URL, hs.Close
}

// suiteBuild is the suite built by `make build` into a directory of its
// own, and the two ways of running it.
type suiteBuild struct{ root, bin string }

func makeBuild(b *testing.B) suiteBuild {
	b.Helper()
	root, err := filepath.Abs(filepath.Join("..", "..")) // go test runs in the package's directory
	if err != nil {
		b.Fatal(err)
	}
	s := suiteBuild{root: root, bin: b.TempDir()}
	s.build(b)
	return s
}

// build runs `make build` (nothing to compile after the first) and returns
// how long it took.
func (s suiteBuild) build(b *testing.B) time.Duration {
	start := time.Now()
	if out, err := exec.Command("make", "-s", "-C", s.root, "build", "BIN="+s.bin).CombinedOutput(); err != nil {
		b.Fatalf("make build: %v\n%s", err, out)
	}
	return time.Since(start)
}

// way is one of the two ways to run the suite.
type way struct {
	name    string
	command func(s suiteBuild) *exec.Cmd
}

var ways = []way{
	{"make-conformance", func(s suiteBuild) *exec.Cmd {
		return exec.Command("make", "-s", "-C", s.root, "conformance", "BIN="+s.bin, "ARGS=-ginkgo.seed=1")
	}},
	{"plain-binary", func(s suiteBuild) *exec.Cmd {
		return exec.Command(filepath.Join(s.bin, "swr-conformance"), "-ginkgo.seed=1")
	}},
}

// run runs cmd against url with fixtureEnv, checks that it ends with exit 0
// and the VERDICT line of a conforming target in existing-fixture mode
// (incomplete, exit 0), and returns its wall time and results.json.
func run(b *testing.B, cmd *exec.Cmd, url string) (time.Duration, *report.Results) {
	b.Helper()
	reports := b.TempDir()
	cmd.Env = append(fixtureEnv(url), "SWR_REPORT_DIR="+reports)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	took := time.Since(start)
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	if last := lines[len(lines)-1]; err != nil || !strings.HasPrefix(last, "VERDICT: incomplete (exit 0): "+url+"; ") {
		b.Fatalf("%s: %v, last line %q; want exit 0 and the VERDICT line of a conforming target in existing-fixture mode:\n%s", cmd, err, last, out)
	}
	res, err := report.ReadResults(filepath.Join(reports, "results.json"))
	if err != nil {
		b.Fatal(err)
	}
	return took, res
}

// inFlight is how many requests the run's settings allow at once: its
// parallel processes (results.json says so when there are more than one)
// times the cases of a property spec each sends at once (concurrency).
func inFlight(b *testing.B, res *report.Results) int {
	b.Helper()
	procs := 1
	if v, ok := res.Meta.Setting("parallel processes"); ok {
		n, err := strconv.Atoi(v)
		if err != nil {
			b.Fatalf("results.json: parallel processes %q: %v", v, err)
		}
		procs = n
	}
	v, ok := res.Meta.Setting("concurrency")
	n, err := strconv.Atoi(v)
	if !ok || err != nil {
		b.Fatalf("results.json: concurrency %q (%v): the run's settings must say how many cases a process sends at once", v, err)
	}
	return procs * n
}

// BenchmarkRunsAt50ms is the whole run, two ways, against a registry 50 ms
// away (every answer 50 ms late). Its floor is the requests × 50 ms ÷ the
// requests the settings allow in flight (processes × SWR_CONCURRENCY): the
// run's time if every request were one of a full set of round trips at
// once. The goal of issue 19 on the project's 2-core machine is 15 s each.
// make conformance also reports build-s, the `make build` with nothing to
// compile that make conformance does first (part of its wall-s).
func BenchmarkRunsAt50ms(b *testing.B) {
	const latency = 50 * time.Millisecond
	s := makeBuild(b)
	for _, w := range ways {
		b.Run(w.name, func(b *testing.B) {
			var wall, build, floor time.Duration
			var requests, inflight int64
			for i := 0; i < b.N; i++ {
				if w.name == "make-conformance" {
					build += s.build(b)
				}
				srv, url, stop := refServer(b, refserver.Options{}, latency)
				took, res := run(b, w.command(s), url)
				stop()
				n, k := srv.Stats().Answered, inFlight(b, res)
				wall += took
				requests += n
				inflight += int64(k)
				floor += time.Duration(n) * latency / time.Duration(k)
			}
			perRun := func(x float64) float64 { return x / float64(b.N) }
			b.ReportMetric(perRun(float64(requests)), "requests")
			b.ReportMetric(perRun(float64(inflight)), "in-flight")
			b.ReportMetric(perRun(wall.Seconds()), "wall-s")
			b.ReportMetric(perRun(floor.Seconds()), "floor-s")
			b.ReportMetric(wall.Seconds()/floor.Seconds(), "ratio")
			if w.name == "make-conformance" {
				b.ReportMetric(perRun(build.Seconds()), "build-s")
			}
		})
	}
}

// BenchmarkGateway is the whole run, two ways, behind a gateway that allows
// 20 requests per second per user and answers 429 beyond it, as the
// vendor's does (refserver.Options.RateLimit; no Retry-After). Its floor is
// the requests that did work (those not refused) ÷ 20. From the server's
// own counts it reports the requests answered, the 429s among them and
// their share, the wall time, the floor and the ratio (make conformance
// also build-s, as in BenchmarkRunsAt50ms). The goal of issue 19: at most
// 5% of requests answered 429, and a ratio of at most 1.1.
func BenchmarkGateway(b *testing.B) {
	s := makeBuild(b)
	for _, w := range ways {
		b.Run(w.name, func(b *testing.B) {
			var wall, build time.Duration
			var requests, refused int64
			for i := 0; i < b.N; i++ {
				if w.name == "make-conformance" {
					build += s.build(b) // as in BenchmarkRunsAt50ms
				}
				srv, url, stop := refServer(b, refserver.Options{RateLimit: gatewayRate}, 0)
				took, _ := run(b, w.command(s), url)
				stop()
				st := srv.Stats()
				wall += took
				requests += st.Answered
				refused += st.Throttled
			}
			floor := float64(requests-refused) / gatewayRate
			perRun := func(x float64) float64 { return x / float64(b.N) }
			b.ReportMetric(perRun(float64(requests)), "requests")
			b.ReportMetric(perRun(float64(refused)), "429s")
			b.ReportMetric(100*float64(refused)/float64(requests), "429-%")
			b.ReportMetric(perRun(wall.Seconds()), "wall-s")
			b.ReportMetric(perRun(floor), "floor-s")
			b.ReportMetric(wall.Seconds()/floor, "ratio")
			if w.name == "make-conformance" {
				b.ReportMetric(perRun(build.Seconds()), "build-s")
			}
		})
	}
}
