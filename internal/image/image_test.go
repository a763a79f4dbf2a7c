package image

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"debug/elf"
	"encoding/pem"
	"fmt"
	"io"
	"io/fs"
	"net/http/httptest"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/swr-conformance/swr-conformance/fixtures/refserver"
	"github.com/swr-conformance/swr-conformance/internal/selftest"
)

var created = time.Date(2026, 5, 4, 3, 2, 1, 0, time.UTC)

func options(plats ...Platform) Options {
	return Options{Repository: DefaultRepository, Version: "v9.8.7", Revision: "0123456789abcdef0123456789abcdef01234567",
		Source: DefaultSource, Created: created, Platforms: plats}
}

// standIns writes small files in place of each platform's binaries: the
// index's structure does not depend on what the binaries are, and building
// the real ones for two architectures takes minutes.
func standIns(t *testing.T, arches ...string) []Platform {
	dir := t.TempDir()
	var out []Platform
	for _, arch := range arches {
		p := Platform{OS: "linux", Arch: arch, Suite: filepath.Join(dir, arch+"-suite"), RefServer: filepath.Join(dir, arch+"-refserver")}
		for _, f := range []string{p.Suite, p.RefServer} {
			if err := os.WriteFile(f, []byte("stand-in "+filepath.Base(f)), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		out = append(out, p)
	}
	return out
}

// archive builds the image of o and writes it to a file.
func archive(t *testing.T, o Options) (v1.ImageIndex, string) {
	t.Helper()
	idx, err := Build(o)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteArchive(&buf, idx, o); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "image.tar")
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return idx, file
}

// archiveByCommand writes the image of o to a file with cmd/swr-image, as
// `make image-archive` does. The real binaries are tens of megabytes:
// compressed inside this test's process, under go test -race, they took
// ten times as long as the command does; the image's code runs under the
// race detector in the tests above, on stand-ins.
func archiveByCommand(t *testing.T, o Options) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "image.tar")
	args := []string{"run", "./cmd/swr-image", "-out", file, "-repository", o.Repository, "-version", o.Version,
		"-revision", o.Revision, "-source", o.Source, "-created", fmt.Sprint(o.Created.Unix())}
	for _, p := range o.Platforms {
		args = append(args, "-platform", p.OS+"/"+p.Arch+"="+p.Suite+","+p.RefServer)
	}
	cmd := exec.Command("go", args...)
	cmd.Dir = filepath.Join("..", "..") // go test runs in the package's directory
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, b)
	}
	return file
}

