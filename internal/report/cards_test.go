package report

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/swr-conformance/swr-conformance/internal/contract"
)

// ---------------------------------------------------------------------------
// A failing run as the suite records it, with the catalogue's own
// requirements (so the citations are contract.md's): evidence of both
// operations, a read-back, a failure of two requirements, a failure without
// evidence, and Ginkgo's build-machine paths.

const cardsEndpoint = "https://swr-api.example.com"

const sharePath = "/v2/manage/namespaces/my-org/repositories/team$app/access-domains"

// buildPath is where Ginkgo says a spec failed: the path on the machine
// that compiled the suite.
const buildPath = "/tmp/swr-build-8812/swr-conformance/suites/"

func catalogued(t *testing.T, id string) Requirement {
	t.Helper()
	for _, q := range contract.All() {
		if q.ID == id {
			return q
		}
	}
	t.Fatalf("the catalogue has no %s", id)
	return Requirement{}
}

// failedAt is a failed It, named as ItChecks names it, failing at file:line
// of the build machine.
func failedAt(container string, q Requirement, detail, file string, line int, labels ...string) types.SpecReport {
	name := "[" + q.ID + "] " + q.Text
	if detail != "" {
		name += " (" + detail + ")"
	}
	s := it(container, name, types.SpecStateFailed, "the whole story as text: "+q.ID+" "+q.Text, append([]string{q.ID}, labels...)...)
	s.Failure.Location = types.CodeLocation{FileName: buildPath + file, LineNumber: line}
	return s
}

func request(method, path, body string) string {
	return method + " " + cardsEndpoint + path + "\nContent-Type: application/json\nX-Auth-Token: [REDACTED]\n\n" + body + "\n"
}

