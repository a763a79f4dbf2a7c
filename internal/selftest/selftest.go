// Package selftest proves the suite: it runs the compiled suite against the
// reference server once per fault (each must be caught: sensitivity) and
// against both conforming dialects (each must pass: specificity), and checks
// that every spec fails under at least one fault, so no spec is one that can
// never fail.
package selftest

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/swr-conformance/swr-conformance/fixtures/refserver"
	"github.com/swr-conformance/swr-conformance/internal/contract"
	"github.com/swr-conformance/swr-conformance/internal/report"
)

// Fixture of the existing-fixture mode; the server is seeded with it.
const (
	namespace  = "conformance"
	repository = "team/app"
	token      = "selftest-token-7d2e"
	accounts   = "peer-1,peer-2"
)

// Seed makes the matrix reproducible: the same inputs every run.
const Seed = 1

// slowFaults run only the specs that can notice them: duplicate-race makes
// every first create wait for a partner, which would take the whole suite
// minutes for nothing.
var slowFaults = map[refserver.Fault]string{
	refserver.FaultDuplicateRace: "concurrency",
}

// Run is one run of the suite against one server set-up.
type Run struct {
	Fault       refserver.Fault // "" for a conforming server
	Dialect     refserver.Dialect
	Provision   bool
	LabelFilter string
	Cases       int // random cases per property spec (-swr.cases); 0: the suite's default
}

func (r Run) String() string {
	mode := "existing"
	if r.Provision {
		mode = "provisioning"
	}
	if r.Fault == "" {
		return fmt.Sprintf("%s dialect, %s", r.Dialect, mode)
	}
	return fmt.Sprintf("%s, %s", r.Fault, mode)
}

// Result is what came of a run.
type Result struct {
	Run
	Conforms bool     // the suite's verdict
	Failed   []string // names of the specs that failed
	// Broken are the IDs of the requirements whose specs failed.
	Broken []string
	// FailedThrough are the IDs of the requirements the failed specs failed
	// through by a check of their own: what a fault must break.
	FailedThrough []string
	Specs         []string // names of every spec that ran
	Err           error    // the run itself went wrong: no verdict
	Duration      time.Duration
}

// FaultCases is the random cases per property spec of a fault's run (the
// suite's default is 25). Every fault is killed through its own
// requirements by the fixed boundary cases or by the first few random
// ones: measured over the whole matrix, 5 cases kill every fault in the
// same fixture modes, through the same requirements, as 25 do at this
// seed, and at seeds 2 and 3 every fault is still killed in the same modes
// through requirements of its own; 3 cases already lose one of
// body-read-as-latin1's killers. Runs of a fault are most of the matrix,
// and a run at 5 costs about two thirds of one at 25. A fault that only
// the default's later random cases would catch shows up here as a
// survivor: give it a boundary case, or raise this (swr-selftest
// -fault-cases 25 runs the matrix at the default).
const FaultCases = 5

// Plan lists the runs: every fault in both fixture modes, with faultCases
// random cases per property spec, and both dialects in both fixture modes
// with the suite's default, so that a conforming server passes as many
// random cases as a user's run sends it.
func Plan(faultCases int) []Run {
	var runs []Run
	for _, provision := range []bool{false, true} {
		for _, d := range []refserver.Dialect{refserver.Strict, refserver.Lenient} {
			runs = append(runs, Run{Dialect: d, Provision: provision})
		}
		for _, f := range refserver.AllFaults() {
			runs = append(runs, Run{Fault: f.Name, Provision: provision, LabelFilter: slowFaults[f.Name], Cases: faultCases})
		}
	}
	return runs
}

// Only keeps the runs of the named faults, and of the conforming dialects
// when names holds "strict" or "lenient": for checking a few faults while
// working on them. An unknown name is an error.
func Only(runs []Run, names []string) ([]Run, error) {
	want := map[string]bool{}
	for _, n := range names {
		want[strings.TrimSpace(n)] = true
	}
	seen := map[string]bool{}
	var out []Run
	for _, r := range runs {
		name := string(r.Fault)
		if r.Fault == "" {
			name = r.Dialect.String()
		}
		if want[name] {
			seen[name] = true
			out = append(out, r)
		}
	}
	for n := range want {
		if !seen[n] {
			return nil, fmt.Errorf("-only: %q is neither a fault (swr-refserver -fault help) nor strict or lenient", n)
		}
	}
	return out, nil
}

// PrebuiltEnv names a directory holding swr-conformance and swr-refserver
// built from this tree as Build builds them. `make test` builds them once
// for every package whose tests run them (this one, e2e, deploy,
// actiontest), each of which would otherwise build its own: four links of
// the suite and four of the server. Unset, Build compiles.
const PrebuiltEnv = "SWRC_PREBUILT"