// untar extracts a tar file into a new directory, as a user does before
// `crane push` (which reads an OCI layout from a directory).
func untar(t *testing.T, r io.Reader) string {
	t.Helper()
	dir := t.TempDir()
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return dir
		}
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(dir, filepath.FromSlash(h.Name))
		if !strings.HasPrefix(dst, dir+string(filepath.Separator)) {
			t.Fatalf("archive entry %q leaves the directory", h.Name)
		}
		switch h.Typeflag {
		case tar.TypeDir:
			err = os.MkdirAll(dst, 0o755)
		case tar.TypeReg:
			// A layer need not list a file's directories before it
			// (mutate.Extract gives the top layer first).
			if err = os.MkdirAll(filepath.Dir(dst), 0o755); err == nil {
				err = writeFile(dst, tr, os.FileMode(h.Mode)&0o777|0o200)
			}
		default:
			t.Fatalf("archive entry %q has type %c: only files and directories are expected", h.Name, h.Typeflag)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// writeFile writes what r holds to a new file at path, streamed: a whole
// binary read into memory first is copied over and over as the buffer grows.
func writeFile(path string, r io.Reader, mode os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// readBack reads the archive as the tools do: the OCI layout (crane,
// skopeo, podman, docker with containerd), and returns the one index it
// names, after checking that it is one entry named o.Ref.
func readBack(t *testing.T, file string, o Options) v1.ImageIndex {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dir := untar(t, f)
	top, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		t.Fatalf("the archive is not an OCI image layout: %v", err)
	}
	im, err := top.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	var refs []string
	for _, d := range im.Manifests {
		refs = append(refs, d.Annotations[AnnotationRefName])
		if d.Annotations[AnnotationImageName] != d.Annotations[AnnotationRefName] {
			t.Errorf("index.json entry %s: %s=%q, %s=%q; docker (containerd) and podman would name it differently", d.Digest, AnnotationImageName, d.Annotations[AnnotationImageName], AnnotationRefName, d.Annotations[AnnotationRefName])
		}
		if d.Digest != im.Manifests[0].Digest {
			t.Errorf("index.json names two different things: %s and %s", im.Manifests[0].Digest, d.Digest)
		}
	}
	if !reflect.DeepEqual(refs, []string{o.Ref()}) {
		t.Fatalf("index.json names %q, want one entry %q (crane and skopeo take the only entry without being told which)", refs, o.Ref())
	}
	idx, err := top.ImageIndex(im.Manifests[0].Digest)
	if err != nil {
		t.Fatalf("index.json's entry is not an image index: %v", err)
	}
	return idx
}

// files lists a layer's entries: name to header, and the files' contents.
func files(t *testing.T, l v1.Layer) (map[string]*tar.Header, map[string][]byte) {
	t.Helper()
	rc, err := l.Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	heads, data := map[string]*tar.Header{}, map[string][]byte{}
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return heads, data
		}
		if err != nil {
			t.Fatal(err)
		}
		heads[h.Name] = h
		if data[h.Name], err = io.ReadAll(tr); err != nil {
			t.Fatal(err)
		}
	}
}

// checkConfig checks what a runtime reads from an image's config.
func checkConfig(t *testing.T, img v1.Image, o Options, arch string) {
	t.Helper()
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	c := cf.Config
	if cf.OS != "linux" || cf.Architecture != arch {
		t.Errorf("config platform %s/%s, want linux/%s", cf.OS, cf.Architecture, arch)
	}
	if !reflect.DeepEqual(c.Entrypoint, []string{Suite}) || len(c.Cmd) != 0 {
		t.Errorf("entrypoint %q cmd %q: want the suite %s alone, so that `docker run IMAGE -ginkgo.label-filter=...` passes arguments to it", c.Entrypoint, c.Cmd, Suite)
	}
	if c.User != "65532:65532" {
		t.Errorf("user %q: want 65532:65532, a non-root user by number (Kubernetes' runAsNonRoot cannot check a name)", c.User)
	}
	if c.WorkingDir != ReportDir || !slices.Contains(c.Env, "SWR_REPORT_DIR="+ReportDir) {
		t.Errorf("working dir %q, env %q: want %s as both, so that a volume there keeps the reports", c.WorkingDir, c.Env, ReportDir)
	}
	if !slices.Contains(c.Env, "PATH="+BinDir) {
		t.Errorf("env %q lacks PATH=%s", c.Env, BinDir)
	}
	want := map[string]string{LabelVersion: o.Version, LabelRevision: o.Revision, LabelSource: o.Source, LabelCreated: "2026-05-04T03:02:01Z"}
	for k, v := range want {
		if c.Labels[k] != v {
			t.Errorf("label %s = %q, want %q", k, c.Labels[k], v)
		}
	}
	if !cf.Created.Time.Equal(o.Created) {
		t.Errorf("created %s, want %s: a time of the build would change the digest of every build", cf.Created, o.Created)
	}
	for _, h := range cf.History {
		if !h.Created.Time.Equal(o.Created) {
			t.Errorf("history %q created %s, want %s", h.CreatedBy, h.Created, o.Created)
		}
	}
}