func cardsRun(t *testing.T) (Meta, []Requirement, types.Report) {
	dup, ns, auth, noEffect := catalogued(t, "CREATE-409-DUPLICATE"), catalogued(t, "NS-MAX-LENGTH"), catalogued(t, "AUTH-401-MISSING-TOKEN"), catalogued(t, "UPDATE-REFUSED-NO-EFFECT")
	long := strings.Repeat("a", 65)
	nsPath := "/v2/manage/namespaces/" + long + "/repositories/team$app/access-domains"
	j := func(name string, v any) types.ReportEntry { return viaJSON(t, raw(name, v)) }
	specs := types.SpecReports{
		with(failedAt("Create a share", dup, "a second create", "writes_test.go", 92, "create"),
			j(EntryFailed, Failed{Requirement: dup.ID}),
			j(EntryEvidence, Evidence{Requirement: dup.ID, Operation: "create", Expected: "409 Conflict", Got: "201 Created",
				Exchanges:    []Shown{{Request: request("POST", sharePath, `{"access_domain":"peer-1","permit":"read","deadline":"forever"}`), Response: "201 Created (after 2ms)\n\n(empty)\n"}},
				Reproduction: "# on a target where this share does not exist yet; export SWR_TOKEN first\ncurl -sS -o /dev/null -X POST '" + cardsEndpoint + sharePath + "'\ncurl -sS -i -X POST '" + cardsEndpoint + sharePath + "'"}),
			j(EntryExchanges, Exchanges{Tallies: []Tally{{Operation: "create", Code: 201, Count: 2,
				Example:        "POST " + sharePath + ` {"access_domain":"peer-1","permit":"read","deadline":"forever"} → 201`,
				ExampleRequest: "POST " + sharePath + " → 201", ExampleBody: `{"access_domain":"peer-1","permit":"read","deadline":"forever"}`}}})),
		with(failedAt("Names in the path", ns, "update, property: ns.too-long", "names_test.go", 61, "update", "property"),
			j(EntryFailed, Failed{Requirement: ns.ID}),
			j(EntryEvidence, Evidence{Requirement: ns.ID, Operation: "update", Case: "boundary case (ns.too-long): " + long, Expected: "400 Bad Request", Got: "404 Not Found",
				Exchanges:    []Shown{{Request: request("PATCH", nsPath+"/peer-1", `{"permit":"read","deadline":"forever"}`), Response: "404 Not Found (after 1ms)\n\n{\"errorCode\":\"SVCSTG.SWR.4040001\"}\n"}},
				Reproduction: "# export SWR_TOKEN first\ncurl -sS -i -X PATCH '" + cardsEndpoint + nsPath + "/peer-1'",
				Replay:       "-ginkgo.seed=42 -ginkgo.focus='Names in the path \\[NS-MAX-LENGTH\\]'"})),
		with(failedAt("Names in the path", ns, "create, property: ns.too-long", "names_test.go", 61, "create", "property"),
			j(EntryFailed, Failed{Requirement: ns.ID}),
			j(EntryEvidence, Evidence{Requirement: ns.ID, Operation: "create", Case: "boundary case (ns.too-long): " + long, Expected: "400 Bad Request", Got: "201 Created",
				Exchanges:    []Shown{{Request: request("POST", nsPath, `{"access_domain":"peer-1","permit":"read","deadline":"forever"}`), Response: "201 Created (after 1ms)\n\n(empty)\n"}},
				Reproduction: "# export SWR_TOKEN first\ncurl -sS -i -X POST '" + cardsEndpoint + nsPath + "'"})),
		// One check broke two rules: the update without a token was served,
		// and it changed the share.
		with(failedAt("Credentials", auth, "update without a token", "auth_test.go", 33, "auth", "update", noEffect.ID),
			j(EntryFailed, Failed{Requirement: auth.ID, SecurityDefect: true}),
			j(EntryFailed, Failed{Requirement: noEffect.ID, SecurityDefect: true}),
			j(EntryEvidence, Evidence{Requirement: noEffect.ID, Operation: "update", Expected: "the share unchanged, as it was before: {\"permit\":\"read\"}",
				Got: "an update without X-Auth-Token answered 201 Created, yet the share changed: deadline: sent \"forever\", stored \"2045-10-01T16:00:00Z\"",
				Exchanges: []Shown{
					{Role: "the write", Request: request("PATCH", sharePath+"/peer-1", `{"permit":"read","deadline":"2045-10-01T16:00:00Z"}`), Response: "201 Created (after 1ms)\n\n(empty)\n"},
					{Role: "read back", Request: "GET " + cardsEndpoint + sharePath + "/peer-1\nX-Auth-Token: [REDACTED]\n", Response: "200 OK (after 1ms)\n\n{\"permit\":\"read\",\"deadline\":\"2045-10-01T16:00:00Z\"}\n"},
				},
				Reproduction: "# on a target where this share does not exist yet; export SWR_TOKEN first\necho '== the write (PATCH):'"})),
		// A panic records no evidence: its card is the message.
		func() types.SpecReport {
			s := failedAt("Update a share", noEffect, "a panic", "writes_test.go", 210, "update")
			s.State = types.SpecStatePanicked
			s.Failure.Message = "Test Panicked"
			s.Failure.ForwardedPanic = "runtime error: invalid memory address"
			return s
		}(),
	}
	meta := Meta{SuiteVersion: "v0.1.0", Endpoint: cardsEndpoint, Seed: 42,
		Config: []KV{{"target", cardsEndpoint}, {"mode", "existing fixture my-org/team/app"}, {"credential", "SWR_TOKEN (redacted)"}}}
	r := types.Report{SuiteDescription: "SWR image-sharing API conformance", StartTime: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC), RunTime: time.Second,
		SuiteConfig: types.SuiteConfig{RandomSeed: 42}, SpecReports: specs}
	return meta, contract.All(), r
}

func cardsWritten(t *testing.T) string {
	t.Helper()
	meta, reqs, r := cardsRun(t)
	return writeTo(t, meta, reqs, r)
}

// ---------------------------------------------------------------------------

