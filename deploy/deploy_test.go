package deploy

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"encoding/xml"
	"flag"
	"io"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"github.com/swr-conformance/swr-conformance/fixtures/refserver"
	"github.com/swr-conformance/swr-conformance/internal/config"
	"github.com/swr-conformance/swr-conformance/internal/image"
	"github.com/swr-conformance/swr-conformance/internal/selftest"
	"github.com/swr-conformance/swr-conformance/internal/sonobuoy"
)

// manifests are the objects of kubernetes/, by kind and name.
type manifests struct {
	configMaps map[string]*corev1.ConfigMap
	secrets    map[string]*corev1.Secret
	claims     map[string]*corev1.PersistentVolumeClaim
	jobs       map[string]*batchv1.Job
	cronJobs   map[string]*batchv1.CronJob
}

// plugin is a Sonobuoy plugin definition: the fields of Sonobuoy's
// manifest.Manifest and manifest.SonobuoyConfig (pkg/plugin/manifest of
// github.com/vmware-tanzu/sonobuoy), which Sonobuoy decodes it into.
type plugin struct {
	SonobuoyConfig struct {
		Driver       string   `json:"driver"`
		PluginName   string   `json:"plugin-name"`
		SkipCleanup  bool     `json:"skip-cleanup,omitempty"`
		ResultFormat string   `json:"result-format,omitempty"`
		ResultFiles  []string `json:"result-files,omitempty"`
		Description  string   `json:"description,omitempty"`
		SourceURL    string   `json:"source-url,omitempty"`
		Order        int      `json:"order,omitempty"`
	} `json:"sonobuoy-config"`
	Spec         corev1.Container  `json:"spec"`
	ExtraVolumes []corev1.Volume   `json:"extra-volumes,omitempty"`
	PodSpec      *corev1.PodSpec   `json:"podSpec,omitempty"`
	ConfigMap    map[string]string `json:"config-map,omitempty"`
}

const pluginFile = "sonobuoy/swr-conformance.yaml"

// decodeStrictly decodes one YAML document into v, refusing unknown and
// duplicate fields: a misspelled field that Kubernetes would drop with a
// warning (envfrom, runAsNonroot) fails here.
func decodeStrictly(t *testing.T, file string, v any) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if regexp.MustCompile(`(?m)^---`).Match(b) {
		t.Fatalf("%s: one object per file, so that each is decoded and checked", file)
	}
	if err := yaml.UnmarshalStrict(b, v); err != nil {
		t.Fatalf("%s does not decode strictly into %T: %v", file, v, err)
	}
}

func load(t *testing.T) manifests {
	t.Helper()
	files, err := filepath.Glob("kubernetes/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests in kubernetes/ (%v)", err)
	}
	m := manifests{map[string]*corev1.ConfigMap{}, map[string]*corev1.Secret{}, map[string]*corev1.PersistentVolumeClaim{}, map[string]*batchv1.Job{}, map[string]*batchv1.CronJob{}}
	for _, f := range files {
		var tm metav1.TypeMeta
		decode := func(api string, v interface{ GetName() string }, into func()) {
			if tm.APIVersion != api {
				t.Errorf("%s: %s has apiVersion %q, want %q", f, tm.Kind, tm.APIVersion, api)
			}
			decodeStrictly(t, f, v)
			if v.GetName() == "" {
				t.Errorf("%s: no metadata.name", f)
			}
			into()
		}
		b, _ := os.ReadFile(f)
		if err := yaml.Unmarshal(b, &tm); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		switch tm.Kind {
		case "ConfigMap":
			var o corev1.ConfigMap
			decode("v1", &o, func() { m.configMaps[o.Name] = &o })
		case "Secret":
			var o corev1.Secret
			decode("v1", &o, func() { m.secrets[o.Name] = &o })
		case "PersistentVolumeClaim":
			var o corev1.PersistentVolumeClaim
			decode("v1", &o, func() { m.claims[o.Name] = &o })
		case "Job":
			var o batchv1.Job
			decode("batch/v1", &o, func() { m.jobs[o.Name] = &o })
		case "CronJob":
			var o batchv1.CronJob
			decode("batch/v1", &o, func() { m.cronJobs[o.Name] = &o })
		default:
			t.Errorf("%s: kind %q: this test knows ConfigMap, Secret, PersistentVolumeClaim, Job and CronJob; teach it the new kind", f, tm.Kind)
		}
	}
	return m
}