// checkLayers checks the two layers: the base file system, then the binaries.
func checkLayers(t *testing.T, img v1.Image, o Options) (base v1.Hash, bins map[string][]byte) {
	t.Helper()
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	if len(layers) != 2 {
		t.Fatalf("%d layers, want 2 (base, binaries)", len(layers))
	}
	heads, data := files(t, layers[0])
	type entry struct {
		typ      byte
		mode     int64
		uid, gid int
	}
	wantBase := map[string]entry{
		"etc/": {tar.TypeDir, 0o755, 0, 0}, "etc/passwd": {tar.TypeReg, 0o644, 0, 0}, "etc/group": {tar.TypeReg, 0o644, 0, 0},
		"reports/": {tar.TypeDir, 0o755, UID, GID}, "tmp/": {tar.TypeDir, 0o1777, 0, 0},
		"usr/": {tar.TypeDir, 0o755, 0, 0}, "usr/local/": {tar.TypeDir, 0o755, 0, 0}, "usr/local/bin/": {tar.TypeDir, 0o755, 0, 0},
	}
	got := map[string]entry{}
	for n, h := range heads {
		got[n] = entry{h.Typeflag, h.Mode, h.Uid, h.Gid}
		if !h.ModTime.Equal(o.Created) {
			t.Errorf("base layer: %s has time %s, want %s", n, h.ModTime, o.Created)
		}
	}
	if !reflect.DeepEqual(got, wantBase) {
		t.Errorf("base layer holds %v, want %v (the reports directory owned by the non-root user, /tmp writable by all)", got, wantBase)
	}
	if want := fmt.Sprintf("nonroot:x:%d:%d:", UID, GID); !strings.Contains(string(data["etc/passwd"]), want) {
		t.Errorf("/etc/passwd has no %q:\n%s", want, data["etc/passwd"])
	}
	heads, bins = files(t, layers[1])
	if len(heads) != 2 {
		t.Errorf("binaries layer holds %d entries, want the suite and the reference server", len(heads))
	}
	for _, p := range []string{Suite, RefServer} {
		h := heads[strings.TrimPrefix(p, "/")]
		if h == nil || h.Typeflag != tar.TypeReg || h.Mode != 0o755 || h.Uid != 0 || !h.ModTime.Equal(o.Created) {
			t.Errorf("%s: header %+v, want a root-owned executable (0755) of time %s", p, h, o.Created)
		}
	}
	base, err = layers[0].Digest()
	if err != nil {
		t.Fatal(err)
	}
	return base, bins
}

func TestIndexHasOneImagePerPlatform(t *testing.T) {
	o := options(standIns(t, "amd64", "arm64")...)
	_, file := archive(t, o)
	idx := readBack(t, file, o)
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if im.MediaType != "application/vnd.oci.image.index.v1+json" {
		t.Errorf("index media type %q, want an OCI image index", im.MediaType)
	}
	for k, v := range o.Labels() {
		if im.Annotations[k] != v {
			t.Errorf("index annotation %s = %q, want %q (registries show the index's)", k, im.Annotations[k], v)
		}
	}
	if len(im.Manifests) != 2 {
		t.Fatalf("the index has %d manifests, want 2 (linux/amd64, linux/arm64)", len(im.Manifests))
	}
	var bases []v1.Hash
	for i, arch := range []string{"amd64", "arm64"} {
		d := im.Manifests[i]
		if d.Platform == nil || d.Platform.OS != "linux" || d.Platform.Architecture != arch {
			t.Fatalf("manifest %d is for %v, want linux/%s", i, d.Platform, arch)
		}
		img, err := idx.Image(d.Digest)
		if err != nil {
			t.Fatal(err)
		}
		if mt, _ := img.MediaType(); mt != "application/vnd.oci.image.manifest.v1+json" {
			t.Errorf("linux/%s: manifest media type %q, want OCI", arch, mt)
		}
		checkConfig(t, img, o, arch)
		base, bins := checkLayers(t, img, o)
		bases = append(bases, base)
		for file, from := range map[string]string{Suite: o.Platforms[i].Suite, RefServer: o.Platforms[i].RefServer} {
			want, _ := os.ReadFile(from)
			if got := bins[strings.TrimPrefix(file, "/")]; !bytes.Equal(got, want) {
				t.Errorf("linux/%s: %s holds %q, want the %s binary %q", arch, file, got, arch, want)
			}
		}
	}
	if bases[0] != bases[1] {
		t.Errorf("the base layers differ (%s, %s): the same files should be one blob for both platforms", bases[0], bases[1])
	}
}

