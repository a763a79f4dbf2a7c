package actiontest

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/swr-conformance/swr-conformance/fixtures/refserver"
	"github.com/swr-conformance/swr-conformance/internal/selftest"
)

// action is what this test reads of action.yml (GitHub's metadata syntax
// for actions); decoding is strict, so a misspelled key fails here.
type action struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Author      string `json:"author"`
	Branding    struct {
		Icon  string `json:"icon"`
		Color string `json:"color"`
	} `json:"branding"`
	Inputs map[string]struct {
		Description string `json:"description"`
		Required    bool   `json:"required"`
		Default     string `json:"default"`
	} `json:"inputs"`
	Outputs map[string]struct {
		Description string `json:"description"`
		Value       string `json:"value"`
	} `json:"outputs"`
	Runs struct {
		Using string `json:"using"`
		Steps []step `json:"steps"`
	} `json:"runs"`
}

type step struct {
	Name  string            `json:"name"`
	ID    string            `json:"id"`
	If    string            `json:"if"`
	Shell string            `json:"shell"`
	Run   string            `json:"run"`
	Uses  string            `json:"uses"`
	Env   map[string]string `json:"env"`
	With  map[string]any    `json:"with"`
}

func load(t *testing.T) action {
	t.Helper()
	b, err := os.ReadFile("../../action.yml")
	if err != nil {
		t.Fatal(err)
	}
	var a action
	if err := yaml.UnmarshalStrict(b, &a); err != nil {
		t.Fatalf("action.yml does not decode strictly: %v", err)
	}
	return a
}

// The scripts take every value from env: an expression inside a script is
// pasted into it before bash reads it, so an input could inject commands.
func TestScriptsTakeValuesFromEnvOnly(t *testing.T) {
	a := load(t)
	if a.Runs.Using != "composite" || len(a.Runs.Steps) == 0 {
		t.Fatalf("runs.using %q with %d steps, want a composite action", a.Runs.Using, len(a.Runs.Steps))
	}
	for _, s := range a.Runs.Steps {
		if s.Run == "" {
			continue
		}
		if strings.Contains(s.Run, "${{") {
			t.Errorf("step %q: an expression inside the script; pass it through env", s.Name)
		}
		if s.Shell != "bash" {
			t.Errorf("step %q: shell %q, want bash (the scripts are bash, on every runner)", s.Name, s.Shell)
		}
		cmd := exec.Command("bash", "-n")
		cmd.Stdin = strings.NewReader(s.Run)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("step %q does not parse as bash: %v\n%s", s.Name, err, out)
		}
	}
	for name, in := range a.Inputs {
		if in.Description == "" {
			t.Errorf("input %s has no description", name)
		}
	}
}

// runner runs the action's steps as a GitHub runner does, for one set of
// inputs, and keeps what each step did.
type runner struct {
	t         *testing.T
	a         action
	inputs    map[string]string
	workspace string
	temp      string
	summary   string                       // GITHUB_STEP_SUMMARY
	outputs   map[string]map[string]string // step id -> outputs
	failed    bool                         // a step failed: the action fails
	log       map[string]string            // step name -> its output
	ran       map[string]bool
	exit      map[string]int
	uploads   []map[string]string // the `with` of each upload-artifact step run
}

var expr = regexp.MustCompile(`\$\{\{\s*(.*?)\s*\}\}`)

// eval replaces the expressions of s. It knows the few the action uses and
// fails the test on any other, which would need a look at how the runner
// evaluates it.
func (r *runner) eval(s string) string {
	return expr.ReplaceAllStringFunc(s, func(m string) string {
		e := expr.FindStringSubmatch(m)[1]
		if name, ok := strings.CutPrefix(e, "inputs."); ok {
			in, known := r.a.Inputs[name]
			if !known {
				r.t.Fatalf("%s: no such input", e)
			}
			if v, given := r.inputs[name]; given {
				return v
			}
			return in.Default
		}
		if parts := strings.Split(e, "."); len(parts) == 4 && parts[0] == "steps" && parts[2] == "outputs" {
			return r.outputs[parts[1]][parts[3]]
		}
		r.t.Fatalf("expression %q: this test knows inputs.NAME and steps.ID.outputs.NAME", e)
		return ""
	})
}

var ifOutputSet = regexp.MustCompile(`^always\(\) && steps\.([\w-]+)\.outputs\.([\w-]+) != ''$`)

// shouldRun says whether a step with condition cond runs.
func (r *runner) shouldRun(cond string) bool {
	switch m := ifOutputSet.FindStringSubmatch(cond); {
	case cond == "":
		return !r.failed // success(), the default
	case cond == "always()":
		return true
	case m != nil:
		return r.outputs[m[1]][m[2]] != ""
	}
	r.t.Fatalf("if: %q: this test knows no condition, always() and always() && steps.ID.outputs.NAME != ''", cond)
	return false
}

