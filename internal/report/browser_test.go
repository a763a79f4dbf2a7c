package report

import (
	"context"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

const chromium = "/usr/bin/chromium"

// chrome runs headless Chromium on page with args and returns its stdout.
// Networking, updates and sync are off: the page must render from itself.
func chrome(t *testing.T, page string, args ...string) string {
	t.Helper()
	profile, err := os.MkdirTemp("", "report-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	// Not t.TempDir: Chromium's helpers may still write there as it exits.
	defer os.RemoveAll(profile)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	args = append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
		"--user-data-dir=" + profile}, append(args, "file://"+page)...)
	cmd := exec.CommandContext(ctx, chromium, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, stderr.String())
	}
	return string(out)
}

var (
	headRE = regexp.MustCompile(`(?s)<head>.*</head>`)
	tagRE  = regexp.MustCompile(`<[^>]*>`)
	wsRE   = regexp.MustCompile(`\s+`)
)

// visibleText is roughly what a person reads: the body's text, tags gone,
// entities decoded.
func visibleText(dom string) string {
	return wsRE.ReplaceAllString(html.UnescapeString(tagRE.ReplaceAllString(headRE.ReplaceAllString(dom, ""), " ")), " ")
}

// TestBrowserRendersReport opens report.html as a person would. With
// REPORT_SCREENSHOT=/path.png it also saves a screenshot to look at.
func TestBrowserRendersReport(t *testing.T) {
	if _, err := os.Stat(chromium); err != nil {
		const why = "the browser test needs " + chromium + ": .ci/run must install chromium (apt-get update && apt-get install -y chromium)"
		if os.Getenv("CI") != "" {
			t.Fatal(why)
		}
		t.Skip(why)
	}
	page, err := filepath.Abs(filepath.Join(written(t), "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	dom := chrome(t, page, "--dump-dom")
	if strings.Contains(dom, "<script") {
		t.Error("the rendered DOM has a script element: a failure message was not escaped")
	}
	text := visibleText(dom)
	for _, want := range []string{
		"DOES NOT CONFORM",
		"CREATE-409-DUPLICATE",
		"<script>alert('x')</script> & more", // the message, shown literally
		"X-Auth-Token: [REDACTED]",
		"never",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the page does not show %q; it shows:\n%s", want, text)
		}
	}
	if strings.Contains(dom, "s3cr3t") {
		t.Error("the rendered page contains the secret")
	}
	if shot := os.Getenv("REPORT_SCREENSHOT"); shot != "" {
		chrome(t, page, "--screenshot="+shot, "--window-size=1280,2000", "--hide-scrollbars")
		t.Log("screenshot:", shot)
	}
}