// Build compiles the suite (go test -c) and the reference server into dir
// and returns their paths; with PrebuiltEnv set, it copies the prebuilt
// ones there instead (copies, not links: a test may change its own).
func Build(dir string) (suite, refserver string, err error) {
	suite, refserver = filepath.Join(dir, "swr-conformance"), filepath.Join(dir, "swr-refserver")
	if pre := os.Getenv(PrebuiltEnv); pre != "" {
		for _, path := range []string{suite, refserver} {
			if err := copyExecutable(filepath.Join(pre, filepath.Base(path)), path); err != nil {
				return "", "", fmt.Errorf("%s=%s: %v (unset it to build the binaries here)", PrebuiltEnv, pre, err)
			}
		}
		return suite, refserver, nil
	}
	root, err := sourceRoot()
	if err != nil {
		return "", "", err
	}
	for _, args := range [][]string{
		{"test", "-c", "-o", suite, "./suites"},
		{"build", "-o", refserver, "./cmd/swr-refserver"},
	} {
		cmd := exec.Command("go", args...)
		cmd.Dir = root
		if b, err := cmd.CombinedOutput(); err != nil {
			return "", "", fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, b)
		}
	}
	return suite, refserver, nil
}

// modulePath is this module's path, as go.mod declares it.
const modulePath = "github.com/swr-conformance/swr-conformance"

// sourceRoot is the directory of this module's source: where this file was
// compiled from, or, in a build without file system paths (-trimpath),
// the working directory or the nearest above it whose go.mod is this
// module's (go test runs in the package's directory).
func sourceRoot() (string, error) {
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		return filepath.Join(filepath.Dir(file), "..", ".."), nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && strings.HasPrefix(string(b), "module "+modulePath+"\n") {
			return dir, nil
		}
		if filepath.Dir(dir) == dir {
			return "", fmt.Errorf("the suite's source is not in %s or above it (no go.mod of %s): run inside the repository, or give the built suite and server (-suite, -refserver)", wd, modulePath)
		}
	}
}

// copyExecutable copies the file src to dst, executable.
func copyExecutable(src, dst string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, b, 0o755)
}

// Execute runs every run with the suite binary at suite against the
// reference server program at refserver (both from Build), parallel runs at
// a time. Each run gets a server process of its own: the server is not
// part of the process that runs the matrix, so that a matrix run by `go
// test -race` does not pay for the race detector on every request of 170
// suite runs (the reference server's own tests, and ./suites against the
// embedded server, run it under the race detector).
func Execute(ctx context.Context, suite, refserver string, runs []Run, parallel int) []Result {
	results := make([]Result, len(runs))
	sem := make(chan struct{}, max(parallel, 1))
	var wg sync.WaitGroup
	for i, r := range runs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			results[i] = execute(ctx, suite, refserver, r)
		}()
	}
	wg.Wait()
	return results
}

// oneThread runs a matrix run's suite and server with one thread each
// (GOMAXPROCS=1). The matrix proves verdicts, not speed; nothing in either
// sizes itself by it; and on one thread the goroutines of each loopback
// request hand over without waking another thread, which saves about a
// quarter of a run's processor time (measured: 0.56 s of a run at 5 cases
// down to 0.40 s, suite and server together). Parallel runs keep the
// cores busy. The e2e tests run both with the default.
var oneThread = []string{"GOMAXPROCS=1"}