func (r *runner) runAll(env []string) {
	for _, s := range r.a.Runs.Steps {
		if !r.shouldRun(s.If) {
			continue
		}
		r.ran[s.Name] = true
		if s.Uses != "" {
			with := map[string]string{}
			for k, v := range s.With {
				with[k] = r.eval(fmt.Sprint(v))
			}
			if strings.HasPrefix(s.Uses, "actions/upload-artifact@") {
				r.uploads = append(r.uploads, with)
			}
			continue
		}
		out := filepath.Join(r.temp, "output-"+s.ID)
		script := filepath.Join(r.temp, "step.sh")
		if err := os.WriteFile(script, []byte(s.Run), 0o644); err != nil {
			r.t.Fatal(err)
		}
		// GitHub's bash: bash --noprofile --norc -eo pipefail {0}
		cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", script)
		cmd.Dir = r.workspace
		cmd.Env = append(append([]string(nil), env...), "GITHUB_OUTPUT="+out, "GITHUB_STEP_SUMMARY="+r.summary,
			"RUNNER_TEMP="+r.temp, "GITHUB_WORKSPACE="+r.workspace)
		for k, v := range s.Env {
			cmd.Env = append(cmd.Env, k+"="+r.eval(v))
		}
		b, err := cmd.CombinedOutput()
		r.log[s.Name] = string(b)
		if ee, ok := err.(*exec.ExitError); ok {
			r.exit[s.Name] = ee.ExitCode()
			r.failed = true
		} else if err != nil {
			r.t.Fatal(err)
		}
		if o, err := os.ReadFile(out); err == nil && s.ID != "" {
			r.outputs[s.ID] = map[string]string{}
			for _, line := range strings.Split(strings.TrimSpace(string(o)), "\n") {
				if k, v, ok := strings.Cut(line, "="); ok {
					r.outputs[s.ID][k] = v
				}
			}
		}
	}
}

// all is every step's output, for failure messages.
func (r *runner) all() string {
	var b strings.Builder
	for _, s := range r.a.Runs.Steps {
		if r.ran[s.Name] {
			fmt.Fprintf(&b, "--- step %q (exit %d):\n%s", s.Name, r.exit[s.Name], r.log[s.Name])
		}
	}
	summary, _ := os.ReadFile(r.summary)
	return b.String() + "--- job summary:\n" + string(summary)
}

const (
	version = "v0.0.0-action-test"
	token   = "action-test-token-51c2"
)

// suite builds the suite binary once for this package's tests.
var suite = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "swr-action-")
	if err != nil {
		return "", err
	}
	s, _, err := selftest.Build(dir)
	return s, err
})

