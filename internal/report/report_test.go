package report

import (
	"encoding/json"
	"encoding/xml"
	"html/template"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/reporters"
	"github.com/onsi/ginkgo/v2/types"
)

// secret is shaped like an IAM token: '+' and '/' are escaped differently by
// each output format, and '&' '<' by most, so a scrub of raw bytes alone
// would let it through. Its core "s3cr3t" must appear in no byte written.
const secret = "MIIs3cr3t+T0k/3n=&<x>"

const hostile = "rule CREATE-409-DUPLICATE: Creating the same share again answers 409\n" +
	"expected: 409 Conflict\ngot:      201 Created\n" +
	"POST /v2/manage/namespaces/ns/repositories/app/access-domains\nX-Auth-Token: " + secret + "\n\n" +
	`{"description":"<script>alert('x')</script> & more"}` + "\n" +
	"reproduce: curl -H \"X-Auth-Token: $SWR_TOKEN\" ```fenced```"

var testReqs = []Requirement{
	{"CREATE-201", "POST page", "Sharing an image with an account, everything valid, answers 201 Created.", "create"},
	{"CREATE-VISIBLE", "CONTRACT-NOTES §5", "A share that answered 201 is visible.", "create"},
	{"CREATE-409-DUPLICATE", "POST page, 409", "Creating the same share again answers 409.", "create"},
	{"AUTH-401-MISSING-TOKEN", "both pages", "A request without X-Auth-Token answers 401.", "both"},
	{"UPDATE-201", "PATCH page", "Updating an existing share answers 201.", "update"},
	{"NS-MAX-LENGTH", "namespace: 1 to 64 characters", "A namespace of more than 64 characters answers 400.", "both"},
	{"UPDATE-MISSING-SHARE-4XX", "CONTRACT-NOTES §5", "Updating a share that does not exist answers 4xx.", "update"},
}

func spec(container, containerLabel, text string, state types.SpecState, msg string, labels ...string) types.SpecReport {
	s := types.SpecReport{
		ContainerHierarchyTexts:  []string{container},
		ContainerHierarchyLabels: [][]string{{containerLabel}},
		LeafNodeType:             types.NodeTypeIt,
		LeafNodeText:             text,
		LeafNodeLabels:           labels,
		State:                    state,
		RunTime:                  120 * time.Millisecond,
	}
	if msg != "" {
		s.Failure = types.Failure{Message: msg, Location: types.CodeLocation{FileName: "suites/writes_test.go", LineNumber: 42}}
	}
	return s
}

func testReport() types.Report {
	prop := spec("Create a share", "create", "[CREATE-201] Sharing ... (property: random valid bodies, each read back)", types.SpecStatePassed, "", "property", "CREATE-201", "CREATE-VISIBLE")
	prop.ReportEntries = types.ReportEntries{{Name: "property", Visibility: types.ReportEntryVisibilityNever,
		Value: types.WrapEntryValue("valid bodies: 37 inputs checked, property seed 8675309 (run seed 42)")}}
	bad := spec("Create a share", "create", "[CREATE-409-DUPLICATE] Creating the same share again answers 409. (property: second bodies)", types.SpecStateFailed, hostile, "property", "CREATE-409-DUPLICATE")
	bad.CapturedGinkgoWriterOutput = "sent X-Auth-Token: " + secret
	bad.ReportEntries = types.ReportEntries{
		{Name: "property", Value: types.WrapEntryValue("second bodies: 12 inputs checked, property seed -77 (run seed 42)")},
		{Name: "debug", Value: types.WrapEntryValue(map[string]string{"token": secret})},
	}
	return types.Report{
		SuiteDescription: "SWR image-sharing API conformance",
		StartTime:        time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
		RunTime:          3*time.Second + 250*time.Millisecond,
		SuiteConfig:      types.SuiteConfig{RandomSeed: 42},
		SpecReports: types.SpecReports{
			spec("Create a share", "create", "[CREATE-201] Sharing ... (with description)", types.SpecStatePassed, "", "CREATE-201", "CREATE-VISIBLE"),
			prop,
			bad,
			spec("Credentials", "auth", "[AUTH-401-MISSING-TOKEN] ... (create without a token)", types.SpecStatePassed, "", "create", "AUTH-401-MISSING-TOKEN"),
			spec("Credentials", "auth", "[AUTH-401-MISSING-TOKEN] ... (update without a token)", types.SpecStateSkipped, "the fixture has no share to update", "update", "AUTH-401-MISSING-TOKEN"),
			spec("Update a share", "update", "[UPDATE-201] Updating ... (with description)", types.SpecStateSkipped, "the target offers neither show nor list of shares", "UPDATE-201"),
			spec("Names in the path", "names", "[NS-MAX-LENGTH] ... (create, property: too long)", types.SpecStateSkipped, "", "create", "property", "NS-MAX-LENGTH"),
		},
	}
}

var testMeta = Meta{
	SuiteVersion: "v0.1.0",
	Endpoint:     "https://swr-api.example.com",
	Config:       []KV{{"SWR_NAMESPACE", "my-org"}, {"SWR_TOKEN", "[REDACTED]"}, {"leaked by mistake", secret}},
	Secrets:      []string{"", secret},
	Seed:         42,
}

