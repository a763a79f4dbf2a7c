// Command swr-image writes the suite's OCI image (package internal/image) as
// an OCI layout archive: `make image` runs it with the linux binaries that
// `make dist` builds. It needs no container daemon and downloads nothing.
//
//	swr-image -out dist/swr-conformance-v1.2.0-image.tar -version v1.2.0 -revision <commit> \
//	  -created <unix seconds> -platform linux/amd64=SUITE,REFSERVER -platform linux/arm64=SUITE,REFSERVER
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/swr-conformance/swr-conformance/internal/image"
)

// platforms collects -platform os/arch=SUITE,REFSERVER.
type platforms []image.Platform

func (p *platforms) String() string { return fmt.Sprint(*p) }

func (p *platforms) Set(v string) error {
	plat, bins, ok := strings.Cut(v, "=")
	osName, arch, ok2 := strings.Cut(plat, "/")
	suite, ref, ok3 := strings.Cut(bins, ",")
	if !ok || !ok2 || !ok3 || osName == "" || arch == "" || suite == "" || ref == "" {
		return fmt.Errorf("%q: want os/arch=SUITE,REFSERVER, e.g. linux/amd64=dist/swr-conformance.test,dist/swr-refserver", v)
	}
	*p = append(*p, image.Platform{OS: osName, Arch: arch, Suite: suite, RefServer: ref})
	return nil
}

func main() {
	var plats platforms
	out := flag.String("out", "", "the archive to write (an OCI image layout in a tar)")
	o := image.Options{}
	flag.StringVar(&o.Repository, "repository", image.DefaultRepository, "the repository the image is named in")
	flag.StringVar(&o.Version, "version", "", "the suite's version: the tag and the org.opencontainers.image.version label")
	flag.StringVar(&o.Revision, "revision", "", "the source commit: the org.opencontainers.image.revision label")
	flag.StringVar(&o.Source, "source", image.DefaultSource, "the org.opencontainers.image.source label")
	created := flag.String("created", os.Getenv("SOURCE_DATE_EPOCH"), "every time stamp of the image, in seconds since 1970 (the commit's time; default $SOURCE_DATE_EPOCH)")
	flag.Var(&plats, "platform", "os/arch=SUITE,REFSERVER: the binaries of one platform (repeat for each)")
	flag.Parse()

	fail := func(format string, args ...any) {
		fmt.Fprintf(os.Stderr, "swr-image: "+format+"\n", args...)
		os.Exit(2)
	}
	if *out == "" || flag.NArg() > 0 {
		fail("usage: swr-image -out FILE -version V -revision R -created SECONDS -platform os/arch=SUITE,REFSERVER ...")
	}
	secs, err := strconv.ParseInt(*created, 10, 64)
	if err != nil {
		fail("-created=%q: want whole seconds since 1970 (e.g. git log -1 --format=%%ct), so that two builds give the same image", *created)
	}
	o.Created, o.Platforms = time.Unix(secs, 0).UTC(), plats

	idx, err := image.Build(o)
	if err != nil {
		fail("%v", err)
	}
	var buf bytes.Buffer
	if err := image.WriteArchive(&buf, idx, o); err != nil {
		fail("%v", err)
	}
	if err := os.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
		fail("%v", err)
	}
	digest, err := idx.Digest()
	if err != nil {
		fail("%v", err)
	}
	var names []string
	for _, p := range plats {
		names = append(names, p.String())
	}
	fmt.Printf("%s: %s (%.1f MiB), index %s, named %s\n", *out, strings.Join(names, " "), float64(buf.Len())/(1<<20), digest, o.Ref())
}