// Failures are grouped by requirement and operation, in the catalogue's
// order, numbered in page order; a failure of two requirements is shown
// under the first and linked from the other; each group cites the page of
// its operation.
func TestFailureGroups(t *testing.T) {
	meta, reqs, r := cardsRun(t)
	m := build(meta, reqs, r)
	type group struct {
		id, op, badge string
		failures      []int
		elsewhere     []int
	}
	var got []group
	for _, g := range m.FailureGroups() {
		gg := group{id: g.ID, op: g.Operation, badge: g.Badge()}
		for _, f := range g.Failures {
			gg.failures = append(gg.failures, f.N)
		}
		for _, f := range g.Elsewhere {
			gg.elsewhere = append(gg.elsewhere, f.N)
		}
		got = append(got, gg)
	}
	want := []group{
		{"AUTH-401-MISSING-TOKEN", "update", "update · PATCH", []int{1}, nil},
		{"CREATE-409-DUPLICATE", "create", "create · POST", []int{2}, nil},
		{"NS-MAX-LENGTH", "create", "create · POST", []int{3}, nil},
		{"NS-MAX-LENGTH", "update", "update · PATCH", []int{4}, nil},
		{"UPDATE-REFUSED-NO-EFFECT", "update", "update · PATCH", []int{5}, []int{1}},
	}
	if !slices.EqualFunc(got, want, func(a, b group) bool {
		return a.id == b.id && a.op == b.op && a.badge == b.badge && slices.Equal(a.failures, b.failures) && slices.Equal(a.elsewhere, b.elsewhere)
	}) {
		t.Errorf("groups\n%+v\nwant\n%+v", got, want)
	}
	var ids []string
	for _, p := range m.PlacedFailures() {
		ids = append(ids, p.ID)
	}
	if want := []string{"failure-1-AUTH-401-MISSING-TOKEN", "failure-2-CREATE-409-DUPLICATE", "failure-3-NS-MAX-LENGTH", "failure-4-NS-MAX-LENGTH", "failure-5-UPDATE-REFUSED-NO-EFFECT"}; !slices.Equal(ids, want) {
		t.Errorf("failures in page order %q, want %q", ids, want)
	}
	for _, g := range m.FailureGroups() {
		var sections []string
		for _, c := range g.Sources {
			sections = append(sections, c.Section)
		}
		all := strings.Join(sections, "; ")
		switch {
		case g.Operation == "update" && strings.Contains(all, "(POST)"):
			t.Errorf("%s failed on update, but its card cites the POST page: %s", g.ID, all)
		case g.Operation == "create" && strings.Contains(all, "(PATCH)"):
			t.Errorf("%s failed on create, but its card cites the PATCH page: %s", g.ID, all)
		}
		if g.ID == "NS-MAX-LENGTH" && g.Operation == "update" && !slices.Contains(sections, "Path parameter namespace (PATCH)") {
			t.Errorf("NS-MAX-LENGTH on update cites %q, want the PATCH page's namespace section", sections)
		}
		if g.ID == "AUTH-401-MISSING-TOKEN" && strings.Count(all, "Status codes") != 1 {
			t.Errorf("AUTH-401-MISSING-TOKEN cites both pages' status codes (%s): a failure of one operation cites its own page once", all)
		}
	}
	for _, p := range m.PlacedFailures() {
		if p.Location == "" || strings.Contains(p.Location, "/tmp/") || !strings.HasPrefix(p.Location, "suites/") {
			t.Errorf("failure %d is at %q: want the path in the repository (suites/...)", p.N, p.Location)
		}
	}
}

func TestSourcePath(t *testing.T) {
	for in, want := range map[string]string{
		"/tmp/swr-build-8812/swr-conformance/suites/auth_test.go":    "suites/auth_test.go",
		"/home/ci/work/wt-reports/suites/swrspec/matchers.go":        "suites/swrspec/matchers.go",
		`C:\a\swr-conformance\suites\names_test.go`:                  "suites/names_test.go",
		"/home/ci/swr-conformance/internal/report/report.go":         "internal/report/report.go",
		"/home/vendor/acme/acme_test.go":                             "acme_test.go", // another module: its name alone
		"suites/writes_test.go":                                      "suites/writes_test.go",
		"/x/suites/a/suites/b_test.go":                               "suites/b_test.go",
		"/root/go/pkg/mod/github.com/onsi/ginkgo/v2@v2.34.0/core.go": "core.go",
	} {
		if got := sourcePath(in); got != want {
			t.Errorf("sourcePath(%q) = %q, want %q", in, got, want)
		}
	}
}