func execute(ctx context.Context, suite, refserverBin string, r Run) (res Result) {
	res = Result{Run: r}
	start := time.Now()
	defer func() { res.Duration = time.Since(start) }()

	serverArgs := []string{"-token", token, "-namespace", namespace, "-repository", repository, "-dialect", r.Dialect.String()}
	if r.Fault != "" {
		serverArgs = append(serverArgs, "-fault", string(r.Fault))
	}
	url, stop, err := startRefServer(ctx, oneThread, refserverBin, serverArgs...)
	if err != nil {
		res.Err = err
		return res
	}
	defer stop()

	dir, err := os.MkdirTemp("", "swr-selftest-")
	if err != nil {
		res.Err = err
		return res
	}
	defer os.RemoveAll(dir)
	reports := filepath.Join(dir, "reports")
	args := []string{"-ginkgo.no-color", "-ginkgo.seed=" + fmt.Sprint(Seed)}
	if r.LabelFilter != "" {
		args = append(args, "-ginkgo.label-filter="+r.LabelFilter)
	}
	if r.Cases > 0 {
		args = append(args, "-swr.cases="+fmt.Sprint(r.Cases))
	}
	cmd := exec.CommandContext(ctx, suite, args...)
	// One process: the matrix proves verdicts, and the parallel paths
	// have tests of their own (internal/e2e); a process per account would
	// only add the start-up of a CLI and its processes to each of the
	// matrix's runs.
	cmd.Env = append(append(EnvironWithoutSWR(), oneThread...),
		"SWR_ENDPOINT="+url, "SWR_TOKEN="+token, "SWR_SHARE_ACCOUNTS="+accounts, "SWR_PROCS=1",
		"SWR_PROVISION="+fmt.Sprint(r.Provision), "SWR_REPORT_DIR="+reports)
	if !r.Provision {
		cmd.Env = append(cmd.Env, "SWR_NAMESPACE="+namespace, "SWR_REPOSITORY="+repository)
	}
	out, runErr := cmd.CombinedOutput()
	specs, failed, broken, through, err := readResults(filepath.Join(reports, "results.json"))
	if err != nil {
		res.Err = fmt.Errorf("no report (%v); suite output:\n%s", err, tail(string(out), 30))
		return res
	}
	res.Specs, res.Failed, res.Broken, res.FailedThrough = specs, failed, broken, through
	res.Conforms = runErr == nil && len(failed) == 0
	if runErr != nil && len(failed) == 0 {
		res.Err = fmt.Errorf("the suite failed without a failing spec (%v):\n%s", runErr, tail(string(out), 30))
	}
	return res
}

// StartRefServer runs the reference server program at path with args on a
// free loopback port, and returns its URL and a stop that ends it. The
// program prints its address as its first line (cmd/swr-refserver).
func StartRefServer(ctx context.Context, path string, args ...string) (url string, stop func(), err error) {
	return startRefServer(ctx, nil, path, args...)
}

// startRefServer is StartRefServer with extra environment variables.
func startRefServer(ctx context.Context, env []string, path string, args ...string) (url string, stop func(), err error) {
	ctx, cancel := context.WithCancel(ctx)
	cmd := exec.CommandContext(ctx, path, append([]string{"-listen", "127.0.0.1:0", "-quiet"}, args...)...)
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		cancel()
		return "", nil, err
	}
	if err := cmd.Start(); err != nil {
		cancel()
		return "", nil, err
	}
	stop = func() { cancel(); cmd.Wait() }
	line, err := bufio.NewReader(stdout).ReadString('\n')
	const prefix = "swr-refserver listening on "
	if err != nil || !strings.HasPrefix(line, prefix) {
		stop()
		return "", nil, fmt.Errorf("swr-refserver %s printed %q instead of its address (%v): %s", strings.Join(args, " "), line, err, stderr.String())
	}
	return strings.TrimSpace(strings.TrimPrefix(line, prefix)), stop, nil
}

// readResults reads the run's results.json: every spec that ran and those
// that failed, by full name; the requirements whose specs failed; and the
// requirements the failed specs failed through by a check of their own
// (a failure no check named, a panic say, kills no fault).
func readResults(path string) (specs, failed, broken, through []string, err error) {
	r, err := report.ReadResults(path)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	ran := map[string]bool{}
	for _, q := range r.Requirements {
		for _, s := range q.Specs {
			switch s.Outcome {
			case report.SpecPassed, report.SpecFailed, report.SpecInterrupted:
				if !ran[s.FullName] {
					ran[s.FullName] = true
					specs = append(specs, s.FullName)
				}
			}
			if s.Outcome == report.SpecFailed {
				broken = append(broken, q.ID)
			}
		}
	}
	for _, f := range r.Failures {
		if !ran[f.FullName] { // a spec of no listed requirement
			ran[f.FullName] = true
			specs = append(specs, f.FullName)
		}
		failed = append(failed, f.FullName)
		if f.ByCheck {
			through = append(through, f.FailedRequirements...)
		}
	}
	return specs, failed, unique(broken), unique(through), nil
}

// Verdict of the whole self-test.
type Verdict struct {
	Survivors []string // faults the suite did not catch in any mode
	// WrongRule are fault runs the suite failed, but through none of the
	// requirements the fault breaks: luck, not proof.
	WrongRule   []string
	Rejected    []string // conforming set-ups the suite failed
	Broken      []string // runs that gave no verdict
	NeverFailed []string // specs no fault made fail
}

// OK reports whether the suite is proven on this matrix.
func (v Verdict) OK() bool {
	return len(v.Survivors)+len(v.WrongRule)+len(v.Rejected)+len(v.Broken)+len(v.NeverFailed) == 0
}

