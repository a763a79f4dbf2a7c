package report

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/onsi/ginkgo/v2/types"
)

var (
	idAttrRE = regexp.MustCompile(`\sid="([^"]*)"`)
	hrefRE   = regexp.MustCompile(`\shref="([^"]*)"`)
	// An HTML id has no whitespace; a letter first and only these
	// characters also keep it the same in a URL fragment and a CSS selector.
	validIDRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_.-]*$`)
)

func attrs(re *regexp.Regexp, page string) []string {
	var out []string
	for _, m := range re.FindAllStringSubmatch(page, -1) {
		out = append(out, m[1])
	}
	return out
}

// between is the part of page from the first from to the next to after it.
func between(t *testing.T, page, from, to string) string {
	t.Helper()
	_, rest, ok := strings.Cut(page, from)
	part, _, ok2 := strings.Cut(rest, to)
	if !ok || !ok2 {
		t.Fatalf("report.html has no %q ... %q", from, to)
	}
	return part
}

// The failures are what a reader of a failing run came for: they come
// first, and everything else the page shows is still there after them.
func TestHTMLFailuresFirst(t *testing.T) {
	page := read(t, written(t), "report.html")
	body := between(t, page, "</header>", "</main>")
	if !strings.HasPrefix(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(body), "<main>")), "<h2>Failures</h2>") {
		t.Errorf("report.html does not open its main part with the failures; it opens with:\n%.300s", body)
	}
	at := strings.Index(body, "<h2>Failures</h2>")
	for _, after := range []string{"<h2>Run</h2>", "<h2>Warnings</h2>", "<h2>Problems of the run</h2>", "<h2>Requirements</h2>", "<h2>Status codes</h2>", "<h2>Observations</h2>"} {
		if i := strings.Index(body, after); i < at {
			t.Errorf("report.html has %q at %d, before the failures at %d (or not at all): want every other section after the failures, none dropped", after, i, at)
		}
	}
}

// Every link of the page is a fragment naming an id of the page: the page
// stays self-contained, follows without script, and no link is dead.
func TestHTMLLinksStayInThePage(t *testing.T) {
	dir := written(t)
	page := read(t, dir, "report.html")
	ids := attrs(idAttrRE, page)
	for i, id := range ids {
		if !validIDRE.MatchString(id) {
			t.Errorf("id %q is not a plain HTML id (letter first, then letters, digits, - _ .): a fragment link may not find it", id)
		}
		if slices.Contains(ids[:i], id) {
			t.Errorf("id %q appears twice: a link to it would lead to the first only", id)
		}
	}
	hrefs := attrs(hrefRE, page)
	for _, h := range hrefs {
		if !strings.HasPrefix(h, "#") || !slices.Contains(ids, h[1:]) {
			t.Errorf("link %q does not name an id of the page %v: it leaves the page or leads nowhere", h, ids)
		}
	}
	banner := between(t, page, "<header", "</header>")
	for _, r := range readResults(t, dir).Requirements {
		if r.Verdict == Fail && !strings.Contains(banner, `">`+r.ID+`</a>`) {
			t.Errorf("the banner has no link for the failing requirement %s: a reader sees the verdict but not the way to the failure:\n%s", r.ID, banner)
		}
	}
}

// A run that conforms has nothing to lead to: no links, as before.
func TestHTMLNoLinksWithoutFailures(t *testing.T) {
	reqs := []Requirement{{ID: "CREATE-201", Ops: ops("create")}}
	r := types.Report{SuiteSucceeded: true, SpecReports: types.SpecReports{it("Create", "[CREATE-201] x", types.SpecStatePassed, "", "CREATE-201")}}
	page := read(t, writeTo(t, Meta{}, reqs, r), "report.html")
	if strings.Contains(page, "href=") || strings.Contains(page, "<nav") {
		t.Errorf("report.html of a run without failures has links:\n%s", between(t, page, "<body>", "</main>"))
	}
}

// A requirement with two failures: the banner leads to the first, its row
// to both; a failed spec that checks no listed requirement has no row, so
// the banner leads to it too.
func TestHTMLLinksToEveryFailure(t *testing.T) {
	reqs := []Requirement{{ID: "CREATE-201", Ops: ops("create")}, {ID: "UPDATE-201", Ops: ops("update")}}
	r := types.Report{SpecReports: types.SpecReports{
		it("Create", "[CREATE-201] one", types.SpecStateFailed, "got 500", "CREATE-201"),
		it("Update", "[UPDATE-201] x", types.SpecStatePassed, "", "UPDATE-201"),
		it("Create", "[CREATE-201] two", types.SpecStateFailed, "got 400", "CREATE-201"),
		it("Other", "checks nothing listed", types.SpecStateFailed, "boom", "create"),
	}}
	page := read(t, writeTo(t, Meta{}, reqs, r), "report.html")
	if got, want := attrs(idAttrRE, between(t, page, "<h2>Failures</h2>", "<h2>Run</h2>")), []string{"failure-1-CREATE-201", "failure-2-CREATE-201", "failure-3"}; !slices.Equal(got, want) {
		t.Errorf("failure ids %q, want %q: numbered in page order, named after their first requirement", got, want)
	}
	if got, want := attrs(hrefRE, between(t, page, "<header", "</header>")), []string{"#failure-1-CREATE-201", "#failure-3"}; !slices.Equal(got, want) {
		t.Errorf("the banner links to %q, want %q: CREATE-201's first failure, then the failure that has no requirement row", got, want)
	}
	if got, want := attrs(hrefRE, between(t, page, `<td class="id">CREATE-201</td>`, "</tr>")), []string{"#failure-1-CREATE-201", "#failure-2-CREATE-201"}; !slices.Equal(got, want) {
		t.Errorf("the row of CREATE-201 links to %q, want %q: both of its failures", got, want)
	}
	if row := between(t, page, `<td class="id">UPDATE-201</td>`, "</tr>"); strings.Contains(row, "href=") {
		t.Errorf("the row of UPDATE-201, which passed, links somewhere: %s", row)
	}
}

// Requirement IDs come from the suite's list, but an id must hold for any:
// characters a fragment would escape or an id cannot hold become '_', and
// the number keeps ids apart that then look alike.
func TestFailureIDsFromAnyRequirement(t *testing.T) {
	failing := func(ids ...string) Failure { return Failure{SpecResult: SpecResult{FailedRequirements: ids}} }
	m := &model{Results: Results{Failures: []Failure{
		failing("CREATE 201<é>"),
		failing("CREATE_201___"),
		failing("A.b-c_9", "Z"),
		failing(),
	}}}
	var got []string
	for _, p := range m.PlacedFailures() {
		got = append(got, p.ID)
	}
	want := []string{"failure-1-CREATE_201___", "failure-2-CREATE_201___", "failure-3-A.b-c_9", "failure-4"}
	if !slices.Equal(got, want) {
		t.Errorf("ids %q, want %q", got, want)
	}
	for _, id := range got {
		if !validIDRE.MatchString(id) {
			t.Errorf("id %q is not a plain HTML id", id)
		}
	}
}