// The run table names the target once: the configuration's "target" row
// repeats the endpoint, so it is left out.
func TestRunTableNamesTargetOnce(t *testing.T) {
	dir := cardsWritten(t)
	page := read(t, dir, "report.html")
	table := between(t, page, `<table class="meta">`, "</table>")
	if n := strings.Count(strings.ToLower(table), "<th>target</th>"); n != 1 || strings.Contains(strings.ToLower(table), "endpoint") {
		t.Errorf("the run table has %d target rows (and endpoint: %v), want one:\n%s", n, strings.Contains(strings.ToLower(table), "endpoint"), table)
	}
	if !strings.Contains(table, "<th>mode</th>") {
		t.Errorf("the run table lost the other settings:\n%s", table)
	}
	md := read(t, dir, "summary.md")
	if n := strings.Count(md, "| target |"); n != 1 || strings.Contains(md, "| endpoint |") {
		t.Errorf("summary.md has %d target rows, want one", n)
	}
}

// A status code's example is the request line with its answer, and the body
// as JSON: never a Go-quoted string of JSON.
func TestStatusCodeExampleShowsJSON(t *testing.T) {
	page := read(t, cardsWritten(t), "report.html")
	codes := between(t, page, "<h2>Status codes</h2>", "<h2>Observations</h2>")
	want := `<code class="request">POST ` + sharePath + ` → 201</code><pre class="body">{&#34;access_domain&#34;:&#34;peer-1&#34;,&#34;permit&#34;:&#34;read&#34;,&#34;deadline&#34;:&#34;forever&#34;}</pre>`
	if !strings.Contains(codes, want) {
		t.Errorf("the 201 example is not the request line and the body as JSON; want %s in\n%s", want, codes)
	}
	if strings.Contains(codes, `\&#34;`) || strings.Contains(codes, `\"`) {
		t.Errorf("an example's body is escaped twice:\n%s", codes)
	}
}

// The failure cards show each part of the evidence once, the rule once per
// group, and fall back to the message without evidence.
func TestFailureCardsHTML(t *testing.T) {
	page := read(t, cardsWritten(t), "report.html")
	failures := between(t, page, "<h2>Failures</h2>", "<h2>Run</h2>")
	for _, id := range []string{"CREATE-409-DUPLICATE", "NS-MAX-LENGTH", "AUTH-401-MISSING-TOKEN", "UPDATE-REFUSED-NO-EFFECT"} {
		q := catalogued(t, id)
		text := escaped(q.Text)
		groups := 1
		if id == "NS-MAX-LENGTH" {
			groups = 2 // one per operation's page
		}
		if n := strings.Count(failures, text); n != groups {
			t.Errorf("the rule of %s appears %d times among the failures, want %d (its groups' headings): the cards must not repeat it", id, n, groups)
		}
	}
	for _, want := range []string{
		`<span class="page">update · PATCH</span>`,
		`§ Path parameter namespace (PATCH)</span>`,
		`<h4>update, property: ns.too-long</h4>`,
		`<div class="label">Case</div><pre>boundary case (ns.too-long): aaaa`,
		`<dt>Expected</dt><dd>400 Bad Request</dd><dt>Got</dt><dd class="got">404 Not Found</dd>`,
		`<div class="role">the write</div>`, `<div class="role">read back</div>`,
		`<button type="button" class="copy">Copy</button></div><pre class="repro"># export SWR_TOKEN first`,
		`<pre class="replay">-ginkgo.seed=42 -ginkgo.focus=`,
		`at <code>suites/names_test.go:61</code>`,
		`<pre class="message">Test Panicked`,
		`Also a failure of this requirement: <a href="#failure-1-AUTH-401-MISSING-TOKEN">failure 1</a>`,
	} {
		if !strings.Contains(failures, want) {
			t.Errorf("the failures lack %s", want)
		}
	}
	if strings.Contains(page, "/tmp/") {
		t.Error("report.html shows the build machine's paths")
	}
}