// Docker's classic image store reads only manifest.json: each platform's
// image is there under its own tag, read here the way that store and
// go-containerregistry's tarball package do.
func TestArchiveLoadsIntoDockersClassicStore(t *testing.T) {
	o := options(standIns(t, "amd64", "arm64")...)
	idx, file := archive(t, o)
	for _, p := range o.Platforms {
		tag, err := name.NewTag(ArchiveTag(o, p.Arch))
		if err != nil {
			t.Fatal(err)
		}
		fromTar, err := tarball.ImageFromPath(file, &tag)
		if err != nil {
			t.Fatalf("manifest.json has no image %s: %v", tag, err)
		}
		got, err := fromTar.ConfigName()
		if err != nil {
			t.Fatal(err)
		}
		cf, err := fromTar.ConfigFile()
		if err != nil || cf.Architecture != p.Arch {
			t.Fatalf("%s: config %+v (%v), want the %s image", tag, cf, err, p.Arch)
		}
		im, _ := idx.IndexManifest()
		for _, d := range im.Manifests {
			if d.Platform.Architecture != p.Arch {
				continue
			}
			img, _ := idx.Image(d.Digest)
			if want, _ := img.ConfigName(); got != want {
				t.Errorf("%s: config %s, want the index's %s image's %s", tag, got, p.Arch, want)
			}
		}
	}
}

func TestTwoBuildsAreTheSameImage(t *testing.T) {
	o := options(standIns(t, "amd64", "arm64")...)
	idx1, file1 := archive(t, o)
	idx2, file2 := archive(t, o)
	d1, _ := idx1.Digest()
	d2, _ := idx2.Digest()
	if d1 != d2 {
		t.Fatalf("two builds of the same inputs: index %s and %s", d1, d2)
	}
	b1, _ := os.ReadFile(file1)
	b2, _ := os.ReadFile(file2)
	if !bytes.Equal(b1, b2) {
		t.Fatal("two builds of the same inputs wrote different archives")
	}
	o.Revision = "fedcba9876543210fedcba9876543210fedcba98"
	idx3, _ := archive(t, o)
	if d3, _ := idx3.Digest(); d3 == d1 {
		t.Fatal("another revision gave the same digest: the labels are not in the image")
	}
}

func TestBuildRefusesWhatCannotBeAnImage(t *testing.T) {
	plats := standIns(t, "amd64")
	for what, o := range map[string]Options{
		"no platform":      options(),
		"a darwin binary":  options(Platform{OS: "darwin", Arch: "arm64", Suite: plats[0].Suite, RefServer: plats[0].RefServer}),
		"platform twice":   options(plats[0], plats[0]),
		"version with ':'": func() Options { o := options(plats...); o.Version = "v1:2"; return o }(),
		"bad repository":   func() Options { o := options(plats...); o.Repository = "Not/A Repository"; return o }(),
	} {
		if _, err := Build(o); err == nil {
			t.Errorf("%s: Build succeeded", what)
		}
	}
	o := options(Platform{OS: "linux", Arch: "amd64", Suite: "/does/not/exist", RefServer: plats[0].RefServer})
	if _, err := Build(o); err == nil || !strings.Contains(err.Error(), "/does/not/exist") {
		t.Errorf("a missing binary: %v, want an error naming it", err)
	}
}

