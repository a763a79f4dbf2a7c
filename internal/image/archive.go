package image

import (
	"archive/tar"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// ArchiveTag is the name under which Docker's classic image store (no
// containerd) loads the image of one platform: that store reads only the
// manifest.json of `docker save`, one entry per image, and would give both
// platforms' images the same name (the last loaded wins). Every other
// loader reads the OCI index and names it by Ref.
func ArchiveTag(o Options, arch string) string {
	return o.Repository + ":" + o.Version + "-" + arch
}

// WriteArchive writes idx, built from o, as an OCI image layout in a tar
// archive to w: oci-layout, index.json naming idx by o.Ref, and
// the blobs, plus the manifest.json of `docker save` for Docker's classic
// image store (see ArchiveTag). The layout is go-containerregistry's,
// written to a temporary directory and then put in the tar with sorted
// names, fixed modes, owner root and the time o.Created.
func WriteArchive(w io.Writer, idx v1.ImageIndex, o Options) error {
	dir, err := os.MkdirTemp("", "swr-image-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		return err
	}
	ref := o.Ref()
	if err := p.AppendIndex(idx, layout.WithAnnotations(map[string]string{AnnotationRefName: ref, AnnotationImageName: ref})); err != nil {
		return err
	}
	docker, err := dockerManifest(idx, o)
	if err != nil {
		return err
	}
	if err := p.WriteFile("manifest.json", docker, 0o644); err != nil {
		return err
	}
	return tarDir(w, dir, o)
}

// dockerManifest is the manifest.json of `docker save`: each platform's
// config and layers, by their paths in the layout.
func dockerManifest(idx v1.ImageIndex, o Options) ([]byte, error) {
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, err
	}
	blob := func(h v1.Hash) string { return "blobs/" + h.Algorithm + "/" + h.Hex }
	var m tarball.Manifest
	for _, desc := range im.Manifests {
		img, err := idx.Image(desc.Digest)
		if err != nil {
			return nil, err
		}
		mf, err := img.Manifest()
		if err != nil {
			return nil, err
		}
		d := tarball.Descriptor{Config: blob(mf.Config.Digest), RepoTags: []string{ArchiveTag(o, desc.Platform.Architecture)}}
		for _, l := range mf.Layers {
			d.Layers = append(d.Layers, blob(l.Digest))
		}
		m = append(m, d)
	}
	return json.Marshal(m)
}

// tarDir puts the files under dir into a tar on w, sorted by name.
func tarDir(w io.Writer, dir string, o Options) error {
	var names []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if path != dir {
			names = append(names, path)
		}
		return nil
	})
	if err != nil {
		return err
	}
	sort.Strings(names)
	tw := tar.NewWriter(w)
	for _, path := range names {
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		info, err := os.Lstat(path)
		if err != nil {
			return err
		}
		h := &tar.Header{Name: filepath.ToSlash(rel), ModTime: o.Created.Truncate(time.Second), Mode: 0o644, Typeflag: tar.TypeReg}
		switch {
		case info.IsDir():
			h.Name, h.Mode, h.Typeflag = h.Name+"/", 0o755, tar.TypeDir
		case info.Mode().IsRegular():
			h.Size = info.Size()
		default:
			return fmt.Errorf("%s: not a file or directory", path)
		}
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if h.Typeflag == tar.TypeReg {
			f, err := os.Open(path)
			if err != nil {
				return err
			}
			_, err = io.Copy(tw, f)
			f.Close()
			if err != nil {
				return err
			}
		}
	}
	return tw.Close()
}