func loadPlugin(t *testing.T) plugin {
	t.Helper()
	var p plugin
	decodeStrictly(t, pluginFile, &p)
	return p
}

// pods are the pod specs that run the suite: the Job's, the CronJob's.
func (m manifests) pods() map[string]corev1.PodSpec {
	out := map[string]corev1.PodSpec{}
	for n, j := range m.jobs {
		out["Job "+n] = j.Spec.Template.Spec
	}
	for n, c := range m.cronJobs {
		out["CronJob "+n] = c.Spec.JobTemplate.Spec.Template.Spec
	}
	return out
}

func TestManifestsDecodeStrictly(t *testing.T) {
	m := load(t)
	if len(m.configMaps) != 1 || len(m.secrets) != 1 || len(m.claims) != 1 || len(m.jobs) != 1 || len(m.cronJobs) != 1 {
		t.Fatalf("kubernetes/ holds %d ConfigMaps, %d Secrets, %d claims, %d Jobs, %d CronJobs; want one of each",
			len(m.configMaps), len(m.secrets), len(m.claims), len(m.jobs), len(m.cronJobs))
	}
	p := loadPlugin(t)
	c := p.SonobuoyConfig
	if c.Driver != "Job" || c.PluginName == "" || c.ResultFormat != "junit" || !reflect.DeepEqual(c.ResultFiles, []string{"junit.xml"}) {
		t.Errorf("sonobuoy-config %+v: want driver Job, a name, result-format junit and result-files [junit.xml] (the report Sonobuoy counts passed and failed specs from)", c)
	}
	for _, j := range m.jobs {
		for _, cj := range m.cronJobs {
			if !reflect.DeepEqual(j.Spec.Template, cj.Spec.JobTemplate.Spec.Template) {
				t.Errorf("the CronJob's pod differs from the Job's: they should run the suite the same way")
			}
			if cj.Spec.ConcurrencyPolicy != batchv1.ForbidConcurrent {
				t.Errorf("CronJob concurrencyPolicy %q: two runs at once would share the same share accounts", cj.Spec.ConcurrencyPolicy)
			}
			for what, spec := range map[string]batchv1.JobSpec{"Job": j.Spec, "CronJob's Job": cj.Spec.JobTemplate.Spec} {
				if spec.BackoffLimit == nil || *spec.BackoffLimit != 0 {
					t.Errorf("%s backoffLimit %v, want 0: a verdict (exit 1) is an answer, not a crash to retry", what, spec.BackoffLimit)
				}
			}
		}
	}
}

// containers are the containers that run the suite, by where they are.
func containers(m manifests, p plugin) map[string]corev1.Container {
	out := map[string]corev1.Container{pluginFile: p.Spec}
	for where, pod := range m.pods() {
		for _, c := range pod.Containers {
			out[where+" container "+c.Name] = c
		}
	}
	return out
}