// written writes the test report into a fresh directory.
func written(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "new", "report")
	if err := Write(dir, testMeta, testReqs, testReport()); err != nil {
		t.Fatal(err)
	}
	return dir
}

func read(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestNoSecretInAnyFile(t *testing.T) {
	dir := written(t)
	files, _ := os.ReadDir(dir)
	if len(files) != 4 {
		t.Errorf("%d files written, want 4", len(files))
	}
	for _, f := range files {
		b := read(t, dir, f.Name())
		for _, leak := range []string{"s3cr3t", secret, template.HTMLEscapeString(secret)} {
			if strings.Contains(b, leak) {
				t.Errorf("%s contains the secret as %q", f.Name(), leak)
			}
		}
		if !strings.Contains(b, "[REDACTED]") {
			t.Errorf("%s: no [REDACTED] where the secret was", f.Name())
		}
	}
}

func TestCallerReportUntouched(t *testing.T) {
	r := testReport()
	if err := Write(t.TempDir(), testMeta, testReqs, r); err != nil {
		t.Fatal(err)
	}
	if r.SpecReports[2].Failure.Message != hostile || testMeta.Config[2].Value != secret {
		t.Error("Write changed the caller's report or meta while scrubbing")
	}
}

func TestJUnit(t *testing.T) {
	var j reporters.JUnitTestSuites
	if err := xml.Unmarshal([]byte(read(t, written(t), "junit.xml")), &j); err != nil {
		t.Fatal("junit.xml is not well-formed:", err)
	}
	if j.Tests != 7 || j.Failures != 1 || len(j.TestSuites) != 1 {
		t.Errorf("tests %d failures %d suites %d, want 7 1 1", j.Tests, j.Failures, len(j.TestSuites))
	}
	tc := j.TestSuites[0].TestCases[2]
	if tc.Failure == nil || !strings.Contains(tc.Failure.Message, "<script>") || !strings.Contains(tc.Failure.Message, "[REDACTED]") {
		t.Errorf("failure of the third spec: %+v", tc.Failure)
	}
}

func TestResultsJSON(t *testing.T) {
	var res struct {
		Meta      struct{ Commit, Endpoint string }
		StartTime time.Time `json:"start_time"`
		Duration  float64   `json:"duration_seconds"`
		Verdict   string
		Reasons   []string
		Specs     struct {
			Passed, Failed, Skipped int
			NotRun                  int `json:"not_run"`
		}
		Requirements []struct {
			ID, Verdict, Reason string
			Specs               []struct {
				Name, State, Outcome, Failure string
				SkipReason                    string `json:"skip_reason"`
				Property                      *struct{ Cases, Seed int64 }
			}
		}
		StatusCodes []struct {
			Operation string
			Codes     []struct {
				Code     int
				Observed bool
			}
		} `json:"status_codes"`
	}
	if err := json.Unmarshal([]byte(read(t, written(t), "results.json")), &res); err != nil {
		t.Fatal("results.json is not well-formed:", err)
	}
	if res.Verdict != DoesNotConform || res.Meta.Commit != "unknown" || res.Duration != 3.25 || !res.StartTime.Equal(testReport().StartTime) {
		t.Errorf("verdict %q commit %q duration %v start %v", res.Verdict, res.Meta.Commit, res.Duration, res.StartTime)
	}
	if res.Specs.Passed != 3 || res.Specs.Failed != 1 || res.Specs.Skipped != 2 || res.Specs.NotRun != 1 {
		t.Errorf("spec counts %+v", res.Specs)
	}
	want := map[string]string{
		"CREATE-201": Pass, "CREATE-VISIBLE": Pass, "CREATE-409-DUPLICATE": Fail, "AUTH-401-MISSING-TOKEN": Pass,
		"UPDATE-201": Skipped, "NS-MAX-LENGTH": NotRun, "UPDATE-MISSING-SHARE-4XX": NotRun,
	}
	for _, r := range res.Requirements {
		if r.Verdict != want[r.ID] {
			t.Errorf("%s: verdict %q, want %q", r.ID, r.Verdict, want[r.ID])
		}
		switch r.ID {
		case "UPDATE-201":
			if r.Reason != "the target offers neither show nor list of shares" || r.Specs[0].SkipReason != r.Reason {
				t.Errorf("UPDATE-201 skip reason %q", r.Reason)
			}
		case "AUTH-401-MISSING-TOKEN":
			if !strings.Contains(r.Reason, "the fixture has no share to update") {
				t.Errorf("AUTH-401-MISSING-TOKEN passes with a skipped spec, but the note is %q", r.Reason)
			}
		case "CREATE-201":
			if p := r.Specs[1].Property; len(r.Specs) != 2 || p == nil || p.Cases != 37 || p.Seed != 8675309 {
				t.Errorf("CREATE-201 specs %+v", r.Specs)
			}
		case "CREATE-409-DUPLICATE":
			s := r.Specs[0]
			if s.State != "failed" || !strings.Contains(s.Failure, "<script>") || s.Property == nil || s.Property.Seed != -77 {
				t.Errorf("CREATE-409-DUPLICATE spec %+v", s)
			}
		}
	}
	observed := map[string][]int{}
	for _, oc := range res.StatusCodes {
		for _, c := range oc.Codes {
			if c.Observed {
				observed[oc.Operation] = append(observed[oc.Operation], c.Code)
			}
		}
	}
	if len(res.StatusCodes) != 2 || len(res.StatusCodes[0].Codes) != 4 || len(res.StatusCodes[1].Codes) != 3 ||
		len(observed["create"]) != 2 || observed["create"][0] != 201 || observed["create"][1] != 401 || len(observed["update"]) != 0 {
		t.Errorf("status codes %+v, observed %v; want create 201 401, update none", res.StatusCodes, observed)
	}
}

func TestSummaryMarkdown(t *testing.T) {
	md := read(t, written(t), "summary.md")
	for _, want := range []string{
		"# SWR conformance: the target DOES NOT CONFORM\n",
		"| CREATE-409-DUPLICATE | fail | 1 |",
		"| UPDATE-201 | skipped | 1 | the target offers neither show nor list of shares |",
		"| create | 201 401 | 400 409 |",
		"\n````text\nrule CREATE-409-DUPLICATE", // longer fence than the message's ```
	} {
		if !strings.Contains(md, want) {
			t.Errorf("summary.md lacks %q:\n%s", want, md)
		}
	}
}

func TestHTML(t *testing.T) {
	page := read(t, written(t), "report.html")
	for _, bad := range []string{"<script", "<link", "src=", "href=", "url(", "@import"} {
		if strings.Contains(page, bad) {
			t.Errorf("report.html contains %q: it must be inert and self-contained", bad)
		}
	}
	for _, want := range []string{"DOES NOT CONFORM", "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; more", "<pre>rule CREATE-409-DUPLICATE", "never observed"} {
		if !strings.Contains(page, want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
}

func TestOverallVerdict(t *testing.T) {
	pass := func(id string) types.SpecReport {
		return spec("Create", "create", "["+id+"] x", types.SpecStatePassed, "", id)
	}
	reqs := []Requirement{{ID: "CREATE-201", Operation: "create"}, {ID: "CREATE-409-DUPLICATE", Operation: "create"}}
	both := types.SpecReports{pass("CREATE-201"), pass("CREATE-409-DUPLICATE")}
	filtered := spec("Create", "create", "[CREATE-409-DUPLICATE] x", types.SpecStateSkipped, "", "CREATE-409-DUPLICATE")
	interrupted := spec("Create", "create", "[CREATE-409-DUPLICATE] x", types.SpecStateInterrupted, "interrupted by user", "CREATE-409-DUPLICATE")
	setup := types.SpecReport{LeafNodeType: types.NodeTypeBeforeSuite, State: types.SpecStateFailed, Failure: types.Failure{Message: "target unreachable"}}
	for _, c := range []struct {
		name      string
		succeeded bool
		specs     types.SpecReports
		want      string
	}{
		{"all pass", true, both, Conforms},
		{"a requirement filtered out", true, types.SpecReports{pass("CREATE-201"), filtered}, Incomplete},
		{"a requirement partly run", true, append(both, filtered), Incomplete},
		{"interrupted", false, types.SpecReports{pass("CREATE-201"), interrupted}, Incomplete},
		{"set-up failed", false, types.SpecReports{setup}, Incomplete},
		{"nothing", false, nil, Incomplete},
		{"failure in a partial run", false, types.SpecReports{spec("Create", "create", "[CREATE-201] x", types.SpecStateFailed, "got 500", "CREATE-201"), interrupted}, DoesNotConform},
		{"unlabelled failure", true, append(both, spec("Other", "create", "x", types.SpecStateFailed, "boom")), DoesNotConform},
	} {
		m := build(Meta{}, reqs, types.Report{SuiteSucceeded: c.succeeded, SpecReports: c.specs})
		if m.Verdict != c.want {
			t.Errorf("%s: verdict %q (%v), want %q", c.name, m.Verdict, m.Reasons, c.want)
		}
	}
}

func TestExpectedStatus(t *testing.T) {
	for id, want := range map[string]int{
		"CREATE-201": 201, "UPDATE-CONTENT-TYPE": 201, "CREATE-NESTED-REPOSITORY": 201, "UPDATE-VISIBLE": 201, "NAMES-VALID-ACCEPTED": 201,
		"CREATE-409-CONCURRENT": 409, "AUTH-401-WRONG-TOKEN": 401, "NS-CHARSET": 400, "REPO-MAX-LENGTH": 400, "BODY-NOT-OBJECT": 400,
		"UPDATE-MISSING-SHARE-4XX": 0, "MISSING-NAME-4XX": 0, "NAMES-STRUCTURE-BREAKING": 0,
	} {
		if got := expectedStatus(id); got != want {
			t.Errorf("expectedStatus(%s) = %d, want %d", id, got, want)
		}
	}
}
