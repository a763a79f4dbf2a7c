package report

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

const chromium = "/usr/bin/chromium"

// needChromium skips the test where Chromium is missing, except in CI,
// where a skipped browser test would pass a page nobody opened.
func needChromium(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(chromium); err != nil {
		const why = "the browser test needs " + chromium + ": .ci/run must install chromium (apt-get update && apt-get install -y chromium)"
		if os.Getenv("CI") != "" {
			t.Fatal(why)
		}
		t.Skip(why)
	}
}

// chromeFlags start headless Chromium with a fresh profile. Networking,
// updates and sync are off: the page must render from itself.
func chromeFlags(profile string) []string {
	return []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
		"--user-data-dir=" + profile}
}

// chrome runs headless Chromium on page with args and returns its stdout.
// A Chromium that crashes (a signal, seen now and then on a loaded
// machine) is started once more: the page is not what crashed it, and a
// page that does not render fails the test on the second start too.
func chrome(t *testing.T, page string, args ...string) string {
	t.Helper()
	out, stderr, err := chromeOnce(page, args...)
	var exit *exec.ExitError
	if errors.As(err, &exit) && !exit.Exited() {
		t.Logf("chromium crashed (%v), starting it again:\n%s", err, stderr)
		out, stderr, err = chromeOnce(page, args...)
	}
	if err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, stderr)
	}
	return out
}