func TestEveryVariableIsASettingOfTheSuite(t *testing.T) {
	m, p := load(t), loadPlugin(t)
	isSetting := func(name string) bool {
		return strings.HasPrefix(name, "SWR_") && len(config.UnknownVariables([]string{name + "=x"})) == 0
	}
	var names []string
	for _, cm := range m.configMaps {
		for k := range cm.Data {
			names = append(names, "ConfigMap "+cm.Name+": "+k)
		}
	}
	for _, s := range m.secrets {
		for k := range s.StringData {
			names = append(names, "Secret "+s.Name+": "+k)
		}
		for k := range s.Data {
			names = append(names, "Secret "+s.Name+": "+k)
		}
	}
	for where, c := range containers(m, p) {
		for _, e := range c.Env {
			if where == pluginFile && e.Name == sonobuoy.EnvResultsDir {
				continue // Sonobuoy's side of the plugin contract (internal/sonobuoy)
			}
			names = append(names, where+": "+e.Name)
		}
	}
	sort.Strings(names)
	if len(names) < 6 {
		t.Fatalf("only %v: the manifests should set the endpoint, the token, the fixture, the accounts and the report directory", names)
	}
	for _, n := range names {
		if name := n[strings.LastIndex(n, " ")+1:]; !isSetting(name) {
			t.Errorf("%s is not a setting of the suite (internal/config): the suite would ignore it, or stop on it as a typo", n)
		}
	}

	// The arguments are the suite's flags, and every $(VAR) in them is set
	// by the manifests: Kubernetes leaves an unknown one as it is.
	fs := flag.NewFlagSet("suite", flag.ContinueOnError)
	config.Bind(fs)
	for where, c := range containers(m, p) {
		if len(c.Command) > 0 {
			t.Errorf("%s: command %q replaces the image's entrypoint, the suite", where, c.Command)
		}
		for _, a := range c.Args {
			name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
			if !strings.HasPrefix(a, "-") || fs.Lookup(name) == nil {
				t.Errorf("%s: argument %q is not a flag of the suite", where, a)
			}
			for _, ref := range varRef.FindAllStringSubmatch(a, -1) {
				if !isSetting(ref[1]) {
					t.Errorf("%s: argument %q refers to %s, not a setting", where, a, ref[1])
				}
			}
		}
	}

	// The shipped ConfigMap with a token is a configuration the suite takes.
	for _, cm := range m.configMaps {
		env := map[string]string{"SWR_TOKEN": "a-token"}
		for k, v := range cm.Data {
			env[k] = v
		}
		if _, err := config.Bind(flag.NewFlagSet("x", flag.ContinueOnError)).Load(func(k string) (string, bool) { v, ok := env[k]; return v, ok }); err != nil {
			t.Errorf("ConfigMap %s, with a token, is not a valid configuration: %v", cm.Name, err)
		}
	}
}

var varRef = regexp.MustCompile(`\$\(([A-Za-z_][A-Za-z0-9_]*)\)`)

// The manifests run the image `make image` builds: its repository (the
// Makefile passes no other to cmd/swr-image), under the tag its user pushes
// it as (image.LatestTag; a build is named by its version).
func TestManifestsRunTheImageMakeImageBuilds(t *testing.T) {
	m, p := load(t), loadPlugin(t)
	makefile, err := os.ReadFile("../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(makefile), "./cmd/swr-image") || strings.Contains(string(makefile), "-repository") {
		t.Fatal("the Makefile does not run ./cmd/swr-image with its default repository: this test no longer knows what `make image` names")
	}
	want := image.DefaultRepository + ":" + image.LatestTag
	if ref := (image.Options{Repository: image.DefaultRepository, Version: "v1.2.3"}).Ref(); !strings.HasPrefix(ref, image.DefaultRepository+":") {
		t.Fatalf("a build is named %s, not in %s", ref, image.DefaultRepository)
	}
	for where, c := range containers(m, p) {
		if c.Image != want {
			t.Errorf("%s runs %q, want %q, the image make image builds", where, c.Image, want)
		}
		sc := c.SecurityContext
		if where == pluginFile && (sc == nil || sc.RunAsUser == nil || *sc.RunAsUser != image.UID || sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot) {
			t.Errorf("%s: securityContext %+v, want runAsNonRoot and the image's user %d", where, sc, image.UID)
		}
	}
	for where, pod := range m.pods() {
		sc := pod.SecurityContext
		if sc == nil || sc.RunAsUser == nil || *sc.RunAsUser != image.UID || sc.FSGroup == nil || *sc.FSGroup != image.GID || sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot {
			t.Errorf("%s: securityContext %+v, want runAsNonRoot, the image's user %d and fsGroup %d (the reports volume writable)", where, sc, image.UID, image.GID)
		}
		c := pod.Containers[0]
		if c.WorkingDir != image.ReportDir {
			t.Errorf("%s: workingDir %q, want the image's %s (SWR_REPORT_DIR is relative to it)", where, c.WorkingDir, image.ReportDir)
		}
		mounts := map[string]string{}
		for _, vm := range c.VolumeMounts {
			mounts[vm.MountPath] = vm.Name
		}
		volumes := map[string]corev1.Volume{}
		for _, v := range pod.Volumes {
			volumes[v.Name] = v
		}
		reports := volumes[mounts[image.ReportDir]]
		if reports.PersistentVolumeClaim == nil || m.claims[reports.PersistentVolumeClaim.ClaimName] == nil {
			t.Errorf("%s: %s is not on a claim of kubernetes/ (%+v): the reports would go with the pod", where, image.ReportDir, reports)
		}
		if c.SecurityContext != nil && c.SecurityContext.ReadOnlyRootFilesystem != nil && *c.SecurityContext.ReadOnlyRootFilesystem {
			if v := volumes[mounts["/tmp"]]; v.EmptyDir == nil {
				t.Errorf("%s: a read-only root file system without a volume on /tmp: the reports are written through a temporary file", where)
			}
		}
		for _, from := range c.EnvFrom {
			if r := from.ConfigMapRef; r != nil && m.configMaps[r.Name] == nil {
				t.Errorf("%s: envFrom names ConfigMap %q, which kubernetes/ does not hold", where, r.Name)
			}
			if r := from.SecretRef; r != nil && m.secrets[r.Name] == nil {
				t.Errorf("%s: envFrom names Secret %q, which kubernetes/ does not hold", where, r.Name)
			}
		}
	}
	var mountsResults bool
	for _, vm := range p.Spec.VolumeMounts {
		mountsResults = mountsResults || vm.Name == "results" && vm.MountPath == sonobuoy.DefaultResultsDir
	}
	if !mountsResults {
		t.Errorf("the plugin does not mount Sonobuoy's volume results at %s, where the worker looks for the done file", sonobuoy.DefaultResultsDir)
	}
}