// TestImageRunsTheSuite builds the image of this machine's platform from the
// real binaries, built as `make image` builds them, reads it back, takes the
// binaries out of its layers and runs them: the reference server, and the
// suite against it. This machine cannot run containers, so the image's
// file system is not a root here: /reports is a temporary directory.
func TestImageRunsTheSuite(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the static binaries")
	}
	if runtime.GOOS != "linux" {
		t.Skip("the image's binaries are linux binaries")
	}
	bin := t.TempDir()
	p := Platform{OS: "linux", Arch: runtime.GOARCH, Suite: filepath.Join(bin, "swr-conformance.test"), RefServer: filepath.Join(bin, "swr-refserver")}
	o := options(p)
	o.Version = "v0.0.0-image-test"
	build(t, o, p)

	file := archiveByCommand(t, o)
	idx := readBack(t, file, o)
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	img, err := idx.Image(im.Manifests[0].Digest)
	if err != nil {
		t.Fatal(err)
	}
	// The layers' headers are checked with stand-ins (above): here what
	// matters is that what they hold runs.
	checkConfig(t, img, o, runtime.GOARCH)
	cf, _ := img.ConfigFile()

	// The file system as a runtime unpacks it, every layer applied.
	root := untar(t, mutate.Extract(img))
	at := func(p string) string { return filepath.Join(root, filepath.FromSlash(p)) }
	suite, refserverBin := at(cf.Config.Entrypoint[0]), at(RefServer)
	for _, f := range []string{suite, refserverBin} {
		if err := isStaticExecutable(f); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
	}
	if err := linksPackage(suite, "golang.org/x/crypto/x509roots/fallback"); err != nil {
		t.Errorf("the suite binary has no CA roots of its own, and the image has none: TLS to a registry would not verify (%v)", err)
	}

	url := startRefserver(t, refserverBin, "-token", "image-test-token", "-namespace", "conformance", "-repository", "team/app")
	// The image's /reports and /tmp stand for themselves, so that whatever
	// the run writes elsewhere in the image's file system shows: in the
	// Kubernetes manifests the root file system is read-only.
	reports, tmp := at(ReportDir), at("/tmp")
	before := tree(t, root)
	var env []string
	for _, kv := range cf.Config.Env {
		env = append(env, strings.ReplaceAll(kv, ReportDir, reports))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, suite)
	cmd.Dir = reports
	// Four accounts: two processes, under the Ginkgo CLI built into the suite.
	cmd.Env = append(append(selftest.EnvironWithoutSWR(), env...),
		"SWR_ENDPOINT="+url, "SWR_TOKEN=image-test-token", "SWR_NAMESPACE=conformance", "SWR_REPOSITORY=team/app",
		"SWR_SHARE_ACCOUNTS=peer-1,peer-2,peer-3,peer-4", "HOME="+reports, "TMPDIR="+tmp)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the image's suite against the image's reference server: %v, want exit 0 (existing fixture: incomplete by configuration):\n%s", err, out)
	}
	for _, want := range []string{"swr-conformance " + o.Version, "VERDICT: incomplete (exit 0)"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	for _, r := range []string{"junit.xml", "results.json", "summary.md", "report.html"} {
		if st, err := os.Stat(filepath.Join(reports, r)); err != nil || st.Size() == 0 {
			t.Errorf("report %s in the image's report directory: %v", r, err)
		}
	}
	for p := range tree(t, root) {
		if !before[p] && !strings.HasPrefix(p, ReportDir+"/") && !strings.HasPrefix(p, "/tmp/") {
			t.Errorf("the run wrote %s, outside %s and /tmp: it would fail on a read-only root file system", p, ReportDir)
		}
	}

	// The roots built into the suite are a fallback only: where the system
	// has roots (here SSL_CERT_FILE), they are the ones verified against,
	// as before; where it has none, the built-in ones are, and a private CA
	// is not among them.
	srv := refserver.New(refserver.Options{Token: "image-test-token"})
	if err := srv.CreateRepository("conformance", "team/app"); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewTLSServer(srv)
	defer hs.Close()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: hs.Certificate().Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	tlsRun := func(roots ...string) ([]byte, error) {
		cmd := exec.CommandContext(ctx, suite, "-ginkgo.label-filter=auth")
		cmd.Dir = reports
		cmd.Env = append(append(selftest.EnvironWithoutSWR(), env...), "SWR_ENDPOINT="+hs.URL, "SWR_TOKEN=image-test-token",
			"SWR_NAMESPACE=conformance", "SWR_REPOSITORY=team/app", "SWR_SHARE_ACCOUNTS=peer-1", "TMPDIR="+tmp)
		cmd.Env = append(cmd.Env, roots...)
		return cmd.CombinedOutput()
	}
	if out, err := tlsRun("SSL_CERT_FILE="+ca, "SSL_CERT_DIR="+tmp); err != nil {
		t.Errorf("with the server's CA as the system's roots: %v, want the certificate verified and exit 0:\n%s", err, out)
	}
	if out, err := tlsRun("SSL_CERT_FILE="+filepath.Join(tmp, "none.pem"), "SSL_CERT_DIR="+tmp); err == nil || !strings.Contains(string(out), "certificate") {
		t.Errorf("with no system roots (as in the image): %v, want the private CA refused (exit 2, certificate):\n%s", err, out)
	}
}