// escaped is text as html/template writes it.
func escaped(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(s)
}

// ---------------------------------------------------------------------------
// The verdict block

var tagsRE = regexp.MustCompile(`<[^>]*>`)

// verdictBlock is the banner's text and summary.md's part above its table.
func verdictBlock(t *testing.T, dir string) (html, md string) {
	t.Helper()
	banner := between(t, read(t, dir, "report.html"), "<header", "</header>")
	md, _, _ = strings.Cut(read(t, dir, "summary.md"), "\n| | |")
	return strings.Join(strings.Fields(tagsRE.ReplaceAllString(banner, " ")), " "), md
}

// An incomplete run says, where its verdict is, why: the configuration
// left requirements out (expected, no defect of the target, and the
// setting that checks them) or something went wrong; with the exit status.
// Requirements a filter left out are one line with a count.
func TestVerdictBlockExplains(t *testing.T) {
	reqs := []Requirement{
		{ID: "CREATE-201", Ops: ops("create")}, {ID: "NAMES-VALID-ACCEPTED", Ops: ops("both")}, {ID: "NS-CHARSET", Ops: ops("both")},
		{ID: "NS-MAX-LENGTH", Ops: ops("both")}, {ID: "REPO-CHARSET", Ops: ops("both")}, {ID: "UPDATE-201", Ops: ops("update")},
	}
	pass := func(id string) types.SpecReport { return it("c", "["+id+"] x", types.SpecStatePassed, "", id) }
	existingFixture := func(e ent) types.SpecReport {
		return with(it("Names", "[NAMES-VALID-ACCEPTED] valid names", types.SpecStateSkipped, "not checked: valid names ...", "NAMES-VALID-ACCEPTED"),
			e(EntryNotChecked, NotChecked{Cause: CauseConfiguration, Reason: "valid names can only be tried on namespaces and repositories the suite creates", Remedy: "SWR_PROVISION=true"}))
	}
	filtered := func(id string) types.SpecReport { return it("c", "["+id+"] x", types.SpecStateSkipped, "", id) }
	cases := []struct {
		name    string
		meta    Meta
		specs   func(e ent) types.SpecReports
		want    []string // in the banner's text and summary.md's verdict block
		notWant []string
	}{
		{"existing-fixture mode: exit 0, expected, how to check the rest", Meta{}, func(e ent) types.SpecReports {
			return types.SpecReports{pass("CREATE-201"), existingFixture(e), pass("NS-CHARSET"), pass("NS-MAX-LENGTH"), pass("REPO-CHARSET"), pass("UPDATE-201")}
		}, []string{
			"exit status 0: nothing failed, and only the configuration left requirements unchecked",
			"Nothing failed, but 1 of 6 requirements was not checked.",
			"Left out by this configuration (1 requirement): expected with these settings, and no defect of the target.",
			"NAMES-VALID-ACCEPTED", "valid names can only be tried on namespaces and repositories the suite creates", "SWR_PROVISION=true",
		}, []string{"went wrong"}},

		{"a filter: one line with a count", Meta{}, func(e ent) types.SpecReports {
			return types.SpecReports{pass("CREATE-201"), existingFixture(e), filtered("NS-CHARSET"), filtered("NS-MAX-LENGTH"), filtered("REPO-CHARSET"), filtered("UPDATE-201")}
		}, []string{
			"exit status 0",
			"Left out by this configuration (5 requirements)",
			"4 requirements left out by a filter", "run without the filter", "the requirements table lists them",
			"SWR_PROVISION=true",
		}, []string{"NS-CHARSET", "NS-MAX-LENGTH", "REPO-CHARSET", "UPDATE-201"}},

		{"required complete: exit 3, and why", Meta{RequireComplete: true}, func(e ent) types.SpecReports {
			return types.SpecReports{pass("CREATE-201"), existingFixture(e), pass("NS-CHARSET"), pass("NS-MAX-LENGTH"), pass("REPO-CHARSET"), pass("UPDATE-201")}
		}, []string{"exit status 3: nothing failed, but SWR_REQUIRE_COMPLETE=true asks for every requirement", "no defect of the target", "SWR_PROVISION=true"}, nil},

		{"something went wrong: exit 3, the problems", Meta{RunProblems: []string{"cleanup at the end of the run: these may be left on the target:\nmy-org/team/app"}}, func(e ent) types.SpecReports {
			return types.SpecReports{pass("CREATE-201"), pass("NAMES-VALID-ACCEPTED"), pass("NS-CHARSET"), pass("NS-MAX-LENGTH"), pass("REPO-CHARSET"),
				with(it("c", "[UPDATE-201] x", types.SpecStateSkipped, "not checked", "UPDATE-201"),
					e(EntryNotChecked, NotChecked{Cause: CauseRun, Reason: "setting up (create the share to work on) did not succeed:\nPOST ... → 500"}))}
		}, []string{
			"exit status 3: nothing failed, but something went wrong during the run",
			"Not checked because of what happened during the run (1 requirement): no verdict on the target either way, and the run is not complete. See the problems of the run.",
			"UPDATE-201", "setting up (create the share to work on) did not succeed:",
			"problem of the run: cleanup at the end of the run: these may be left on the target:",
		}, []string{"→ 500", "Left out by this configuration"}},

		{"does not conform: exit 1, and what else was left out", Meta{}, func(e ent) types.SpecReports {
			return types.SpecReports{it("c", "[CREATE-201] x", types.SpecStateFailed, "got 500", "CREATE-201"), existingFixture(e),
				pass("NS-CHARSET"), pass("NS-MAX-LENGTH"), pass("REPO-CHARSET"), pass("UPDATE-201")}
		}, []string{"exit status 1: the target does not conform", "1 of 6 requirements fail: CREATE-201", "Left out by this configuration (1 requirement)"}, []string{"Nothing failed"}},

		{"conforms: exit 0", Meta{}, func(e ent) types.SpecReports {
			return types.SpecReports{pass("CREATE-201"), pass("NAMES-VALID-ACCEPTED"), pass("NS-CHARSET"), pass("NS-MAX-LENGTH"), pass("REPO-CHARSET"), pass("UPDATE-201")}
		}, []string{"exit status 0: the target conforms", "every requirement was checked and none failed"}, []string{"Left out", "went wrong"}},

		{"no run: exit 2, no requirement listed", Meta{NoRun: "SWR_REPOSITORY holds a '$': write it with '/'"}, func(e ent) types.SpecReports { return nil },
			[]string{"exit status 2: no run; fix what the message names", "SWR_REPOSITORY holds a '$': write it with '/'"}, []string{"NS-CHARSET", "Left out", "went wrong"}},
	}
	encodings(t, func(t *testing.T, e ent) {
		for _, c := range cases {
			dir := writeTo(t, c.meta, reqs, types.Report{SpecReports: c.specs(e)})
			banner, md := verdictBlock(t, dir)
			mdFlat := strings.Join(strings.Fields(strings.NewReplacer("*", "", "&lt;", "<").Replace(md)), " ")
			for _, w := range c.want {
				if !strings.Contains(banner, escaped(w)) && !strings.Contains(banner, w) {
					t.Errorf("%s: report.html's banner lacks %q:\n%s", c.name, w, banner)
				}
				if !strings.Contains(strings.ToLower(mdFlat), strings.ToLower(w)) { // "**Exit status 0: ...**"
					t.Errorf("%s: summary.md's verdict block lacks %q:\n%s", c.name, w, md)
				}
			}
			for _, w := range c.notWant {
				if strings.Contains(banner, w) || strings.Contains(mdFlat, w) {
					t.Errorf("%s: the verdict block says %q, which it should not:\nbanner: %s\nsummary.md: %s", c.name, w, banner, md)
				}
			}
			res := readResults(t, dir)
			if res.Explanation.ExitCode != res.ExitCode || !strings.HasPrefix(res.Explanation.Exit, fmt.Sprint(res.ExitCode)+":") {
				t.Errorf("%s: results.json's explanation %+v disagrees with its exit_code %d", c.name, res.Explanation, res.ExitCode)
			}
		}
	})
}