// sources are the ConfigMaps and Secrets a run's pod finds, by name.
type sources struct {
	configMaps, secrets map[string]map[string]string
}

// containerEnv is the environment Kubernetes gives c, as the kubelet makes
// it: the image's, then envFrom in order, then env (later wins), each env
// value's $(VAR) expanded from what comes before; labels answer fieldRef.
// It refuses what would keep the pod from starting (a required source
// that is missing).
func containerEnv(t *testing.T, c corev1.Container, src sources, labels map[string]string, imageEnv []string) map[string]string {
	t.Helper()
	env := map[string]string{}
	for _, kv := range imageEnv {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	for _, from := range c.EnvFrom {
		var data map[string]string
		var ok, optional bool
		switch {
		case from.ConfigMapRef != nil:
			data, ok = src.configMaps[from.ConfigMapRef.Name]
			optional = from.ConfigMapRef.Optional != nil && *from.ConfigMapRef.Optional
		case from.SecretRef != nil:
			data, ok = src.secrets[from.SecretRef.Name]
			optional = from.SecretRef.Optional != nil && *from.SecretRef.Optional
		}
		if !ok && !optional {
			t.Fatalf("envFrom %+v is missing and not optional: the pod would never start", from)
		}
		for k, v := range data {
			env[from.Prefix+k] = v
		}
	}
	for _, e := range c.Env {
		switch {
		case e.ValueFrom == nil:
			env[e.Name] = expand(e.Value, env)
		case e.ValueFrom.FieldRef != nil:
			path := e.ValueFrom.FieldRef.FieldPath
			label, ok := strings.CutPrefix(path, "metadata.labels['")
			if !ok || !strings.HasSuffix(label, "']") {
				t.Fatalf("env %s: fieldRef %q: this test knows metadata.labels['...'] only", e.Name, path)
			}
			env[e.Name] = labels[strings.TrimSuffix(label, "']")]
		default:
			t.Fatalf("env %s: valueFrom %+v: this test knows value and fieldRef only", e.Name, e.ValueFrom)
		}
	}
	return env
}

// expand replaces $(VAR) with VAR's value where VAR is set, as Kubernetes
// does in env values and args; an unset one stays as it is.
func expand(s string, env map[string]string) string {
	return varRef.ReplaceAllStringFunc(s, func(ref string) string {
		if v, ok := env[ref[2:len(ref)-1]]; ok {
			return v
		}
		return ref
	})
}

// suite builds the suite binary once for the tests of this package.
var suite = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "swr-deploy-")
	if err != nil {
		return "", err
	}
	s, _, err := selftest.Build(dir)
	return s, err
})

// target is a reference server holding the fixture the ConfigMap names.
func target(t *testing.T, cm *corev1.ConfigMap) string {
	t.Helper()
	srv := refserver.New(refserver.Options{Token: token})
	if err := srv.CreateRepository(cm.Data[config.EnvNamespace], cm.Data[config.EnvRepository]); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return hs.URL
}

const token = "deploy-test-token-7d3e"

