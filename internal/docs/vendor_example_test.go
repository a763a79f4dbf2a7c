package docs

import (
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/swr-conformance/swr-conformance/fixtures/refserver"
)

// vendorHeading is the README section whose Go example is a vendor's spec.
const vendorHeading = "## For vendors: a spec of your own"

// TestVendorExampleRuns compiles the README's vendor example in a module of
// its own, as a vendor would (it imports only suites/swrspec, Ginkgo and
// Gomega), and runs it against the reference server: it passes there, and
// fails with the whole story against a server that answers 200 to a create.
func TestVendorExampleRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles a module of its own")
	}
	code := goBlockUnder(t, readREADME(t), vendorHeading)
	root, err := filepath.Abs(filepath.Dir(readmePath))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("acme_test.go", code)
	// The project's own requirements and sums, so nothing is fetched.
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	write("go.mod", strings.Replace(string(gomod), "module github.com/swr-conformance/swr-conformance", "module example.com/acme", 1))
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	write("go.sum", string(sum))
	// The README's own `go mod edit` line, with the clone where this
	// checkout is (go mod tidy would fetch: the sums are the project's).
	edit := commandIn(t, shBlockUnder(t, readREADME(t), vendorHeading), "go mod edit ")
	cmd := exec.Command("sh", "-c", strings.ReplaceAll(edit, "../swr-conformance", root))
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the README's %q failed (%v):\n%s", edit, err, out)
	}

	run := func(faults ...refserver.Fault) (string, error) {
		srv := refserver.New(refserver.Options{Token: "acme-token", Faults: faults})
		if err := srv.CreateNamespace("acme"); err != nil {
			t.Fatal(err)
		}
		if err := srv.CreateRepository("acme", "team/app"); err != nil {
			t.Fatal(err)
		}
		hs := httptest.NewServer(srv)
		defer hs.Close()
		cmd := exec.Command("go", "test", "-count=1", "-mod=mod", ".")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "SWR_ENDPOINT="+hs.URL, "SWR_TOKEN=acme-token", "SWR_NAMESPACE=acme",
			"SWR_REPOSITORY=team/app", "ACME_ACCOUNT=peer-1", "GOWORK=off")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := run(); err != nil {
		t.Fatalf("the README's vendor example fails against the reference server (%v):\n%s", err, out)
	}
	out, err := run(refserver.FaultCreate200)
	if err == nil {
		t.Fatalf("the README's vendor example passes against a server that answers 200 to a create:\n%s", out)
	}
	for _, want := range []string{"rule ACME-DESCRIPTION-256", `ACME registry guide § Shares: "A description holds up to 256 characters."`, "expected: 201 Created", "got:      200 OK", "curl "} {
		if !strings.Contains(out, want) {
			t.Errorf("the failure of the vendor example lacks %q; it said:\n%s", want, out)
		}
	}
	if strings.Contains(out, "acme-token") {
		t.Errorf("the failure of the vendor example shows the token:\n%s", out)
	}
}

// goBlockUnder returns the first ```go block after the heading.
func goBlockUnder(t *testing.T, lines []string, heading string) string {
	t.Helper()
	return blockUnder(t, lines, heading, "```go")
}

// shBlockUnder returns the first ```sh block after the heading.
func shBlockUnder(t *testing.T, lines []string, heading string) string {
	t.Helper()
	return blockUnder(t, lines, heading, "```sh")
}

// commandIn is the line of block that starts with prefix.
func commandIn(t *testing.T, block, prefix string) string {
	t.Helper()
	for _, line := range strings.Split(block, "\n") {
		if strings.HasPrefix(line, prefix) {
			return line
		}
	}
	t.Fatalf("no %q line in:\n%s", prefix, block)
	return ""
}

func blockUnder(t *testing.T, lines []string, heading, fence string) string {
	t.Helper()
	in, under := false, false
	var code []string
	for _, line := range lines {
		switch {
		case line == heading:
			under = true
		case under && !in && line == fence:
			in = true
		case in && line == "```":
			return strings.Join(code, "\n") + "\n"
		case in:
			code = append(code, line)
		}
	}
	t.Fatalf("README.md has no %s block under %q", fence, heading)
	return ""
}