func chromeOnce(page string, args ...string) (stdout, stderr string, err error) {
	profile, err := os.MkdirTemp("", "report-chromium-")
	if err != nil {
		return "", "", err
	}
	// Not t.TempDir: Chromium's helpers may still write there as it exits.
	defer os.RemoveAll(profile)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromium, append(chromeFlags(profile), append(args, "file://"+page)...)...)
	var errOut strings.Builder
	cmd.Stderr = &errOut
	out, err := cmd.Output()
	return string(out), errOut.String(), err
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
	needChromium(t)
	page, err := filepath.Abs(filepath.Join(written(t), "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	dom := chrome(t, page, "--dump-dom")
	if n := strings.Count(dom, "<script"); n != 1 {
		t.Errorf("the rendered DOM has %d script elements, want the page's own one: a failure message was not escaped", n)
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

// pageLinks is what the page's links lead to, as the browser resolves them.
type pageLinks struct {
	Failures []failureBox `json:"failures"`
	Banner   []bannerLink `json:"banner"`
	Rows     []rowLinks   `json:"rows"`
}

type failureBox struct {
	ID   string   `json:"id"`
	Reqs []string `json:"reqs"` // the IDs its "Requirements:" line names
}

type bannerLink struct {
	Text   string `json:"text"`
	Href   string `json:"href"`
	Target int    `json:"target"` // index in Failures of the element the href names; -1 for none
}

type rowLinks struct {
	ID    string   `json:"id"`
	Hrefs []string `json:"hrefs"`
}

const pageLinksJS = `(() => {
	const failures = [...document.querySelectorAll("main .failure")];
	const reqs = el => { const b = el.querySelector("b.id"); return b ? b.textContent.split(", ") : []; };
	// The href must name the id byte for byte: no percent-decoding here.
	const target = a => failures.indexOf(document.getElementById(a.getAttribute("href").slice(1)));
	return {
		failures: failures.map(f => ({id: f.id, reqs: reqs(f)})),
		banner: [...document.querySelectorAll("header a")].map(a => ({text: a.textContent, href: a.getAttribute("href"), target: target(a)})),
		rows: [...document.querySelectorAll("main tbody tr")].filter(tr => tr.querySelector("td.id")).map(tr => ({
			id: tr.querySelector("td.id").textContent,
			hrefs: [...tr.querySelectorAll("a")].map(a => a.getAttribute("href")),
		})),
	};
})()`

// TestBrowserFollowsFailureLinks checks that a person who reads the banner
// of a failing run gets to each failure in one click: the banner names
// every failing requirement as a link to its first failure, each
// requirement row links to all of its failures, and clicking a banner link
// scrolls its failure to the top of the window.
func TestBrowserFollowsFailureLinks(t *testing.T) {
	needChromium(t)
	dir := written(t)
	page, err := filepath.Abs(filepath.Join(dir, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	var failing []string // from results.json, which the page must agree with
	for _, r := range readResults(t, dir).Requirements {
		if r.Verdict == Fail {
			failing = append(failing, r.ID)
		}
	}
	if len(failing) < 2 {
		t.Fatalf("the fixture fails %v: the test needs at least two failing requirements to tell one target from another", failing)
	}

	d := openDevtools(t, page)
	var links pageLinks
	d.eval(pageLinksJS, &links)
	first := func(id string) int { // index of the first failure naming id, or -1
		return slices.IndexFunc(links.Failures, func(f failureBox) bool { return slices.Contains(f.Reqs, id) })
	}
	inBanner := func(id string) int { // index of the banner's link that says id, or -1
		return slices.IndexFunc(links.Banner, func(l bannerLink) bool { return l.Text == id })
	}
	var click string // the last failing requirement in the banner: its failure is the farthest down
	for _, id := range failing {
		i := inBanner(id)
		switch {
		case i < 0:
			t.Errorf("the banner has no link for the failing requirement %s; its links are %+v: a reader sees the verdict but not the way to the failure", id, links.Banner)
		case !strings.HasPrefix(links.Banner[i].Href, "#"):
			t.Errorf("the banner's link for %s is %q, want a fragment (#...): the page must lead within itself, without script or network", id, links.Banner[i].Href)
		case links.Banner[i].Target < 0:
			t.Errorf("the banner's link for %s is %q, but no failure element has that id: the link leads nowhere", id, links.Banner[i].Href)
		case links.Banner[i].Target != first(id):
			t.Errorf("the banner's link for %s leads to failure %d (%s), want its first failure, %d: a reader would land on another failure first",
				id, links.Banner[i].Target, links.Failures[links.Banner[i].Target].ID, first(id))
		default:
			click = id
		}
	}
	for _, row := range links.Rows {
		var want []string
		for _, f := range links.Failures {
			if slices.Contains(f.Reqs, row.ID) {
				want = append(want, "#"+f.ID)
			}
		}
		if !slices.Equal(row.Hrefs, want) {
			t.Errorf("the row of %s links to %q, want %q (each failure naming it, in page order): a reader of the table must reach every failure of a requirement", row.ID, row.Hrefs, want)
		}
		if slices.Contains(failing, row.ID) && len(row.Hrefs) == 0 {
			t.Errorf("the row of the failing requirement %s links to no failure", row.ID)
		}
	}
	if click == "" {
		t.Fatal("no banner link was sound enough to follow (see above)")
	}

	// Click the link as a person does, with the mouse, in a page that has
	// no script: the browser follows the fragment by itself.
	href := links.Banner[inBanner(click)].Href
	var at struct{ X, Y float64 }
	selector, _ := json.Marshal(fmt.Sprintf("header a[href=%q]", href)) // a JS string of a CSS selector
	d.eval(fmt.Sprintf(`(() => { const r = document.querySelector(%s).getBoundingClientRect(); return {x: r.left + r.width/2, y: r.top + r.height/2}; })()`, selector), &at)
	for _, typ := range []string{"mouseMoved", "mousePressed", "mouseReleased"} {
		d.call("Input.dispatchMouseEvent", map[string]any{"type": typ, "x": at.X, "y": at.Y, "button": "left", "clickCount": 1}, nil)
	}
	type landing struct {
		Hash    string   `json:"hash"`
		Target  string   `json:"target"` // id of the element :target matches
		Reqs    []string `json:"reqs"`
		Top     float64  `json:"top"` // of that element, in the window
		ScrollY float64  `json:"scrollY"`
	}
	got, settled := settle(d, `(() => {
		const t = document.querySelector(":target"), b = t && t.querySelector("b.id");
		return {hash: location.hash, target: t ? t.id : "", reqs: b ? b.textContent.split(", ") : [],
			top: t ? t.getBoundingClientRect().top : 1e9, scrollY: window.scrollY};
	})()`, func(l landing) bool { return "#"+l.Target == href && l.Top > -2 && l.Top < 2 })
	switch {
	case !settled:
		t.Errorf("after a click on the banner's link %s (%q), the page is at %+v: want %s as :target, at the top of the window (top within 2px of 0); the reader would still have to search for the failure",
			click, href, got, href)
	case !slices.Contains(got.Reqs, click):
		t.Errorf("the banner's link %s led to a failure of %v: a reader would read the wrong failure", click, got.Reqs)
	case got.ScrollY <= 0:
		t.Errorf("the page did not scroll (scrollY %v): the failure is below the banner, so following the link must scroll", got.ScrollY)
	}
}

// devtools drives one page of a headless Chromium over the DevTools
// protocol. --remote-debugging-pipe carries it on file descriptors 3 (to
// Chromium) and 4 (from it) as NUL-terminated JSON, so the test needs no
// WebSocket library: the standard library is enough.
type devtools struct {
	t       *testing.T
	send    *os.File
	recv    chan reply
	next    int
	session string // the page's, once attached
	stderr  string // the file Chromium writes its stderr to, for a failure's message
}

type reply struct {
	ID     int             `json:"id"` // 0 for events
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Message string `json:"message"`
	} `json:"error"`
}

// openDevtools starts Chromium, opens page in a 1280x800 window and waits
// until it has loaded. Chromium stops when the test ends. A Chromium that
// closes its DevTools pipe before opening the page (a crash at start, seen
// now and then on a loaded machine) is started once more, as chrome does.
func openDevtools(t *testing.T, page string) *devtools {
	t.Helper()
	var target struct {
		TargetID string `json:"targetId"`
	}
	d := startDevtools(t)
	if err := d.do("Target.createTarget", map[string]any{"url": "file://" + page}, &target); errors.Is(err, errPipeClosed) {
		t.Logf("Chromium ended before opening the page, starting it again: %v", err)
		d = startDevtools(t)
		err = d.do("Target.createTarget", map[string]any{"url": "file://" + page}, &target)
		if err != nil {
			t.Fatal(err)
		}
	} else if err != nil {
		t.Fatal(err)
	}
	var attached struct {
		SessionID string `json:"sessionId"`
	}
	d.call("Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}, &attached)
	d.session = attached.SessionID
	// A new target starts on about:blank, which is "complete" at once.
	if _, ok := settle(d, `location.protocol === "file:" && document.readyState === "complete"`, func(b bool) bool { return b }); !ok {
		b, _ := os.ReadFile(d.stderr)
		t.Fatalf("the page %s did not load in Chromium; its stderr:\n%s", page, b)
	}
	return d
}

// errPipeClosed: Chromium closed the DevTools pipe before it answered.
var errPipeClosed = errors.New("chromium closed the DevTools pipe")

// startDevtools starts Chromium with its DevTools on a pipe; it stops when
// the test ends.
func startDevtools(t *testing.T) *devtools {
	t.Helper()
	profile, err := os.MkdirTemp("", "report-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	chromeReads, send, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	recvFile, chromeWrites, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := os.Create(filepath.Join(t.TempDir(), "chromium-stderr"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(chromium, append(chromeFlags(profile), "--remote-debugging-pipe", "--window-size=1280,800")...)
	cmd.ExtraFiles = []*os.File{chromeReads, chromeWrites} // fd 3, fd 4
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", chromium, err)
	}
	// Chromium holds its own copies; with ours closed, its exit ends recv.
	chromeReads.Close()
	chromeWrites.Close()
	d := &devtools{t: t, send: send, recv: make(chan reply, 64), stderr: stderr.Name()}
	go func() {
		defer close(d.recv)
		r := bufio.NewReader(recvFile)
		for {
			msg, err := r.ReadBytes(0)
			if err != nil {
				return
			}
			var m reply
			if json.Unmarshal(msg[:len(msg)-1], &m) == nil && m.ID != 0 {
				d.recv <- m
			}
		}
	}()
	t.Cleanup(func() {
		// Ask Chromium to close, and end only this process if it does not.
		send.Write([]byte(`{"id":999999,"method":"Browser.close"}` + "\x00"))
		exited := make(chan struct{})
		go func() { cmd.Wait(); close(exited) }()
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
		send.Close()
		recvFile.Close()
		stderr.Close()
		os.RemoveAll(profile)
	})
	return d
}

// call sends one command (to the page once attached) and decodes its
// result into result, unless nil; the test fails if that does not work.
func (d *devtools) call(method string, params, result any) {
	d.t.Helper()
	if err := d.do(method, params, result); err != nil {
		d.t.Fatal(err)
	}
}

// do is call, returning what went wrong.
func (d *devtools) do(method string, params, result any) error {
	d.next++
	msg, err := json.Marshal(struct {
		ID        int    `json:"id"`
		SessionID string `json:"sessionId,omitempty"`
		Method    string `json:"method"`
		Params    any    `json:"params,omitempty"`
	}{d.next, d.session, method, params})
	if err != nil {
		return err
	}
	if _, err := d.send.Write(append(msg, 0)); err != nil {
		return fmt.Errorf("sending %s to Chromium: %w", method, err)
	}
	timeout := time.After(30 * time.Second)
	for {
		select {
		case m, ok := <-d.recv:
			if !ok {
				b, _ := os.ReadFile(d.stderr)
				return fmt.Errorf("%w before answering %s; its stderr:\n%s", errPipeClosed, method, b)
			}
			if m.ID != d.next {
				continue
			}
			if m.Error != nil {
				return fmt.Errorf("Chromium refused %s %s: %s", method, msg, m.Error.Message)
			}
			if result != nil {
				if err := json.Unmarshal(m.Result, result); err != nil {
					return fmt.Errorf("the answer to %s, %s: %v", method, m.Result, err)
				}
			}
			return nil
		case <-timeout:
			return fmt.Errorf("Chromium did not answer %s within 30s", method)
		}
	}
}

// eval evaluates a JavaScript expression in the page and decodes its value
// into out. The page itself has no script: this only looks at it.
func (d *devtools) eval(expr string, out any) {
	d.t.Helper()
	d.evaluate(map[string]any{"expression": expr, "returnByValue": true}, out)
}

// evalAwait is eval for an expression whose value is a promise, run as if
// from a user's gesture (the clipboard asks for one).
func (d *devtools) evalAwait(expr string, out any) {
	d.t.Helper()
	d.evaluate(map[string]any{"expression": expr, "returnByValue": true, "awaitPromise": true, "userGesture": true}, out)
}

// evaluate calls Runtime.evaluate with params and decodes the value into out.
func (d *devtools) evaluate(params map[string]any, out any) {
	d.t.Helper()
	expr := params["expression"]
	var r struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		Exception *struct {
			Text      string `json:"text"`
			Exception struct {
				Description string `json:"description"`
			} `json:"exception"`
		} `json:"exceptionDetails"`
	}
	d.call("Runtime.evaluate", params, &r)
	if r.Exception != nil {
		d.t.Fatalf("evaluating %s: %s %s", expr, r.Exception.Text, r.Exception.Exception.Description)
	}
	if err := json.Unmarshal(r.Result.Value, out); err != nil {
		d.t.Fatalf("the value of %s, %s: %v", expr, r.Result.Value, err)
	}
}

// settle evaluates expr until ok holds of its value or 10s have passed,
// and returns the last value: a browser scrolls and loads in its own time.
func settle[T any](d *devtools, expr string, ok func(T) bool) (T, bool) {
	d.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var v T
		d.eval(expr, &v)
		if ok(v) || time.Now().After(deadline) {
			return v, ok(v)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// cardsPage is what a reader of the failures sees, as the browser lays it
// out.
type cardsPage struct {
	ScriptRan bool        `json:"scriptRan"` // the page's script ran: the policy admits it
	Scripts   int         `json:"scripts"`
	Groups    []cardGroup `json:"groups"`
	RunRows   []string    `json:"runRows"` // the run table's row headings
	Examples  []string    `json:"examples"`
	Text      string      `json:"text"`
	Banner    string      `json:"banner"`
}

type cardGroup struct {
	Heading string     `json:"heading"`
	ID      string     `json:"id"`
	Badge   string     `json:"badge"`
	Cites   []string   `json:"cites"`
	Cards   []cardView `json:"cards"`
	Also    []string   `json:"also"` // hrefs of failures shown under another requirement
}

type cardView struct {
	ID        string   `json:"id"`
	Title     string   `json:"title"`
	Text      string   `json:"text"`
	Expected  []string `json:"expected"`
	Got       []string `json:"got"`
	Requests  []string `json:"requests"`
	Responses []string `json:"responses"`
	Repros    []string `json:"repros"`
	Buttons   int      `json:"buttons"` // Copy buttons a reader can see
	Message   string   `json:"message"` // the fallback: the failure's text
}

const cardsJS = `(() => {
	const texts = (root, sel) => [...root.querySelectorAll(sel)].map(e => e.textContent);
	return {
		scriptRan: document.documentElement.classList.contains("js"),
		scripts: document.scripts.length,
		groups: [...document.querySelectorAll("main section.group")].map(g => ({
			heading: g.querySelector("h3").textContent,
			id: (g.querySelector("h3 .id") || {textContent: ""}).textContent,
			badge: (g.querySelector("h3 .page") || {textContent: ""}).textContent,
			cites: texts(g, ".cites li"),
			also: [...g.querySelectorAll(".also a")].map(a => a.getAttribute("href")),
			cards: [...g.querySelectorAll(".failure")].map(c => ({
				id: c.id, title: c.querySelector("h4").textContent, text: c.textContent,
				expected: texts(c, ".facts dt:nth-of-type(1) + dd"), got: texts(c, ".facts dd.got"),
				requests: texts(c, "pre.request"), responses: texts(c, "pre.response"), repros: texts(c, "pre.repro"),
				buttons: [...c.querySelectorAll("button.copy")].filter(b => b.offsetParent !== null).length,
				message: (c.querySelector("pre.message") || {textContent: ""}).textContent,
			})),
		})),
		runRows: texts(document, "table.meta th"),
		examples: [...document.querySelectorAll("main td.small")].map(td => td.innerText),
		text: document.querySelector("main").innerText,
		banner: document.querySelector("header").innerText,
	};
})()`

// TestBrowserFailureCards opens the report of a failing run and reads its
// failures as a person does: a heading per failing requirement and
// operation with the rule and its sources once, the page of the operation
// that failed, then each failure's expected, got, request, response and a
// reproduction with a working Copy button; source paths in the
// repository; one target row; status-code examples with their body as
// JSON. Then it clicks a Copy button and reads the clipboard.
func TestBrowserFailureCards(t *testing.T) {
	needChromium(t)
	page, err := filepath.Abs(filepath.Join(cardsWritten(t), "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	d := openDevtools(t, page)
	var p cardsPage
	d.eval(cardsJS, &p)

	if !p.ScriptRan || p.Scripts != 1 {
		t.Errorf("the page's script ran: %v, scripts: %d; want its one script run (the Content-Security-Policy must admit it by its hash)", p.ScriptRan, p.Scripts)
	}
	if !strings.Contains(p.Banner, "exit status 1: the target does not conform") {
		t.Errorf("the banner does not show the exit status:\n%s", p.Banner)
	}
	type key struct{ id, badge string }
	want := map[key]string{ // the group of each failing requirement and operation, and a section it must cite
		{"AUTH-401-MISSING-TOKEN", "update · PATCH"}:   "Status codes (PATCH)",
		{"CREATE-409-DUPLICATE", "create · POST"}:      "Status codes (POST)",
		{"NS-MAX-LENGTH", "create · POST"}:             "Path parameter namespace (POST)",
		{"NS-MAX-LENGTH", "update · PATCH"}:            "Path parameter namespace (PATCH)",
		{"UPDATE-REFUSED-NO-EFFECT", "update · PATCH"}: "Refused writes have no effect",
	}
	seen := map[key]bool{}
	for _, g := range p.Groups {
		k := key{g.ID, g.Badge}
		if seen[k] {
			t.Errorf("two groups for %s on %s: a requirement's rule is stated once per operation", g.ID, g.Badge)
		}
		seen[k] = true
		section, ok := want[k]
		if !ok {
			t.Errorf("a group %q (%s) that the run has no failure for", g.Heading, g.Badge)
			continue
		}
		rule := catalogued(t, g.ID).Text
		if !strings.Contains(g.Heading, rule) {
			t.Errorf("the heading of %s is %q: want its rule, %q", g.ID, g.Heading, rule)
		}
		if !slices.ContainsFunc(g.Cites, func(c string) bool { return strings.Contains(c, "§ "+section+":") }) {
			t.Errorf("%s (%s) cites %q, want %q among them", g.ID, g.Badge, g.Cites, section)
		}
		other := "(POST)"
		if strings.HasSuffix(g.Badge, "POST") {
			other = "(PATCH)"
		}
		for _, c := range g.Cites {
			if strings.Contains(c, other) {
				t.Errorf("%s failed on %s, yet cites %q, a section of the other operation's page", g.ID, g.Badge, c)
			}
		}
		for _, c := range g.Cards {
			if strings.Contains(c.Text, rule) {
				t.Errorf("card %s repeats the rule of its group: %q", c.ID, c.Title)
			}
			if c.Message != "" {
				continue // no evidence: the failure's text
			}
			switch {
			case len(c.Expected) == 0 || len(c.Got) == 0 || c.Expected[0] == "" || c.Got[0] == "":
				t.Errorf("card %s shows no expected (%q) or got (%q)", c.ID, c.Expected, c.Got)
			case len(c.Requests) == 0 || len(c.Requests) != len(c.Responses):
				t.Errorf("card %s shows %d requests and %d responses: want each request with its response", c.ID, len(c.Requests), len(c.Responses))
			case len(c.Repros) != 1 || !strings.Contains(c.Repros[0], "curl") && !strings.Contains(c.Repros[0], "echo"):
				t.Errorf("card %s shows the reproductions %q: want one shell snippet", c.ID, c.Repros)
			case c.Buttons < 1:
				t.Errorf("card %s has no visible Copy button", c.ID)
			}
		}
	}
	for k := range want {
		if !seen[k] {
			t.Errorf("no group for %s on %s", k.id, k.badge)
		}
	}
	var fallback, also bool
	for _, g := range p.Groups {
		for _, c := range g.Cards {
			fallback = fallback || strings.HasPrefix(c.Message, "Test Panicked")
		}
		also = also || slices.Contains(g.Also, "#failure-1-AUTH-401-MISSING-TOKEN")
	}
	if !fallback {
		t.Error("the failure without evidence does not show its message")
	}
	if !also {
		t.Error("UPDATE-REFUSED-NO-EFFECT, broken by the failure shown under AUTH-401-MISSING-TOKEN, does not link to it")
	}
	if strings.Contains(p.Text, "/tmp/") || !strings.Contains(p.Text, "at suites/writes_test.go:92") {
		t.Error("the failures show the build machine's paths, or not the repository's (suites/writes_test.go:92)")
	}
	if n := slices.Index(p.RunRows, "target"); n < 0 || slices.Index(p.RunRows[n+1:], "target") >= 0 || slices.ContainsFunc(p.RunRows, func(r string) bool { return strings.EqualFold(r, "endpoint") }) {
		t.Errorf("the run table's rows are %q: want one target row, and no endpoint row", p.RunRows)
	}
	example := "POST " + sharePath + " → 201\n" + `{"access_domain":"peer-1","permit":"read","deadline":"forever"}`
	if !slices.Contains(p.Examples, example) {
		t.Errorf("no status-code example reads %q (the request line, then the body as JSON); they read %q", example, p.Examples)
	}

	// Copy the first reproduction, as a reader does, and read the clipboard.
	d.call("Browser.grantPermissions", map[string]any{"permissions": []string{"clipboardReadWrite", "clipboardSanitizedWrite"}}, nil)
	var at struct{ X, Y float64 }
	d.eval(`(() => { const b = document.querySelector("main button.copy"); b.scrollIntoView({block: "center"}); const r = b.getBoundingClientRect(); return {x: r.left + r.width/2, y: r.top + r.height/2}; })()`, &at)
	for _, typ := range []string{"mouseMoved", "mousePressed", "mouseReleased"} {
		d.call("Input.dispatchMouseEvent", map[string]any{"type": typ, "x": at.X, "y": at.Y, "button": "left", "clickCount": 1}, nil)
	}
	var first string
	d.eval(`document.querySelector("main button.copy").closest(".copyable").querySelector("pre").textContent`, &first)
	label, ok := settle(d, `document.querySelector("main button.copy").textContent`, func(s string) bool { return s != "Copy" })
	if !ok || label != "Copied" {
		t.Fatalf("after a click, the Copy button says %q: want \"Copied\"", label)
	}
	var clip string
	d.evalAwait(`navigator.clipboard.readText()`, &clip)
	if clip != first {
		t.Errorf("the clipboard holds %q, want the reproduction %q", clip, first)
	}
}