// Lines is the explanation as plain text, for a console: the same words.
func TestExplanationLines(t *testing.T) {
	reqs := []Requirement{{ID: "CREATE-201", Ops: ops("create")}, {ID: "NS-CHARSET", Ops: ops("both")}, {ID: "UPDATE-201", Ops: ops("update")}}
	r := types.Report{SpecReports: types.SpecReports{
		it("c", "[CREATE-201] x", types.SpecStatePassed, "", "CREATE-201"),
		it("c", "[NS-CHARSET] x", types.SpecStateSkipped, "", "NS-CHARSET"),
		it("c", "[UPDATE-201] x", types.SpecStateSkipped, "", "UPDATE-201"),
	}}
	j := Judge(Meta{}, reqs, r)
	want := []string{
		"exit status 0: nothing failed, and only the configuration left requirements unchecked (SWR_REQUIRE_COMPLETE=true makes this 3)",
		"Nothing failed, but 2 of 3 requirements were not checked.",
		"Left out by this configuration (2 requirements): expected with these settings, and no defect of the target.",
		"  - 2 requirements left out by a filter (-ginkgo.label-filter, -ginkgo.focus or -ginkgo.skip); to check them: run without the filter (the requirements table lists them)",
	}
	if got := j.Explanation.Lines(); !slices.Equal(got, want) {
		t.Errorf("Lines\n%q\nwant\n%q", got, want)
	}
}