// runContainer runs the suite binary as Kubernetes would run c: its
// arguments expanded, its environment built from src, in workDir. Paths of
// the container are moved into the test's directories by remap.
func runContainer(t *testing.T, c corev1.Container, env map[string]string, workDir string, remap *strings.Replacer) (int, string) {
	t.Helper()
	bin, err := suite()
	if err != nil {
		t.Fatal(err)
	}
	var args []string
	for _, a := range c.Args {
		args = append(args, expand(a, env))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = workDir
	cmd.Env = selftest.EnvironWithoutSWR()
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+remap.Replace(v))
	}
	out, err := cmd.CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), token) {
		t.Errorf("the token appears in the suite's output")
	}
	return code, string(out)
}

// settings are the shipped ConfigMap and Secret with the test's target and
// token in place of the examples.
func settings(t *testing.T, m manifests) sources {
	t.Helper()
	src := sources{map[string]map[string]string{}, map[string]map[string]string{}}
	for n, cm := range m.configMaps {
		data := map[string]string{}
		for k, v := range cm.Data {
			data[k] = v
		}
		data[config.EnvEndpoint] = target(t, cm)
		src.configMaps[n] = data
	}
	for n, s := range m.secrets {
		data := map[string]string{}
		for k, v := range s.StringData {
			data[k] = v
		}
		data[config.EnvToken] = token
		src.secrets[n] = data
	}
	return src
}

// Bad settings end the run with the suite's own message and exit 2, never
// a pass: each case starts from the working settings and breaks one.
var badSettings = []struct {
	name   string
	change func(src sources)
	want   string
}{
	{"no SWR_ENDPOINT in the ConfigMap", func(src sources) { delete(src.configMaps["swr-conformance"], config.EnvEndpoint) }, `-swr.endpoint="$(SWR_ENDPOINT)" must start with https:// or http://`},
	{"SWR_ENDPOINT misspelled", func(src sources) {
		cm := src.configMaps["swr-conformance"]
		cm["SWR_ENDPIONT"] = cm[config.EnvEndpoint]
		delete(cm, config.EnvEndpoint)
	}, "SWR_ENDPIONT is not a setting of this suite: did you mean SWR_ENDPOINT?"},
	{"no ConfigMap", func(src sources) { delete(src.configMaps, "swr-conformance") }, `-swr.endpoint="$(SWR_ENDPOINT)"`},
	{"the Secret as shipped (no token)", func(src sources) { src.secrets["swr-conformance"][config.EnvToken] = "" }, "SWR_TOKEN is required"},
	{"no Secret", func(src sources) { delete(src.secrets, "swr-conformance") }, "SWR_TOKEN is required"},
	{"no SWR_SHARE_ACCOUNTS", func(src sources) { delete(src.configMaps["swr-conformance"], config.EnvAccounts) }, "SWR_SHARE_ACCOUNTS is required"},
	{"no SWR_REPOSITORY", func(src sources) { delete(src.configMaps["swr-conformance"], config.EnvRepository) }, "SWR_NAMESPACE and SWR_REPOSITORY are both required"},
}

func TestJobRunsTheSuite(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the suite")
	}
	m := load(t)
	job := m.jobs["swr-conformance"]
	if job == nil {
		t.Fatal("no Job swr-conformance")
	}
	c := job.Spec.Template.Spec.Containers[0]
	// The Job controller labels the pod with the Job's name.
	labels := map[string]string{"batch.kubernetes.io/job-name": job.Name}
	run := func(t *testing.T, src sources) (int, string, string) {
		volume := t.TempDir() // stands for the claim mounted at /reports
		env := containerEnv(t, c, src, labels, image.Env())
		code, out := runContainer(t, c, env, volume, strings.NewReplacer(image.ReportDir, volume))
		return code, out, volume
	}

	t.Run("settings complete", func(t *testing.T) {
		code, out, volume := run(t, settings(t, m))
		if code != 0 || !strings.Contains(out, "VERDICT: incomplete (exit 0)") {
			t.Fatalf("exit %d, want 0 and an incomplete verdict (existing fixture):\n%s", code, out)
		}
		for _, r := range sonobuoy.Reports {
			if _, err := os.Stat(filepath.Join(volume, job.Name, r)); err != nil {
				t.Errorf("report %s is not on the volume in the Job's directory %s: %v", r, job.Name, err)
			}
		}
	})
	for _, bad := range badSettings {
		t.Run(bad.name, func(t *testing.T) {
			src := settings(t, m)
			bad.change(src)
			code, out, _ := run(t, src)
			if code != 2 || !strings.Contains(out, bad.want) || !strings.Contains(out, "VERDICT: no run") {
				t.Fatalf("exit %d, want 2 with %q and VERDICT: no run:\n%s", code, bad.want, out)
			}
		})
	}
}

