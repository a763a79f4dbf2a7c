package e2e

import (
	"encoding/xml"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/swr-conformance/swr-conformance/internal/report"
	"github.com/swr-conformance/swr-conformance/internal/selftest"
)

// ginkgoCLI builds the Ginkgo CLI of go.mod's tool directive once, beside
// the binaries, and returns its path.
var ginkgoCLI = sync.OnceValues(func() (string, error) {
	dir, err := binaries()
	if err != nil {
		return "", err
	}
	cli := filepath.Join(dir, "ginkgo")
	cmd := exec.Command("go", "build", "-o", cli, "github.com/onsi/ginkgo/v2/ginkgo")
	cmd.Dir = filepath.Join("..", "..") // go test runs in the package's directory
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building the Ginkgo CLI: %v\n%s", err, out)
	}
	return cli, nil
})

func ginkgo(t *testing.T) string {
	t.Helper()
	cli, err := ginkgoCLI()
	if err != nil {
		t.Fatal(err)
	}
	return cli
}

// specLines lists what two runs of the same seed must agree on, one line
// each, from the typed fields of results.json: every requirement's verdict,
// its reason and why it was not checked (cause, remedy, a filter), its
// specs' outcomes, property seeds and reasons not to check, and every
// failure record: the requirements
// it failed through, the security flag, and per failed check the
// requirement, operation, expected, got and replay, and the method, role
// and status of each exchange. Left out are what names the run's own
// namespaces and repositories (paths, cases, request texts, messages) and
// what says how long an answer took.
func specLines(r *report.Results) []string {
	var out []string
	for _, q := range r.Requirements {
		line := fmt.Sprintf("%s: %s security=%v %q", q.ID, q.Verdict, q.SecurityDefect, q.Reason)
		if nc := q.NotChecked; nc != nil {
			line += fmt.Sprintf(" (not checked: %s, remedy %q, filtered %v)", nc.Cause, nc.Remedy, nc.Filtered)
		}
		out = append(out, line)
		for _, s := range q.Specs {
			out = append(out, fmt.Sprintf("  %s | %s | %s | %q", s.FullName, s.Outcome, propertyOf(s), s.SkipReason))
		}
	}
	for _, f := range r.Failures {
		out = append(out, fmt.Sprintf("failure of %v in %s, security=%v", f.Requirements(), f.FullName, f.SecurityDefect))
		for _, e := range f.Evidence {
			out = append(out, fmt.Sprintf("  %s on %s: expected %q, got %q, replay %q", e.Requirement, e.Operation, e.Expected, e.Got, e.Replay))
			for _, x := range e.Exchanges {
				out = append(out, fmt.Sprintf("    %s %s → %d", x.Role, x.Method, x.Status))
			}
		}
	}
	return out
}

func propertyOf(s report.SpecResult) string {
	if s.Property == nil {
		return "-"
	}
	p := *s.Property
	return fmt.Sprintf("%s: %d cases, %d not checked, seed %d of run seed %d", p.Label, p.Cases, p.NotChecked, p.Seed, p.RunSeed)
}