// summary.md stays within what GitHub takes as a job summary (1 MiB), however
// many failures carry however long evidence: each block is cut, and the
// failures past a budget are named in a line each.
func TestMarkdownStaysWithinAJobSummary(t *testing.T) {
	reqs := []Requirement{{ID: "CREATE-201", Text: "x", Ops: ops("create")}}
	long := strings.Repeat("curl -sS -X POST 'https://swr-api.example.com/v2/...'\n", 200) // 10 KB a block
	var specs types.SpecReports
	for i := range 300 {
		specs = append(specs, with(it("c", fmt.Sprintf("[CREATE-201] x (case %d)", i), types.SpecStateFailed, "got 500", "CREATE-201"),
			raw(EntryEvidence, Evidence{Requirement: "CREATE-201", Operation: "create", Expected: "201 Created", Got: "500 Internal Server Error",
				Exchanges: []Shown{{Request: long, Response: long}}, Reproduction: long})))
	}
	md := markdown(build(Meta{}, reqs, types.Report{SpecReports: specs}))
	if len(md) > 1<<20 {
		t.Errorf("summary.md is %d bytes: GitHub refuses a job summary over 1 MiB", len(md))
	}
	if n := strings.Count(md, "#### Failure "); n != 300 {
		t.Errorf("summary.md names %d failures, want all 300", n)
	}
	if !strings.Contains(md, "#### Failure 300 of 300: case 299\n\nShown in report.html and results.json") {
		t.Error("the failures past the budget are not named with where to read them")
	}
	if !strings.Contains(md, "... (cut here; the whole message is in results.json)") {
		t.Error("a block over the bound was not cut")
	}
}

// A card's title is what its group's heading does not already say.
func TestDetailOf(t *testing.T) {
	const rule = "A namespace of more than 64 characters answers 400."
	for _, c := range []struct{ name, full, want string }{
		{"[NS-MAX-LENGTH] " + rule + " (update, property: ns.too-long)", "Names in the path [NS-MAX-LENGTH] " + rule + " (update, property: ns.too-long)", "update, property: ns.too-long"},
		{"[NS-MAX-LENGTH] " + rule, "Names in the path [NS-MAX-LENGTH] " + rule, "Names in the path"},
		{"[NS-CHARSET] Another rule. (create)", "Names [NS-CHARSET] Another rule. (create)", "[NS-CHARSET] Another rule. (create)"},
	} {
		if got := detailOf(SpecResult{Name: c.name, FullName: c.full}, "NS-MAX-LENGTH", rule); got != c.want {
			t.Errorf("detailOf(%q) = %q, want %q", c.name, got, c.want)
		}
	}
}
