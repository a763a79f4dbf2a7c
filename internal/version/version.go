// Package version stamps binaries: `make build` and `make dist` set these
// with -ldflags "-X ...". A plain `go test` run says "dev".
package version

var (
	// Version is the suite's release, e.g. v0.3.0.
	Version = "dev"
	// Commit is the source commit the binary was built from.
	Commit = "unknown"
)