// Killers are the requirements the run failed through that its fault
// breaks: what killed the fault, if anything did.
func (r Result) Killers() []string {
	own := map[string]bool{}
	for _, id := range ids(breaks(r.Fault)) {
		own[id] = true
	}
	var out []string
	for _, id := range unique(r.FailedThrough) {
		if own[id] {
			out = append(out, id)
		}
	}
	return out
}

func breaks(f refserver.Fault) []contract.Requirement {
	for _, info := range refserver.AllFaults() {
		if info.Name == f {
			return info.Breaks
		}
	}
	return nil
}

func ids(reqs []contract.Requirement) []string {
	out := make([]string, len(reqs))
	for i, r := range reqs {
		out[i] = r.ID
	}
	return out
}

// unique is ids sorted, each once.
func unique(ids []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	sort.Strings(out)
	return out
}

// Judge derives the verdict from the results. A fault is judged only if it
// ran (Plan runs them all; Only, a few).
func Judge(results []Result) Verdict {
	var v Verdict
	killed, ran := map[refserver.Fault]bool{}, map[refserver.Fault]bool{}
	everRan, everFailed := map[string]bool{}, map[string]bool{}
	for _, r := range results {
		ran[r.Fault] = true
		switch {
		case r.Err != nil:
			v.Broken = append(v.Broken, r.Run.String()+": "+r.Err.Error())
		case r.Fault == "" && !r.Conforms:
			v.Rejected = append(v.Rejected, r.Run.String()+": "+strings.Join(r.Failed, "; "))
		case r.Fault != "" && !r.Conforms:
			if own := r.Killers(); len(own) > 0 {
				killed[r.Fault] = true
			} else {
				v.WrongRule = append(v.WrongRule, fmt.Sprintf("%s: failed %s, but the fault breaks %s", r.Run, strings.Join(unique(r.FailedThrough), ", "), strings.Join(ids(breaks(r.Fault)), ", ")))
			}
		}
		for _, s := range r.Specs {
			everRan[s] = true
		}
		if r.Fault != "" {
			for _, s := range r.Failed {
				everFailed[s] = true
			}
		}
	}
	for _, f := range refserver.AllFaults() {
		if ran[f.Name] && !killed[f.Name] {
			v.Survivors = append(v.Survivors, string(f.Name)+" (breaks: "+f.Rule+")")
		}
	}
	for s := range everRan {
		if !everFailed[s] {
			v.NeverFailed = append(v.NeverFailed, s)
		}
	}
	sort.Strings(v.NeverFailed)
	return v
}

// Matrix renders the results for a person: one row per fault or dialect,
// the verdict in each fixture mode and the specs that failed.
func Matrix(results []Result) string {
	type row struct {
		name   string
		cells  [2]string
		failed map[string]bool
	}
	rows := map[string]*row{}
	var order []string
	for _, r := range results {
		name := string(r.Fault)
		if name == "" {
			name = "(conforming, " + r.Dialect.String() + " dialect)"
		}
		rw, ok := rows[name]
		if !ok {
			rw = &row{name: name, failed: map[string]bool{}}
			rows[name] = rw
			order = append(order, name)
		}
		cell := "pass"
		switch {
		case r.Err != nil:
			cell = "ERROR"
		case !r.Conforms && r.Fault != "":
			cell = fmt.Sprintf("killed (%d)", len(r.Failed))
		case !r.Conforms:
			cell = fmt.Sprintf("FAILED (%d)", len(r.Failed))
		case r.Fault != "":
			cell = "SURVIVED"
		}
		i := 0
		if r.Provision {
			i = 1
		}
		rw.cells[i] = cell
		failed := r.Broken // a conforming set-up: the requirements whose specs failed
		if r.Fault != "" {
			failed = r.Killers() // a fault: the requirements of its own that failed
		}
		for _, id := range failed {
			rw.failed[id] = true
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%-40s %-14s %-14s %s\n", "fault", "existing", "provisioning", "killed by (a requirement the fault breaks, failed)")
	for _, name := range order {
		rw := rows[name]
		ids := make([]string, 0, len(rw.failed))
		for id := range rw.failed {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		fmt.Fprintf(&b, "%-40s %-14s %-14s %s\n", rw.name, rw.cells[0], rw.cells[1], strings.Join(ids, " "))
	}
	return b.String()
}

// EnvironWithoutSWR is this process's environment less every SWR_* setting,
// so a run of the suite sees only the settings it is given.
func EnvironWithoutSWR() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SWR_") {
			env = append(env, kv)
		}
	}
	return env
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
