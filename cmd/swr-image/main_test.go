package main

import (
	"testing"

	"github.com/swr-conformance/swr-conformance/internal/image"
)

func TestPlatformFlag(t *testing.T) {
	var p platforms
	if err := p.Set("linux/arm64=dist/s.test,dist/r"); err != nil {
		t.Fatal(err)
	}
	if want := (image.Platform{OS: "linux", Arch: "arm64", Suite: "dist/s.test", RefServer: "dist/r"}); len(p) != 1 || p[0] != want {
		t.Fatalf("-platform gave %+v, want %+v", p, want)
	}
	for _, bad := range []string{"linux/arm64", "linux=dist/s,dist/r", "linux/arm64=dist/s", "/arm64=a,b", "linux/arm64=,b"} {
		if err := p.Set(bad); err == nil {
			t.Errorf("-platform %q accepted: a wrong flag must not build an image without a binary", bad)
		}
	}
}