// junitSpecs counts the specs (It nodes) junit.xml reports, by name.
func junitSpecs(t *testing.T, dir string) map[string]int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "junit.xml"))
	if err != nil {
		t.Fatal(err)
	}
	var suites struct {
		Suites []struct {
			Cases []struct {
				Name string `xml:"name,attr"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(b, &suites); err != nil {
		t.Fatal(err)
	}
	n := map[string]int{}
	for _, s := range suites.Suites {
		for _, c := range s.Cases {
			if strings.HasPrefix(c.Name, "[It] ") {
				n[c.Name]++
			}
		}
	}
	return n
}

func diffLines(a, b []string) string {
	var out []string
	for i := 0; i < max(len(a), len(b)); i++ {
		var x, y string
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if x != y {
			out = append(out, "serial:   "+x, "parallel: "+y)
			if len(out) > 12 {
				break
			}
		}
	}
	return strings.Join(out, "\n")
}

// The compiled suite under the Ginkgo CLI in several processes gives one
// merged result, the same as a serial run's with the same seed: the same
// specs, each once, the same requirement verdicts and reasons, the same
// counterexamples and seeds, the same VERDICT line, last, and the same exit
// status.
func TestParallelRunMatchesSerial(t *testing.T) {
	dir := bin(t)
	cli := ginkgo(t)
	conforming := startRefserver(t, dir, "-token", token, "-namespace", "conformance", "-repository", "team/app")
	faulty := startRefserver(t, dir, "-token", token, "-namespace", "conformance", "-repository", "team/app", "-fault", "ns-upper-accepted,update-200")
	provisioning := func(url string) []string {
		return []string{"SWR_ENDPOINT=" + url, "SWR_TOKEN=" + token, "SWR_SHARE_ACCOUNTS=peer-1,peer-2", "SWR_PROVISION=true", fewCases}
	}
	existing := []string{"SWR_ENDPOINT=" + conforming, "SWR_TOKEN=" + token, "SWR_SHARE_ACCOUNTS=peer-1,peer-2,peer-3,peer-4",
		"SWR_PROVISION=false", "SWR_NAMESPACE=conformance", "SWR_REPOSITORY=team/app", fewCases}
	tests := []struct {
		name  string
		env   []string
		procs int
		seed  string
		code  int
		cli   bool // under `go tool ginkgo`; else under the CLI built into the suite, as a vendor runs it
	}{
		{"provisioning, conforming", provisioning(conforming), 4, "7", 0, true},
		{"provisioning, two faults", provisioning(faulty), 3, "11", 1, true},
		// One account per process, and still every requirement a serial
		// run checks: UPDATE-ONLY-ITS-SHARE runs alone, last, and borrows
		// another process's account. No SWR_PROCS either: the default for
		// four accounts is four.
		{"existing fixture, four accounts, built-in CLI, default processes", existing, 4, "5", 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			serialDir, parallelDir := t.TempDir(), t.TempDir()
			code, serialOut := runSuite(t, dir, append(tc.env, "SWR_REPORT_DIR="+serialDir, "SWR_PROCS=1"), "-ginkgo.seed="+tc.seed)
			if code != tc.code {
				t.Fatalf("serial run: exit %d, want %d:\n%s", code, tc.code, tail(serialOut))
			}
			env := append(tc.env, "SWR_REPORT_DIR="+parallelDir)
			if tc.cli {
				env = append(env, "SWR_GINKGO="+cli, fmt.Sprintf("SWR_PROCS=%d", tc.procs))
			}
			code, out := runSuite(t, dir, env, "-ginkgo.seed="+tc.seed)
			if code != tc.code {
				t.Fatalf("parallel run: exit %d, want the serial run's %d (the verdict's exit status, not the Ginkgo CLI's pass or fail):\n%s", code, tc.code, tail(out))
			}
			if want := fmt.Sprintf("Running in parallel across %d processes", tc.procs); !strings.Contains(out, want) {
				t.Fatalf("the run did not go through the Ginkgo CLI (no %q):\n%s", want, tail(out))
			}
			if got, want := lastLine(out), lastLine(serialOut); got != want || !strings.HasPrefix(got, "VERDICT: ") {
				t.Fatalf("last line of the parallel run:\n  %s\nwant the serial run's VERDICT line:\n  %s\n%s", got, want, tail(out))
			}
			if strings.Contains(out, token) {
				t.Fatal("the token appears in the output of the parallel run")
			}
			s, p := readResults(t, serialDir), readResults(t, parallelDir)
			if s.Verdict != p.Verdict || s.ExitCode != p.ExitCode || !slices.Equal(s.Reasons, p.Reasons) || s.Meta.Seed != p.Meta.Seed {
				t.Fatalf("results.json differ: serial %q (exit %d, seed %d) %q, parallel %q (exit %d, seed %d) %q", s.Verdict, s.ExitCode, s.Meta.Seed, s.Reasons, p.Verdict, p.ExitCode, p.Meta.Seed, p.Reasons)
			}
			if a, b := specLines(s), specLines(p); !slices.Equal(a, b) {
				t.Fatalf("the requirements' verdicts or specs differ between the serial and the merged parallel results:\n%s", diffLines(a, b))
			}
			if fmt.Sprint(s.Specs) != fmt.Sprint(p.Specs) || !slices.Equal(s.RunProblems, p.RunProblems) || !slices.Equal(s.Warnings, p.Warnings) {
				t.Fatalf("spec counts, run problems or warnings differ: serial %v %q %q, parallel %v %q %q", s.Specs, s.RunProblems, s.Warnings, p.Specs, p.RunProblems, p.Warnings)
			}
			sj, pj := junitSpecs(t, serialDir), junitSpecs(t, parallelDir)
			for name, n := range pj {
				if n != 1 {
					t.Errorf("junit.xml of the parallel run has %q %d times, want once: the merge must neither lose nor repeat a spec", name, n)
				}
			}
			if len(sj) != len(pj) || len(pj) == 0 {
				t.Errorf("junit.xml: %d specs in the serial run, %d in the parallel one; want the same specs", len(sj), len(pj))
			}
			for name := range sj {
				if pj[name] == 0 {
					t.Errorf("junit.xml of the parallel run lacks %q", name)
				}
			}
			if procs, _ := p.Meta.Setting("parallel processes"); procs != fmt.Sprint(tc.procs) {
				t.Errorf("the parallel reports say %q parallel processes, want %d: a report must say how its run was made", procs, tc.procs)
			}
		})
	}
}

// The README's way for vendors: the Ginkgo CLI run by hand on the *.test
// binary. The reports are the merged result, the same verdict as a serial
// run; the CLI's exit status says only pass or fail.
func TestGinkgoCLIByHand(t *testing.T) {
	dir := bin(t)
	cli := ginkgo(t)
	url := startRefserver(t, dir, "-token", token, "-fault", "update-200")
	suite := filepath.Join(t.TempDir(), "swr-conformance.test")
	if err := os.Link(filepath.Join(dir, "swr-conformance"), suite); err != nil {
		t.Fatal(err)
	}
	env := []string{"SWR_ENDPOINT=" + url, "SWR_TOKEN=" + token, "SWR_SHARE_ACCOUNTS=peer-1", "SWR_PROVISION=true", fewCases}
	serialDir, cliDir := t.TempDir(), t.TempDir()
	code, serialOut := runSuite(t, dir, append(env, "SWR_REPORT_DIR="+serialDir), "-ginkgo.seed=3")
	if code != 1 {
		t.Fatalf("serial run against update-200: exit %d, want 1:\n%s", code, tail(serialOut))
	}
	cmd := exec.Command(cli, "--procs=3", "--seed=3", "--no-color", suite)
	cmd.Env = append(append(selftest.EnvironWithoutSWR(), env...), "SWR_REPORT_DIR="+cliDir)
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || !strings.Contains(string(out), "Running in parallel across 3 processes") {
		t.Fatalf("ginkgo --procs=3: %v, want the CLI's exit status 1 for failing specs:\n%s", err, tail(string(out)))
	}
	s, p := readResults(t, serialDir), readResults(t, cliDir)
	if s.Verdict != p.Verdict || s.ExitCode != p.ExitCode || !slices.Equal(specLines(s), specLines(p)) {
		t.Fatalf("the reports of ginkgo --procs=3 differ from a serial run's:\n%s", diffLines(specLines(s), specLines(p)))
	}
}

// Help that helps: -swr.help lists the suite's own settings, one line
// each; a misspelled flag costs at most three lines, naming the setting
// meant and -swr.help, and exits 2 as a run that cannot start does.
func TestHelpAndMisspelledFlags(t *testing.T) {
	dir := bin(t)
	code, out := runSuite(t, dir, nil, "-swr.help")
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if code != 0 || len(lines) < 20 || len(lines) > 30 {
		t.Fatalf("-swr.help: exit %d, %d lines; want 0 and one line per setting (about two dozen), not Go's usage of every flag:\n%s", code, len(lines), out)
	}
	for _, want := range []string{"-swr.endpoint", "SWR_ENDPOINT", "-swr.procs", "SWR_PROCS", "-swr.ginkgo", "SWR_GINKGO", "-swr.share-accounts"} {
		if !strings.Contains(out, want) {
			t.Errorf("-swr.help does not mention %s:\n%s", want, out)
		}
	}
	for _, l := range lines[1 : len(lines)-1] {
		if !regexp.MustCompile(`^  -swr\.[a-z-]+ +SWR_[A-Z_]+ +\S`).MatchString(l) {
			t.Errorf("help line %q: want the flag, its variable and what it does", l)
		}
	}
	if strings.Contains(out, "ginkgo.label-filter string") || strings.Contains(out, "test.run") {
		t.Errorf("-swr.help lists Ginkgo's or Go's flags, which bury the suite's:\n%s", out)
	}
	for _, tc := range []struct{ arg, want string }{
		{"-swr.endpiont=x", "did you mean -swr.endpoint?"},
		{"-swr.share-acounts=a,b", "did you mean -swr.share-accounts?"},
		{"-ginkgo.lable-filter=auth", "did you mean -ginkgo.label-filter?"},
	} {
		reports := t.TempDir()
		code, out := runSuite(t, dir, []string{"SWR_REPORT_DIR=" + reports}, tc.arg)
		lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
		if code != 2 || len(lines) > 4 || !strings.Contains(out, tc.want) || !strings.Contains(out, "-swr.help") || !strings.HasPrefix(lastLine(out), "VERDICT: no run") {
			t.Errorf("%s: exit %d, %d lines; want 2, at most four lines naming the flag meant (%q), -swr.help and the reports, the VERDICT line last:\n%s", tc.arg, code, len(lines), tc.want, out)
		}
		// The reports say why the run did not start: a CI job's upload step
		// finds them.
		if r := readResults(t, reports); r.Verdict != report.NoRun || len(r.Reasons) == 0 || !strings.Contains(r.Reasons[0], tc.want) {
			t.Errorf("%s: results.json says %q %q, want no run with the message", tc.arg, r.Verdict, r.Reasons)
		}
	}
	code, out = runSuite(t, dir, nil, "-h")
	if code != 0 || !strings.Contains(out, "-swr.endpoint") || !strings.Contains(out, "-ginkgo.label-filter") {
		t.Errorf("-h: exit %d; want 0 and every flag, the suite's and Ginkgo's:\n%s", code, tail(out))
	}
	if strings.Contains(out, "\x1b[") {
		t.Errorf("-h into a pipe has colour codes:\n%q", tail(out))
	}
}

// specLine is a progress line of a finished spec: n/N, the outcome, the
// duration and the spec's name, which starts with its requirement ID.
var specLine = regexp.MustCompile(`^ *(\d+)/(\d+) (passed|failed|not checked|partly checked|interrupted|not run) +\S+ +\[([A-Z0-9-]+)\] `)

// progressOf checks the progress lines of a run with want specs: each
// number from 1 to want once, each with the total, and returns how many
// there were.
func progressOf(t *testing.T, out string, want int) {
	t.Helper()
	seen := map[int]bool{}
	for _, l := range strings.Split(out, "\n") {
		m := specLine.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		var n, total int
		fmt.Sscan(m[1], &n)
		fmt.Sscan(m[2], &total)
		if total != want || seen[n] {
			t.Errorf("progress line %q: want each of 1/%d to %d/%d once", l, want, want, want)
		}
		seen[n] = true
	}
	if len(seen) != want {
		t.Errorf("%d progress lines, want one per spec (%d): a CI log must show each finished spec", len(seen), want)
	}
}

// runToFile runs the compiled suite with its output going to a file, as in
// a CI job or `make conformance > log`, and returns its exit status and
// that file's text.
func runToFile(t *testing.T, dir string, env []string, args ...string) (int, string) {
	t.Helper()
	f, err := os.Create(filepath.Join(t.TempDir(), "console.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cmd := exec.Command(filepath.Join(dir, "swr-conformance"), args...)
	cmd.Env = append(append(selftest.EnvironWithoutSWR(), "SWR_REPORT_DIR="+t.TempDir()), env...)
	cmd.Stdout, cmd.Stderr = f, f
	err = cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	return code, string(b)
}

// willRun is N of Ginkgo's "Will run N of M specs".
func willRun(t *testing.T, out string) int {
	t.Helper()
	m := regexp.MustCompile(`Will run (\d+) of \d+ specs`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no %q line:\n%s", "Will run N of M specs", tail(out))
	}
	var n int
	fmt.Sscan(m[1], &n)
	return n
}
