// Package image builds the suite's OCI image without a daemon and without a
// base image: an image index of one image per platform, each holding the
// static suite binary and the reference server on a root file system of a
// few files (a non-root user, /tmp, the reports directory). It is written as
// an OCI image layout in a tar archive, the form `docker load`, `podman
// load`, skopeo (oci-archive:) and crane (the layout, extracted) accept.
//
// The image structures (layers, configs, manifests, the index, the layout)
// are go-containerregistry's; this package only says what goes in them. Two
// builds from the same binaries and options give the same bytes, so the
// same digest: every time stamp is Options.Created, every list is sorted,
// every owner and mode fixed.
package image

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// What the image is, for the manifests of deploy/, the README and the tests.
const (
	// DefaultRepository is where the project's image is published: the
	// repository part of its references (make image names it so).
	DefaultRepository = "ghcr.io/swr-conformance/swr-conformance"
	// LatestTag is the tag the manifests of deploy/ run: a build is named
	// by its version (Ref), and its user pushes it to the cluster's
	// registry under this tag or sets the manifests' image to the name
	// pushed. One name only: with two, skopeo needs to be told which, and
	// crane pushes the layout's whole index.json instead of the image.
	LatestTag = "latest"
	// DefaultSource is the org.opencontainers.image.source label.
	DefaultSource = "https://github.com/swr-conformance/swr-conformance"

	// BinDir holds the two programs; PATH is set to it.
	BinDir = "/usr/local/bin"
	// Suite is the suite binary, the entrypoint. Its name ends in .test
	// because the Ginkgo CLI built into it only runs *.test files.
	Suite = BinDir + "/swr-conformance.test"
	// RefServer is the reference server, for trying the image out.
	RefServer = BinDir + "/swr-refserver"
	// ReportDir is the working directory and SWR_REPORT_DIR: mount a
	// volume here to keep the reports.
	ReportDir = "/reports"
	// UID and GID are the non-root user the image runs as (the number
	// distroless images use for "nonroot"). It is given by number so that
	// Kubernetes can check runAsNonRoot without reading /etc/passwd.
	UID, GID = 65532, 65532
)

// The standard labels (github.com/opencontainers/image-spec annotations.md).
const (
	LabelVersion  = "org.opencontainers.image.version"
	LabelRevision = "org.opencontainers.image.revision"
	LabelSource   = "org.opencontainers.image.source"
	LabelCreated  = "org.opencontainers.image.created"
	LabelTitle    = "org.opencontainers.image.title"
	LabelDesc     = "org.opencontainers.image.description"

	// AnnotationRefName names an image in an OCI layout (podman load and
	// skopeo read it); AnnotationImageName is containerd's, which docker
	// load reads when it keeps images in containerd.
	AnnotationRefName   = "org.opencontainers.image.ref.name"
	AnnotationImageName = "io.containerd.image.name"
)

// Platform is one image of the index: its platform and the two binaries
// built for it (static: CGO_ENABLED=0).
type Platform struct {
	OS, Arch  string
	Suite     string // path of the suite binary (go test -c ./suites)
	RefServer string // path of swr-refserver
}

// String is "os/arch".
func (p Platform) String() string { return p.OS + "/" + p.Arch }

// Options say what to build.
type Options struct {
	Repository string // e.g. DefaultRepository
	Version    string // the suite's version, the tag and the version label
	Revision   string // the source commit, the revision label
	Source     string // the source label, e.g. DefaultSource
	// Created is every time stamp of the image (config, history, files):
	// the commit's time, so that a rebuild of the commit is the same image.
	Created   time.Time
	Platforms []Platform
}

func (o Options) check() error {
	var problems []string
	if _, err := name.NewRepository(o.Repository, name.StrictValidation); err != nil {
		problems = append(problems, fmt.Sprintf("repository %q: %v", o.Repository, err))
	} else if _, err := name.NewTag(o.Repository+":"+o.Version, name.StrictValidation); err != nil {
		problems = append(problems, fmt.Sprintf("version %q cannot be a tag: %v", o.Version, err))
	}
	if len(o.Platforms) == 0 {
		problems = append(problems, "no platform")
	}
	seen := map[string]bool{}
	for _, p := range o.Platforms {
		if seen[p.String()] {
			problems = append(problems, "platform "+p.String()+" given twice")
		}
		seen[p.String()] = true
		if p.OS != "linux" {
			problems = append(problems, "platform "+p.String()+": the image has no OS of its own, only linux binaries run in it")
		}
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

// Ref is the name of a build: repository:version.
func (o Options) Ref() string { return o.Repository + ":" + o.Version }

// Labels are the image's labels, also the index's annotations.
func (o Options) Labels() map[string]string {
	return map[string]string{
		LabelVersion:  o.Version,
		LabelRevision: o.Revision,
		LabelSource:   o.Source,
		LabelCreated:  o.Created.UTC().Format(time.RFC3339),
		LabelTitle:    "swr-conformance",
		LabelDesc:     "Conformance suite for a container registry's image-sharing API, with its reference server",
	}
}

// Env is the image's environment.
func Env() []string {
	return []string{"PATH=" + BinDir, "SWR_REPORT_DIR=" + ReportDir}
}

// Build returns the image index: one image per platform, in the order given.
func Build(o Options) (v1.ImageIndex, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	base, err := layer(baseFiles(), o.Created)
	if err != nil {
		return nil, err
	}
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	for _, p := range o.Platforms {
		img, err := platformImage(o, p, base)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{
			Add:        img,
			Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: p.OS, Architecture: p.Arch}},
		})
	}
	return mutate.Annotations(idx, o.Labels()).(v1.ImageIndex), nil
}