// TestSonobuoyPluginProtocol runs the suite as the plugin's container, with
// Sonobuoy's results volume in a temporary directory, and reads what
// Sonobuoy's worker reads: the done file, then the results file it names.
func TestSonobuoyPluginProtocol(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the suite")
	}
	m, p := load(t), loadPlugin(t)
	run := func(t *testing.T, src sources) (code int, out, results string) {
		results = t.TempDir() // Sonobuoy's emptyDir, shared with the worker
		reports := t.TempDir()
		env := containerEnv(t, p.Spec, src, nil, image.Env())
		// `sonobuoy run` sets these in every plugin (pkg/client/gen.go).
		env["SONOBUOY"], env["RESULTS_DIR"] = "true", sonobuoy.DefaultResultsDir
		if env[sonobuoy.EnvResultsDir] == "" {
			env[sonobuoy.EnvResultsDir] = sonobuoy.DefaultResultsDir
		}
		code, out = runContainer(t, p.Spec, env, reports, strings.NewReplacer(sonobuoy.DefaultResultsDir, results, image.ReportDir, reports))
		return code, out, results
	}

	collected := func(t *testing.T, src sources) string {
		code, out, results := run(t, src)
		if code != 0 {
			t.Fatalf("exit %d, want 0:\n%s", code, out)
		}
		done, err := os.ReadFile(filepath.Join(results, sonobuoy.DoneFile))
		if err != nil {
			t.Fatalf("no done file in the results directory: Sonobuoy's worker would wait until its timeout (%v)\n%s", err, out)
		}
		archive := strings.TrimSpace(string(done))
		if filepath.Dir(archive) != results || !strings.HasSuffix(archive, ".gz") {
			t.Fatalf("done names %q: want a file in the results directory %s whose name ends in .gz (the worker sends it as a tarball)", archive, results)
		}
		files := untarGz(t, archive)
		var names []string
		for n := range files {
			names = append(names, n)
		}
		sort.Strings(names)
		if want := slices.Sorted(slices.Values(sonobuoy.Reports)); !reflect.DeepEqual(names, want) {
			t.Fatalf("the results hold %v, want the four reports %v", names, want)
		}
		for _, rf := range p.SonobuoyConfig.ResultFiles {
			var suites struct {
				XMLName xml.Name
				Suites  []struct {
					Tests int `xml:"tests,attr"`
				} `xml:"testsuite"`
			}
			if err := xml.Unmarshal([]byte(files[rf]), &suites); err != nil || suites.XMLName.Local != "testsuites" || len(suites.Suites) == 0 || suites.Suites[0].Tests == 0 {
				t.Errorf("result file %s is not a JUnit report with tests (%v): Sonobuoy would count nothing", rf, err)
			}
		}
		return out
	}
	t.Run("settings complete", func(t *testing.T) { collected(t, settings(t, m)) })
	// Two accounts: two processes (one account each) under the Ginkgo CLI
	// built into the suite, where process 1 writes the merged reports.
	t.Run("two processes", func(t *testing.T) {
		src := settings(t, m)
		src.configMaps["swr-conformance"][config.EnvAccounts] = "peer-1,peer-2"
		if out := collected(t, src); !strings.Contains(out, "2 parallel processes") {
			t.Errorf("the run did not use two processes:\n%s", out)
		}
	})
	t.Run("no SWR_ENDPOINT", func(t *testing.T) {
		src := settings(t, m)
		delete(src.configMaps["swr-conformance"], config.EnvEndpoint)
		code, out, results := run(t, src)
		if code != 2 || !strings.Contains(out, "VERDICT: no run") {
			t.Fatalf("exit %d, want 2 and no run:\n%s", code, out)
		}
		if _, err := os.Stat(filepath.Join(results, sonobuoy.DoneFile)); err == nil {
			t.Fatal("a run that did not start wrote a done file: Sonobuoy would take its results for a run")
		}
	})
}

// untarGz reads a gzip tarball: name to content.
func untarGz(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		out[h.Name] = string(b)
	}
}