// tree lists the paths under root, as paths of the image.
func tree(t *testing.T, root string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	err := filepath.WalkDir(root, func(p string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		out["/"+filepath.ToSlash(rel)] = true
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// build compiles the two binaries as the Makefile's image target does.
func build(t *testing.T, o Options, p Platform) {
	t.Helper()
	root := filepath.Join("..", "..") // go test runs in the package's directory
	pkg := "github.com/swr-conformance/swr-conformance/internal/version"
	ldflags := fmt.Sprintf("-X %s.Version=%s -X %s.Commit=%s", pkg, o.Version, pkg, o.Revision[:7])
	for _, args := range [][]string{
		{"test", "-c", "-trimpath", "-ldflags", ldflags, "-o", p.Suite, "./suites"},
		{"build", "-trimpath", "-ldflags", ldflags, "-o", p.RefServer, "./cmd/swr-refserver"},
	} {
		cmd := exec.Command("go", args...)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+p.OS, "GOARCH="+p.Arch)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, b)
		}
	}
}

// isStaticExecutable says why f could not run in an image without an OS:
// not executable, or linked against a C library the image does not have.
func isStaticExecutable(f string) error {
	st, err := os.Stat(f)
	if err != nil {
		return err
	}
	if st.Mode()&0o111 == 0 {
		return fmt.Errorf("not executable (%v)", st.Mode())
	}
	e, err := elf.Open(f)
	if err != nil {
		return err
	}
	defer e.Close()
	for _, p := range e.Progs {
		if p.Type == elf.PT_INTERP {
			return fmt.Errorf("dynamically linked (has an ELF interpreter): the image has no C library")
		}
	}
	return nil
}

// linksPackage reports whether the Go binary f contains package pkg, by its
// symbols (a test binary records no module list).
func linksPackage(f, pkg string) error {
	e, err := elf.Open(f)
	if err != nil {
		return err
	}
	defer e.Close()
	syms, err := e.Symbols()
	if err != nil {
		return err
	}
	for _, s := range syms {
		if strings.HasPrefix(s.Name, pkg+".") {
			return nil
		}
	}
	return fmt.Errorf("no symbol of %s", pkg)
}

// startRefserver runs the reference server at path on a free loopback port
// and returns its URL.
func startRefserver(t *testing.T, bin string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, append([]string{"-listen", "127.0.0.1:0", "-quiet"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	const prefix = "swr-refserver listening on "
	if err != nil || !strings.HasPrefix(line, prefix) {
		t.Fatalf("%s printed %q (%v), want %q and its address", path.Base(bin), line, err, prefix)
	}
	return strings.TrimSpace(strings.TrimPrefix(line, prefix))
}