// release serves a release of the suite on loopback, as the releases page
// does: RELEASE/<tag>/<file>. tamper changes the binary after its checksum
// was taken.
func release(t *testing.T, tamper bool) string {
	t.Helper()
	bin, err := suite()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	file := fmt.Sprintf("swr-conformance-%s-linux-%s.test", version, runtime.GOARCH)
	sums := fmt.Sprintf("%x  %s\n%x  swr-refserver-%s-linux-%s\n", sha256.Sum256(data), file, sha256.Sum256([]byte("other")), version, runtime.GOARCH)
	if tamper {
		data = append(bytes.Clone(data), 0)
	}
	if err := os.MkdirAll(filepath.Join(dir, version), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{file: data, "SHA256SUMS": []byte(sums)} {
		if err := os.WriteFile(filepath.Join(dir, version, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	hs := httptest.NewServer(http.FileServer(http.Dir(dir)))
	t.Cleanup(hs.Close)
	return hs.URL
}

// registry is the reference server with the fixture, perhaps with a fault.
func registry(t *testing.T, faults ...refserver.Fault) string {
	t.Helper()
	srv := refserver.New(refserver.Options{Token: token, Faults: faults})
	if err := srv.CreateRepository("conformance", "team/app"); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return hs.URL
}

// run runs the action with inputs on a Linux runner of this machine's
// architecture.
func run(t *testing.T, inputs map[string]string) *runner {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("runs the action as on a Linux runner")
	}
	if testing.Short() {
		t.Skip("builds and runs the suite")
	}
	arch := map[string]string{"amd64": "X64", "arm64": "ARM64"}[runtime.GOARCH]
	if arch == "" {
		t.Skipf("no runner architecture for %s", runtime.GOARCH)
	}
	r := &runner{t: t, a: load(t), inputs: inputs, workspace: t.TempDir(), temp: t.TempDir(),
		outputs: map[string]map[string]string{}, log: map[string]string{}, ran: map[string]bool{}, exit: map[string]int{}}
	r.summary = filepath.Join(r.temp, "step-summary.md")
	r.runAll(append(selftest.EnvironWithoutSWR(), "RUNNER_OS=Linux", "RUNNER_ARCH="+arch))
	if strings.Contains(r.all(), token) {
		t.Errorf("the token appears in the action's output or job summary")
	}
	return r
}

func inputs(releaseURL, endpoint string) map[string]string {
	return map[string]string{"version": version, "release-url": releaseURL, "endpoint": endpoint, "token": token,
		"namespace": "conformance", "repository": "team/app", "share-accounts": "peer-1,peer-2"}
}

func TestActionRunsTheVerifiedRelease(t *testing.T) {
	r := run(t, inputs(release(t, false), registry(t)))
	if r.failed || r.outputs["run"]["status"] != "0" {
		t.Fatalf("the action failed or the suite exited %q, want 0 (existing fixture: incomplete by configuration):\n%s", r.outputs["run"]["status"], r.all())
	}
	if !strings.Contains(r.log["download the suite and check it against SHA256SUMS"], "Verified swr-conformance-"+version) {
		t.Errorf("the download step does not say it verified the binary:\n%s", r.all())
	}
	if !strings.Contains(r.log["run the suite"], "VERDICT: incomplete (exit 0)") {
		t.Errorf("the suite's verdict is not in the log:\n%s", r.all())
	}
	summary, _ := os.ReadFile(r.summary)
	reports := filepath.Join(r.workspace, r.a.Inputs["report-dir"].Default)
	want, err := os.ReadFile(filepath.Join(reports, "summary.md"))
	if err != nil || !bytes.Contains(summary, want) {
		t.Errorf("the job summary does not hold summary.md (%v):\n%s", err, r.all())
	}
	if len(r.uploads) != 1 || r.uploads[0]["path"] != r.a.Inputs["report-dir"].Default || r.uploads[0]["name"] != r.a.Inputs["artifact-name"].Default {
		t.Errorf("uploads %v, want one artifact %q of the report directory %q", r.uploads, r.a.Inputs["artifact-name"].Default, r.a.Inputs["report-dir"].Default)
	}
	for _, f := range []string{"junit.xml", "results.json", "summary.md", "report.html"} {
		if _, err := os.Stat(filepath.Join(reports, f)); err != nil {
			t.Errorf("the uploaded directory lacks %s: %v", f, err)
		}
	}
}

func TestActionFailsWithTheVerdict(t *testing.T) {
	r := run(t, inputs(release(t, false), registry(t, "update-200")))
	if !r.failed || r.outputs["run"]["status"] != "1" || r.exit["the verdict's exit status"] != 1 {
		t.Fatalf("against a faulty server: failed %v, status %q, last step exit %d; want the action to fail with 1:\n%s", r.failed, r.outputs["run"]["status"], r.exit["the verdict's exit status"], r.all())
	}
	if !r.ran["job summary"] || len(r.uploads) != 1 {
		t.Errorf("a failing verdict skipped the summary or the upload:\n%s", r.all())
	}
}

// Bad input ends with a message naming it and exit 2, and never runs an
// unverified binary or passes.
func TestActionRefusesBadInput(t *testing.T) {
	url, target := release(t, false), registry(t)
	for _, tc := range []struct {
		name   string
		change func(in map[string]string)
		url    string
		step   string // the step that fails
		want   string
	}{
		{"no such version", func(in map[string]string) { in["version"] = "v0.0.0-no-such-release" }, url,
			"download the suite and check it against SHA256SUMS", "version 'v0.0.0-no-such-release': " + url + "/v0.0.0-no-such-release/SHA256SUMS answered HTTP 404"},
		{"version not a tag", func(in map[string]string) { in["version"] = "v1; rm -rf /" }, url,
			"download the suite and check it against SHA256SUMS", "is not a release tag"},
		{"empty version", func(in map[string]string) { in["version"] = "" }, url,
			"download the suite and check it against SHA256SUMS", "the version input is empty"},
		{"binary does not match SHA256SUMS", func(map[string]string) {}, release(t, true),
			"download the suite and check it against SHA256SUMS", "does not match SHA256SUMS"},
		{"no token", func(in map[string]string) { delete(in, "token") }, url,
			"the verdict's exit status", "SWR_TOKEN is required"},
		{"no endpoint", func(in map[string]string) { delete(in, "endpoint") }, url,
			"the verdict's exit status", "the endpoint input is empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := inputs(tc.url, target)
			tc.change(in)
			r := run(t, in)
			if !r.failed || r.exit[tc.step] != 2 || !strings.Contains(r.all(), tc.want) {
				t.Fatalf("failed %v, step %q exit %d; want the action to fail there with 2 and %q:\n%s", r.failed, tc.step, r.exit[tc.step], tc.want, r.all())
			}
			if tc.step != "the verdict's exit status" && r.ran["run the suite"] {
				t.Fatalf("the suite ran after the download failed:\n%s", r.all())
			}
			if summary, _ := os.ReadFile(r.summary); len(summary) == 0 {
				t.Errorf("the job summary says nothing about why")
			}
		})
	}
}