// platformImage is the image of one platform: the base layer, shared by
// every platform, and the layer of its binaries.
func platformImage(o Options, p Platform, base v1.Layer) (v1.Image, error) {
	var bins []file
	for _, b := range []struct{ from, to string }{{p.Suite, Suite}, {p.RefServer, RefServer}} {
		data, err := os.ReadFile(b.from)
		if err != nil {
			return nil, err
		}
		bins = append(bins, file{name: b.to, mode: 0o755, data: data})
	}
	binaries, err := layer(bins, o.Created)
	if err != nil {
		return nil, err
	}
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	img, err = mutate.ConfigFile(img, &v1.ConfigFile{
		Architecture: p.Arch,
		OS:           p.OS,
		Created:      v1.Time{Time: o.Created},
		Config: v1.Config{
			Entrypoint: []string{Suite},
			User:       fmt.Sprintf("%d:%d", UID, GID),
			WorkingDir: ReportDir,
			Env:        Env(),
			Labels:     o.Labels(),
		},
		RootFS: v1.RootFS{Type: "layers"},
	})
	if err != nil {
		return nil, err
	}
	created := v1.Time{Time: o.Created}
	return mutate.Append(img,
		mutate.Addendum{Layer: base, MediaType: types.OCILayer, History: v1.History{Created: created, CreatedBy: "swr-image: user, /tmp, " + ReportDir, Comment: "no base image"}},
		mutate.Addendum{Layer: binaries, MediaType: types.OCILayer, History: v1.History{Created: created, CreatedBy: "swr-image: " + Suite + ", " + RefServer}},
	)
}

// file is one entry of a layer: a regular file, or a directory if dir.
type file struct {
	name string
	mode int64
	dir  bool
	uid  int
	data []byte
}

// baseFiles are the root file system without the binaries: the non-root
// user (for tools that look a name up), a /tmp anyone may write (Go's
// temporary files), and the reports directory the user owns. CA roots are
// not files: the suite binary carries them (golang.org/x/crypto/x509roots/
// fallback, used only where the system has none, as here).
func baseFiles() []file {
	return []file{
		{name: "/etc", mode: 0o755, dir: true},
		{name: "/etc/group", mode: 0o644, data: fmt.Appendf(nil, "root:x:0:\nnonroot:x:%d:\n", GID)},
		{name: "/etc/passwd", mode: 0o644, data: fmt.Appendf(nil, "root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:%d:%d:nonroot:%s:/sbin/nologin\n", UID, GID, ReportDir)},
		{name: ReportDir, mode: 0o755, dir: true, uid: UID},
		{name: "/tmp", mode: 0o1777, dir: true},
		{name: "/usr", mode: 0o755, dir: true},
		{name: "/usr/local", mode: 0o755, dir: true},
		{name: BinDir, mode: 0o755, dir: true},
	}
}

// layer is a gzip layer of files, sorted by name, every time stamp t and
// every owner root (but a file's uid says otherwise), so that the same
// files always give the same digest.
func layer(files []file, t time.Time) (v1.Layer, error) {
	files = append([]file(nil), files...)
	sort.Slice(files, func(i, j int) bool { return files[i].name < files[j].name })
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range files {
		h := &tar.Header{
			Name:     strings.TrimPrefix(f.name, "/"),
			Mode:     f.mode,
			ModTime:  t.Truncate(time.Second),
			Typeflag: tar.TypeReg,
			Size:     int64(len(f.data)),
			Uid:      f.uid,
			Gid:      f.uid,
		}
		if f.dir {
			h.Name += "/"
			h.Typeflag, h.Size = tar.TypeDir, 0
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, err
		}
		if _, err := tw.Write(f.data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	data := buf.Bytes()
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(data)), nil
	}, tarball.WithMediaType(types.OCILayer), tarball.WithCompressedCaching)
}
