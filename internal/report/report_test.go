package report

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"github.com/swr-conformance/swr-conformance/internal/contract"
	"html/template"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/onsi/ginkgo/v2/reporters"
	"github.com/onsi/ginkgo/v2/types"
)

// ---------------------------------------------------------------------------
// Building spec reports and entries

// it is one It spec. Labels that are requirement IDs link it to them; the
// others (create, property, ...) are the groups a user filters by.
func it(container, text string, state types.SpecState, msg string, labels ...string) types.SpecReport {
	s := types.SpecReport{
		ContainerHierarchyTexts:  []string{container},
		ContainerHierarchyLabels: [][]string{{}},
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

func with(s types.SpecReport, es ...types.ReportEntry) types.SpecReport {
	s.ReportEntries = append(s.ReportEntries, es...)
	return s
}

// raw is an entry as the process that added it holds it: the struct itself.
func raw(name string, v any) types.ReportEntry {
	return types.ReportEntry{Name: name, Visibility: types.ReportEntryVisibilityNever, Value: types.WrapEntryValue(v)}
}

// viaJSON is the entry after a trip between parallel Ginkgo processes: its
// raw value is a map, and Value.AsJSON holds the JSON.
func viaJSON(t *testing.T, e types.ReportEntry) types.ReportEntry {
	t.Helper()
	out := viaJSONString(t, e)
	if _, isMap := out.GetRawValue().(map[string]any); !isMap || out.Value.AsJSON == "" {
		t.Fatalf("the JSON round trip left %T (AsJSON %q): not the form parallel processes see", out.GetRawValue(), out.Value.AsJSON)
	}
	return out
}

// ent makes one report entry in one encoding.
type ent func(name string, v any) types.ReportEntry

// encodings runs f once with entries as raw values and once with entries
// as they arrive from another parallel process.
func encodings(t *testing.T, f func(t *testing.T, e ent)) {
	t.Run("raw", func(t *testing.T) { f(t, raw) })
	t.Run("json", func(t *testing.T) {
		f(t, func(name string, v any) types.ReportEntry { return viaJSON(t, raw(name, v)) })
	})
}

func read(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var fileNames = []string{"junit.xml", "results.json", "summary.md", "report.html"}

// writeTo writes the reports into a fresh directory and returns it. Every
// results.json written is checked against results.schema.json.
func writeTo(t *testing.T, meta Meta, reqs []Requirement, r types.Report) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "new", "report") // Write creates it
	if err := Write(dir, meta, reqs, r); err != nil {
		t.Fatal(err)
	}
	checkSchema(t, []byte(read(t, dir, "results.json")))
	return dir
}

// readResults reads the results.json in dir as the suite's readers do.
func readResults(t *testing.T, dir string) *Results {
	t.Helper()
	res, err := ReadResults(filepath.Join(dir, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// ---------------------------------------------------------------------------
// The fixture: a run that does not conform, with every kind of entry

// secret is shaped like an IAM token: '+' and '/' are escaped differently by
// each output format, and '&' '<' by most, so a scrub of raw bytes alone
// would let it through. Its core "s3cr3t" must appear in no byte written.
const secret = "MIIs3cr3t+T0k/3n=&<x>"

// hostile is a failure message as the suite writes it: the client already
// redacted the token; the body quotes what the target answered.
const hostile = "rule CREATE-409-DUPLICATE: Creating the same share again answers 409 | twice\n" +
	"expected: 409 Conflict\ngot:      201 Created\n" +
	"POST /v2/manage/namespaces/ns/repositories/app/access-domains\nX-Auth-Token: [REDACTED]\n\n" +
	`{"description":"<script>alert('x')</script> & more"}` + "\n" +
	"reproduce: curl -H \"X-Auth-Token: $SWR_TOKEN\" ```fenced```"

const postPath = "POST /v2/manage/namespaces/ns/repositories/app/access-domains"

// dupEvidence is what the duplicate's check showed, in parts. Each part
// quotes what a target may answer, markup and fences included.
var dupEvidence = Evidence{Requirement: "CREATE-409-DUPLICATE", Operation: "create",
	Case:     `counterexample (second bodies, seed -77): {"permit":"read","deadline":"forever"}`,
	Expected: "409 Conflict", Got: "201 Created",
	Exchanges: []Shown{{
		Method: "POST", Path: "/v2/manage/namespaces/ns/repositories/app/access-domains", Status: 201,
		Request:  "POST https://swr-api.example.com/v2/manage/namespaces/ns/repositories/app/access-domains\nContent-Type: application/json\nX-Auth-Token: [REDACTED]\n\n" + `{"description":"<script>alert('x')</script> & more"}` + "\n",
		Response: "201 Created (after 3ms)\n\n<b>not bold</b> | not a column\n",
	}},
	Reproduction: "# export SWR_TOKEN first\ncurl -sS -i -X POST 'https://swr-api.example.com/v2/manage/namespaces/ns/repositories/app/access-domains' -H \"X-Auth-Token: $SWR_TOKEN\" --data-binary '```fenced```'",
	Replay:       "-ginkgo.seed=42 -ginkgo.focus='Create a share'",
}

// ops are the operations a test requirement is a rule of.
func ops(which string) []contract.Operation {
	switch which {
	case "create":
		return []contract.Operation{contract.OpCreate}
	case "update":
		return []contract.Operation{contract.OpUpdate}
	}
	return contract.Certified
}

var testReqs = []Requirement{
	{ID: "CREATE-201", Sources: []contract.Citation{{Section: "Test", Quote: "POST page"}}, Text: "Sharing an image with an account, everything valid, answers 201 Created.", Ops: ops("create")},
	{ID: "CREATE-VISIBLE", Sources: []contract.Citation{{Section: "Test", Quote: "contract §5"}}, Text: "A share that answered 201 is visible.", Ops: ops("create")},
	{ID: "CREATE-409-DUPLICATE", Sources: []contract.Citation{{Section: "Test", Quote: "POST page, 409"}}, Text: "Creating the same share again answers 409.", Ops: ops("create")},
	{ID: "AUTH-401-MISSING-TOKEN", Sources: []contract.Citation{{Section: "Test", Quote: "both pages"}}, Text: "A request without X-Auth-Token answers 401 and changes nothing.", Ops: ops("both")},
	{ID: "UPDATE-201", Sources: []contract.Citation{{Section: "Test", Quote: "PATCH page"}}, Text: "Updating an existing share answers 201.", Ops: ops("update")},
	{ID: "NS-MAX-LENGTH", Sources: []contract.Citation{{Section: "Test", Quote: "namespace: 1 to 64 characters"}}, Text: "A namespace of more than 64 characters answers 400.", Ops: ops("both")},
	{ID: "UPDATE-MISSING-SHARE-4XX", Sources: []contract.Citation{{Section: "Test", Quote: "contract §5"}}, Text: "Updating a share that does not exist answers 4xx.", Ops: ops("update")},
	{ID: "REPO-MAX-LENGTH", Sources: []contract.Citation{{Section: "Test", Quote: "repository: 1 to 128 characters"}}, Text: "A repository of more than 128 characters answers 400.", Ops: ops("both")},
}

var testMeta = Meta{
	SuiteVersion: "v0.1.0",
	Endpoint:     "https://swr-api.example.com",
	Config:       []KV{{"SWR_NAMESPACE", "my-org"}, {"SWR_TOKEN", "[REDACTED]"}},
	Secrets:      []string{"", secret},
	Seed:         42,
	Warnings:     []string{"unknown variable SWR_TOKNE (did you mean SWR_TOKEN?)"},
	RunProblems:  []string{"cleanup at the end of the run: these may be left on the target:\nns/app"},
	Observations: []Observation{{Point: "show of a share that does not exist", Choice: "404 Not Found", Example: "GET /v2/.../access-domains/other"}},
}

// testReport mixes both entry encodings, as a parallel run does.
func testReport(t *testing.T) types.Report {
	j := func(name string, v any) types.ReportEntry { return viaJSON(t, raw(name, v)) }
	ok := with(it("Create a share", "[CREATE-201] Sharing ... (with description)", types.SpecStatePassed, "", "create", "CREATE-201", "CREATE-VISIBLE"),
		raw(EntryExchanges, Exchanges{Tallies: []Tally{{Operation: "create", Code: 201, Count: 2, Example: postPath + " (with description)"}}}),
		raw(EntryObservation, Observation{"content after a complete JSON object", "ignored (201)", postPath + ` {}x`}))
	prop := with(it("Create a share", "[CREATE-201] Sharing ... (property: random valid bodies, each read back)", types.SpecStatePassed, "", "property", "CREATE-201", "CREATE-VISIBLE"),
		raw(EntryProperty, Property{Label: "valid bodies", Cases: 37, Seed: 8675309, RunSeed: 42}),
		j(EntryExchanges, Exchanges{Tallies: []Tally{{Operation: "create", Code: 201, Count: 37, Example: postPath}}}),
		j(EntryObservation, Observation{"content after a complete JSON object", "ignored (201)", postPath + ` {}[]`}))
	dup := with(it("Create a share", "[CREATE-409-DUPLICATE] Creating the same share again answers 409. (property: second bodies)", types.SpecStateFailed, hostile, "property", "CREATE-409-DUPLICATE"),
		j(EntryFailed, Failed{Requirement: "CREATE-409-DUPLICATE"}),
		j(EntryEvidence, dupEvidence),
		j(EntryProperty, Property{Label: "second bodies", Cases: 12, Seed: -77, RunSeed: 42}),
		j(EntryExchanges, Exchanges{Tallies: []Tally{{Operation: "create", Code: 201, Count: 24, Example: postPath + " (second)"}}}))
	dup.CapturedGinkgoWriterOutput = "sent X-Auth-Token: " + secret + "\n"
	auth := with(it("Credentials", "[AUTH-401-MISSING-TOKEN] ... (update without a token)", types.SpecStateFailed,
		"PATCH without X-Auth-Token answered 401 Unauthorized, but the share changed", "auth", "AUTH-401-MISSING-TOKEN"),
		raw(EntryFailed, Failed{Requirement: "AUTH-401-MISSING-TOKEN", SecurityDefect: true}),
		raw(EntryExchanges, Exchanges{Tallies: []Tally{{Operation: "update", Code: 401, Count: 1, Example: "PATCH /v2/.../access-domains (no token)"}}}))
	panicked := with(it("Update a share", "[UPDATE-MISSING-SHARE-4XX] ... (a share never made)", types.SpecStatePanicked, "Test Panicked", "update", "UPDATE-MISSING-SHARE-4XX"),
		j(EntryExchanges, Exchanges{Tallies: []Tally{{Operation: "update", Code: 404, Count: 1, Example: "PATCH /v2/.../missing"}, {Operation: "update", Code: 0, Count: 1, Example: "PATCH /v2/.../missing (connection reset)"}}}))
	panicked.Failure.ForwardedPanic = "runtime error: index out of range; token " + secret
	panicked.CapturedStdOutErr = "library debug: Authorization: " + secret + "\n"
	unsupported := with(it("Update a share", "[UPDATE-201] Updating ... (with description)", types.SpecStateSkipped, "the target offers neither show nor list of shares", "update", "UPDATE-201"),
		j(EntryNotChecked, NotChecked{Cause: CauseConfiguration, Reason: "the target offers neither show nor list of shares", Remedy: "a target with show or list of shares"}))
	filtered := it("Names in the path", "[NS-MAX-LENGTH] ... (create, property: too long)", types.SpecStateSkipped, "", "create", "property", "NS-MAX-LENGTH")
	return types.Report{
		SuiteDescription: "SWR image-sharing API conformance",
		StartTime:        time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
		RunTime:          3*time.Second + 250*time.Millisecond,
		SuiteConfig:      types.SuiteConfig{RandomSeed: 42},
		SpecReports:      types.SpecReports{ok, prop, dup, auth, panicked, unsupported, filtered},
	}
}

// written writes the fixture into a fresh directory (also used by the
// browser test).
func written(t *testing.T) string {
	t.Helper()
	return writeTo(t, testMeta, testReqs, testReport(t))
}

// ---------------------------------------------------------------------------
// The four files

func TestWriteProducesFourFiles(t *testing.T) {
	dir := written(t)
	files, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		names = append(names, f.Name())
	}
	if want := []string{"junit.xml", "report.html", "results.json", "summary.md"}; !reflect.DeepEqual(names, want) {
		t.Errorf("files written: %v, want %v", names, want)
	}
	for _, n := range fileNames {
		if read(t, dir, n) == "" {
			t.Errorf("%s is empty", n)
		}
	}

	// results.json has every field a machine reads, lists as [] not null.
	var top map[string]json.RawMessage
	if err := json.Unmarshal([]byte(read(t, dir, "results.json")), &top); err != nil {
		t.Fatal("results.json is not valid JSON:", err)
	}
	for _, f := range []string{"schema_version", "meta", "verdict", "exit_code", "reasons", "specs", "requirements", "status_codes", "observations", "run_problems", "warnings", "failures"} {
		if v, ok := top[f]; !ok || string(v) == "null" {
			t.Errorf("results.json: field %q missing or null (%s)", f, v)
		}
	}
	res := readResults(t, dir)
	if res.Verdict != DoesNotConform || res.ExitCode != 1 {
		t.Errorf("results.json: verdict %q exit %d, want %q 1", res.Verdict, res.ExitCode, DoesNotConform)
	}
	var causes int
	for _, r := range res.Requirements {
		if r.Verdict == "" {
			t.Errorf("%s: no verdict", r.ID)
		}
		if (r.Verdict == Unchecked) != (r.NotChecked != nil) {
			t.Errorf("%s: verdict %q with not_checked %+v", r.ID, r.Verdict, r.NotChecked)
		}
		if r.NotChecked != nil && r.NotChecked.Cause != "" {
			causes++
		}
	}
	if causes == 0 {
		t.Error("results.json: no requirements[].not_checked.cause, though the fixture leaves requirements unchecked")
	}
	if len(res.StatusCodes) == 0 || len(res.Observations) == 0 || len(res.RunProblems) == 0 || len(res.Warnings) == 0 {
		t.Errorf("results.json: status codes %d, observations %d, run problems %d, warnings %d: want each",
			len(res.StatusCodes), len(res.Observations), len(res.RunProblems), len(res.Warnings))
	}

	var junit reporters.JUnitTestSuites
	if err := xml.Unmarshal([]byte(read(t, dir, "junit.xml")), &junit); err != nil {
		t.Error("junit.xml is not well-formed:", err)
	}
	if md := read(t, dir, "summary.md"); !strings.HasPrefix(md, "# SWR conformance of https://swr-api.example.com: DOES NOT CONFORM\n") {
		t.Errorf("summary.md starts %q", md[:min(len(md), 80)])
	}
	if page := read(t, dir, "report.html"); !strings.HasPrefix(page, "<!DOCTYPE html>") || !strings.Contains(page, `class="banner bad"`) {
		t.Error("report.html is not the page with a red banner")
	}
}

func TestEmptyListsAreArrays(t *testing.T) {
	dir := writeTo(t, Meta{}, []Requirement{{ID: "CREATE-201", Ops: ops("create")}},
		types.Report{SuiteSucceeded: true, SpecReports: types.SpecReports{it("c", "[CREATE-201] x", types.SpecStatePassed, "", "CREATE-201")}})
	var top map[string]json.RawMessage
	if err := json.Unmarshal([]byte(read(t, dir, "results.json")), &top); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"observations", "run_problems", "warnings"} {
		if string(top[f]) != "[]" {
			t.Errorf("%s = %s, want []", f, top[f])
		}
	}
	var meta map[string]json.RawMessage
	if err := json.Unmarshal(top["meta"], &meta); err != nil {
		t.Fatal(err)
	}
	if string(meta["config"]) != "[]" || string(meta["commit"]) != `"unknown"` || string(meta["endpoint"]) != `"unknown"` {
		t.Errorf("meta %s: want config [] and commit, endpoint \"unknown\"", top["meta"])
	}
}

func TestResultsJSON(t *testing.T) {
	res := readResults(t, written(t))
	if res.Meta.Commit != "unknown" || res.Meta.SuiteVersion != "v0.1.0" || res.Meta.Seed != 42 || res.Duration != 3.25 ||
		!res.StartTime.Equal(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)) {
		t.Errorf("meta %+v, duration %v, start %v", res.Meta, res.Duration, res.StartTime)
	}
	if res.Specs.Passed != 2 || res.Specs.Failed != 3 || res.Specs.NotChecked != 1 || res.Specs.NotRun != 1 {
		t.Errorf("spec counts %+v, want 2 passed, 3 failed, 1 not checked, 1 not run", res.Specs)
	}
	type want struct {
		verdict  RequirementVerdict
		cause    Cause
		security bool
		specs    int
		op       string
	}
	wants := map[string]want{
		"CREATE-201":               {Pass, "", false, 2, "create"},
		"CREATE-VISIBLE":           {Pass, "", false, 2, "create"},
		"CREATE-409-DUPLICATE":     {Fail, "", false, 1, "create"},
		"AUTH-401-MISSING-TOKEN":   {Fail, "", true, 1, "both"},
		"UPDATE-201":               {Unchecked, CauseConfiguration, false, 1, "update"},
		"NS-MAX-LENGTH":            {Unchecked, CauseConfiguration, false, 1, "both"}, // "" is both
		"UPDATE-MISSING-SHARE-4XX": {Fail, "", false, 1, "update"},
		"REPO-MAX-LENGTH":          {Unchecked, CauseConfiguration, false, 0, "both"},
	}
	if len(res.Requirements) != len(testReqs) {
		t.Fatalf("%d requirements, want %d", len(res.Requirements), len(testReqs))
	}
	for i, r := range res.Requirements {
		if r.ID != testReqs[i].ID {
			t.Errorf("requirement %d is %s, want the catalogue's order (%s)", i, r.ID, testReqs[i].ID)
		}
		w := wants[r.ID]
		var cause Cause
		if r.NotChecked != nil {
			cause = r.NotChecked.Cause
		}
		if r.Verdict != w.verdict || cause != w.cause || r.SecurityDefect != w.security || len(r.Specs) != w.specs || r.Operation != w.op {
			t.Errorf("%s: verdict %q cause %q security %v specs %d op %q, want %+v", r.ID, r.Verdict, cause, r.SecurityDefect, len(r.Specs), r.Operation, w)
		}
		switch r.ID {
		case "CREATE-201":
			if p := r.Specs[1].Property; p == nil || p.Cases != 37 || p.Seed != 8675309 || p.RunSeed != 42 || p.Label != "valid bodies" {
				t.Errorf("CREATE-201 property %+v", p)
			}
		case "CREATE-409-DUPLICATE":
			s := r.Specs[0]
			if s.State != "failed" || s.Outcome != SpecFailed || s.Message != hostile || s.Location != "suites/writes_test.go:42" || s.Property == nil || s.Property.Seed != -77 {
				t.Errorf("CREATE-409-DUPLICATE spec %+v", s)
			}
			// The entry's, as the check recorded it.
			want := dupEvidence
			if !reflect.DeepEqual(s.Evidence, []Evidence{want}) {
				t.Errorf("CREATE-409-DUPLICATE evidence %+v, want %+v", s.Evidence, want)
			}
		case "AUTH-401-MISSING-TOKEN":
			if !strings.HasPrefix(r.Reason, "SECURITY DEFECT") {
				t.Errorf("AUTH-401-MISSING-TOKEN reason %q", r.Reason)
			}
		case "UPDATE-MISSING-SHARE-4XX":
			if s := r.Specs[0]; s.State != "panicked" || s.Outcome != SpecFailed || s.Message != "Test Panicked\npanic: runtime error: index out of range; token [REDACTED]" {
				t.Errorf("UPDATE-MISSING-SHARE-4XX spec %+v", s)
			}
		case "UPDATE-201":
			if r.NotChecked.Reason != "the target offers neither show nor list of shares" || r.NotChecked.Remedy != "a target with show or list of shares" ||
				r.Specs[0].SkipReason != r.NotChecked.Reason || r.Specs[0].Outcome != SpecNotChecked {
				t.Errorf("UPDATE-201 %+v / %+v", r.NotChecked, r.Specs[0])
			}
		case "NS-MAX-LENGTH":
			if !strings.Contains(r.Reason, "filtered out") || r.Specs[0].Outcome != SpecNotRun {
				t.Errorf("NS-MAX-LENGTH reason %q outcome %q", r.Reason, r.Specs[0].Outcome)
			}
		}
	}
	reasons := strings.Join(res.Reasons, "\n")
	for _, w := range []string{"SECURITY DEFECT", "AUTH-401-MISSING-TOKEN", "3 of 8 requirements fail", "run problem: cleanup at the end of the run"} {
		if !strings.Contains(reasons, w) {
			t.Errorf("reasons lack %q:\n%s", w, reasons)
		}
	}
	if !reflect.DeepEqual(res.Warnings, testMeta.Warnings) || !reflect.DeepEqual(res.RunProblems, testMeta.RunProblems) {
		t.Errorf("warnings %q run problems %q", res.Warnings, res.RunProblems)
	}
	// Every tally of the fixture, both encodings, counted.
	codes := map[contract.Operation]map[int]int{}
	for _, oc := range res.StatusCodes {
		codes[oc.Operation] = map[int]int{}
		for _, c := range oc.Codes {
			codes[oc.Operation][c.Code] = c.Seen
		}
	}
	wantCodes := map[contract.Operation]map[int]int{
		contract.OpCreate: {201: 63, 400: 0, 401: 0, 409: 0, 500: 0},
		contract.OpUpdate: {201: 0, 400: 0, 401: 1, 500: 0, 404: 1, 0: 1},
	}
	if !reflect.DeepEqual(codes, wantCodes) {
		t.Errorf("status codes seen %v, want %v", codes, wantCodes)
	}
	wantObs := []ObservedPoint{
		{"show of a share that does not exist", []Choice{{"404 Not Found", 1, "GET /v2/.../access-domains/other"}}},
		{"content after a complete JSON object", []Choice{{"ignored (201)", 2, postPath + ` {}x`}}},
	}
	if !reflect.DeepEqual(res.Observations, wantObs) {
		t.Errorf("observations %+v, want %+v", res.Observations, wantObs)
	}
}

func TestJudgeAgreesWithResultsJSON(t *testing.T) {
	r := testReport(t)
	j := Judge(testMeta, testReqs, r)
	res := readResults(t, writeTo(t, testMeta, testReqs, r))
	if j.Verdict != res.Verdict || j.ExitCode != res.ExitCode || !reflect.DeepEqual(j.Reasons, res.Reasons) {
		t.Errorf("Judge %q %d %q; results.json %q %d %q", j.Verdict, j.ExitCode, j.Reasons, res.Verdict, res.ExitCode, res.Reasons)
	}
	want := []string{
		"CREATE-409-DUPLICATE in Create a share [CREATE-409-DUPLICATE] Creating the same share again answers 409. (property: second bodies)",
		"AUTH-401-MISSING-TOKEN in Credentials [AUTH-401-MISSING-TOKEN] ... (update without a token)",
		"UPDATE-MISSING-SHARE-4XX in Update a share [UPDATE-MISSING-SHARE-4XX] ... (a share never made)",
	}
	if !reflect.DeepEqual(j.Failed, want) {
		t.Errorf("Failed %q, want %q", j.Failed, want)
	}
	var unchecked []string
	for _, rq := range res.Requirements {
		if rq.Verdict == Unchecked {
			unchecked = append(unchecked, rq.ID)
		}
	}
	if want := []string{"UPDATE-201", "NS-MAX-LENGTH", "REPO-MAX-LENGTH"}; !reflect.DeepEqual(j.NotChecked, want) || !reflect.DeepEqual(unchecked, want) {
		t.Errorf("NotChecked %q, results.json not checked %q, want %q", j.NotChecked, unchecked, want)
	}
}

func TestJUnit(t *testing.T) {
	var j reporters.JUnitTestSuites
	if err := xml.Unmarshal([]byte(read(t, written(t), "junit.xml")), &j); err != nil {
		t.Fatal("junit.xml is not well-formed:", err)
	}
	if len(j.TestSuites) != 1 || j.Tests != 7 || j.Failures != 2 || j.Errors != 1 {
		t.Fatalf("suites %d tests %d failures %d errors %d, want 1 7 2 1", len(j.TestSuites), j.Tests, j.Failures, j.Errors)
	}
	tc := j.TestSuites[0].TestCases
	if f := tc[2].Failure; f == nil || f.Message != hostile {
		t.Errorf("failure of the duplicate spec: %+v", f)
	}
	if e := tc[4].Error; e == nil || e.Type != "panicked" || e.Message != "runtime error: index out of range; token [REDACTED]" {
		t.Errorf("error of the panicked spec: %+v", e)
	}
	if !strings.Contains(tc[4].SystemOut, "Authorization: [REDACTED]") || !strings.Contains(tc[2].SystemErr, "sent X-Auth-Token: [REDACTED]") {
		t.Errorf("captured output not kept (scrubbed): system-out %q, system-err %q", tc[4].SystemOut, tc[2].SystemErr)
	}
	if s := tc[5].Skipped; s == nil || !strings.Contains(s.Message, "neither show nor list") {
		t.Errorf("skipped spec: %+v", s)
	}
	// The run's verdict is in the suite's properties, as in results.json.
	jd := Judge(testMeta, testReqs, testReport(t))
	want := []reporters.JUnitProperty{{Name: "swr.verdict", Value: string(jd.Verdict)}, {Name: "swr.exit_code", Value: "1"}}
	for _, why := range jd.Reasons {
		want = append(want, reporters.JUnitProperty{Name: "swr.reason", Value: why})
	}
	props := j2props(j)
	if len(props) < len(want) || !reflect.DeepEqual(props[:len(want)], want) {
		t.Errorf("suite properties %+v, want first %+v", props, want)
	}
	if tcProps := tc[1].Properties; tcProps == nil || len(tcProps.Properties) != 3 || tcProps.Properties[0].Name != EntryProperty {
		t.Errorf("the property spec's entries are not its properties: %+v", tcProps)
	}
}

func j2props(j reporters.JUnitTestSuites) []reporters.JUnitProperty {
	if len(j.TestSuites) == 0 {
		return nil
	}
	return j.TestSuites[0].Properties.Properties
}

func TestSummaryMarkdown(t *testing.T) {
	md := read(t, written(t), "summary.md")
	for _, want := range []string{
		"# SWR conformance of https://swr-api.example.com: DOES NOT CONFORM\n",
		"- SECURITY DEFECT: a request without valid credentials was served, or answered 401 and still took effect (AUTH-401-MISSING-TOKEN)\n",
		"| specs | 2 passed, 3 failed, 1 not checked, 1 not run |",
		"| SWR_TOKEN | [REDACTED] |",
		"## Warnings\n\n- unknown variable SWR_TOKNE",
		"## Problems of the run (no verdict on the target)\n\n- cleanup at the end of the run: these may be left on the target: ns/app\n",
		"| CREATE-201 | pass | 2 |",
		"| CREATE-409-DUPLICATE | fail | 1 | 1 of 1 specs failed |",
		"| UPDATE-201 | not checked | 1 | the target offers neither show nor list of shares; to check it: a target with show or list of shares |",
		"| REPO-MAX-LENGTH | not checked | 0 | no spec checks it in this run |",
		"| create | 201 Created | yes | 63 | " + postPath + " (with description) |",
		"| create | 409 Conflict | yes | never | - |",
		"| update | 0 no answer | no | 1 | PATCH /v2/.../missing (connection reset) |",
		"| update | 404 Not Found | no | 1 | PATCH /v2/.../missing |",
		"| content after a complete JSON object | ignored (201) | 2 | " + postPath + " {}x |",
		"**Exit status 1: the target does not conform**\n",
		"### CREATE-409-DUPLICATE (create · POST): Creating the same share again answers 409.\n\n- source: contract.md § Test: \"POST page, 409\"\n",
		"#### Failure 1 of 3: property: second bodies\n",                               // the rule is the heading's, once
		"#### Failure 2 of 3: [AUTH-401-MISSING-TOKEN] ... (update without a token)\n", // a name that is not the rule's words keeps them
		"Requirements: CREATE-409-DUPLICATE · at suites/writes_test.go:42\n",
		"- **Expected:** 409 Conflict\n- **Got:** 201 Created\n",
		"\n````sh\n# export SWR_TOKEN first\n", // a longer fence than the reproduction's ```
		"```text\n-ginkgo.seed=42 -ginkgo.focus='Create a share'\n```",
		"### AUTH-401-MISSING-TOKEN: A request without X-Auth-Token answers 401 and changes nothing.\n", // fails on no page it can tell
		"**SECURITY DEFECT** · Requirements: AUTH-401-MISSING-TOKEN",
		"```text\nPATCH without X-Auth-Token answered 401 Unauthorized, but the share changed\n```", // no evidence: the message
	} {
		if !strings.Contains(md, want) {
			t.Errorf("summary.md lacks %q:\n%s", want, md)
		}
	}
	// Inside a fence the text is kept as written ('|' and '<' unescaped).
	if !strings.Contains(md, "<b>not bold</b> | not a column\n```") {
		t.Error("the fenced response was changed")
	}
}

func TestMarkdownCutsLongMessageAtARune(t *testing.T) {
	long := strings.Repeat("€", 2000) // 6000 bytes; byte 4000 is inside a rune
	md := markdown(build(Meta{}, nil, types.Report{SpecReports: types.SpecReports{
		it("c", "x", types.SpecStateFailed, long),
	}}))
	if !utf8.ValidString(md) {
		t.Error("summary.md is not valid UTF-8 after the cut")
	}
	if !strings.Contains(md, strings.Repeat("€", 1333)+"\n... (cut here; the whole message is in results.json)") || strings.Contains(md, strings.Repeat("€", 1334)) {
		t.Error("the long message was not cut at the last whole rune before 4000 bytes")
	}
}

func TestHTML(t *testing.T) {
	page := read(t, written(t), "report.html")
	// Links within the page (href="#...") fetch nothing; any other href
	// would (TestHTMLLinksStayInThePage checks each leads to an element).
	for _, bad := range []string{"<link", " src=", "url(", "@import", "<img", "<iframe"} {
		if strings.Contains(page, bad) {
			t.Errorf("report.html contains %q: it must be self-contained", bad)
		}
	}
	// One script, the template's own (the Copy buttons), and the policy that
	// lets it alone run and nothing be fetched.
	if n := strings.Count(page, "<script"); n != 1 {
		t.Errorf("report.html has %d script elements, want the template's one: a failure message was not escaped", n)
	}
	if !strings.Contains(page, `<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; style-src &#39;unsafe-inline&#39;; script-src &#39;`+scriptHash(pageSource)+`&#39;`) {
		t.Errorf("report.html lacks the Content-Security-Policy that admits its script alone:\n%.600s", page)
	}
	if n, local := strings.Count(page, "href="), strings.Count(page, `href="#`); n != local {
		t.Errorf("report.html has %d links, %d of them within the page: it must be inert and self-contained", n, local)
	}
	for _, want := range []string{
		"<title>SWR conformance of https://swr-api.example.com: DOES NOT CONFORM</title>",
		`<div class="what">SWR image-sharing API conformance of https://swr-api.example.com</div>`,
		`<header class="banner bad">`,
		"&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; more",
		"&lt;b&gt;not bold&lt;/b&gt;",
		`<dt>Expected</dt><dd>409 Conflict</dd><dt>Got</dt><dd class="got">201 Created</dd>`,
		`<pre class="message">PATCH without X-Auth-Token answered 401 Unauthorized, but the share changed</pre>`, // no evidence: the message
		`<div class="exit">exit status 1: the target does not conform</div>`,
		"<b>SECURITY DEFECT</b>",
		`<td class="id">UPDATE-201</td>`,
		`<span class="v warn">not checked</span>`,
		`<span class="v bad">fail</span>`,
		"(37 cases, property seed 8675309)",
		"<b>0</b> no answer",
		`<span class="v off">never</span>`,
		"<td>content after a complete JSON object</td><td>ignored (201)</td><td>2</td>",
		"<h2>Problems of the run</h2>",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
}

// ---------------------------------------------------------------------------
// Secrets

func TestNoSecretInAnyFile(t *testing.T) {
	dir := written(t)
	for _, n := range fileNames {
		b := read(t, dir, n)
		for _, leak := range []string{"s3cr3t", secret, template.HTMLEscapeString(secret), strings.Trim(contract.QuoteJSON(secret, true), `"`)} {
			if strings.Contains(b, leak) {
				t.Errorf("%s contains the secret as %q", n, leak)
			}
		}
		// The panic quoted the secret: every file shows the panic.
		if !strings.Contains(b, "token [REDACTED]") {
			t.Errorf("%s: no [REDACTED] where the panic quoted the secret", n)
		}
	}
}

// A short secret must not rewrite the suite's own words: Write scrubs only
// what the run captured.
func TestShortSecretKeepsTheSuitesWords(t *testing.T) {
	reqs := []Requirement{{ID: "AUTH-401-MISSING-TOKEN", Sources: []contract.Citation{{Section: "Test", Quote: "both pages"}}, Text: "A request without a token answers 401.", Ops: ops("both")}}
	s := it("Credentials", "[AUTH-401-MISSING-TOKEN] A request without a token answers 401.", types.SpecStateFailed,
		"the token was not required: a request without X-Auth-Token answered 201", "AUTH-401-MISSING-TOKEN")
	s.CapturedStdOutErr = "printed by a library: tok\n"
	meta := Meta{Secrets: []string{"tok"}, Config: []KV{{"SWR_TOKEN", "[REDACTED] (a token of 3 characters)"}}}
	dir := writeTo(t, meta, reqs, types.Report{SpecReports: types.SpecReports{s}})
	for _, n := range fileNames {
		b := read(t, dir, n)
		if !strings.Contains(b, "token") || strings.Contains(b, "[REDACTED]en") {
			t.Errorf("%s: the word token was mangled by the secret \"tok\"", n)
		}
	}
	junit := read(t, dir, "junit.xml")
	if !strings.Contains(junit, "printed by a library: [REDACTED]") || strings.Contains(junit, "library: tok") {
		t.Error("junit.xml: the captured output still has the secret")
	}
	if j := Judge(meta, reqs, types.Report{SpecReports: types.SpecReports{s}}); j.Verdict != DoesNotConform {
		t.Errorf("verdict %q", j.Verdict)
	}
}

func TestWriteLeavesCallersReportAlone(t *testing.T) {
	r := testReport(t)
	meta := testMeta
	meta.RunProblems = make([]string, 1, 8) // room to append in place
	meta.RunProblems[0] = "cleanup failed"
	r.SpecReports[0] = with(r.SpecReports[0], raw(EntryRunProblem, RunProblem{What: "a spec's problem"}))
	writeTo(t, meta, testReqs, r)
	if extra := meta.RunProblems[:2][1]; extra != "" {
		t.Errorf("Write appended %q to the caller's Meta.RunProblems", extra)
	}
	if r.SpecReports[4].CapturedStdOutErr != "library debug: Authorization: "+secret+"\n" ||
		r.SpecReports[4].Failure.ForwardedPanic != "runtime error: index out of range; token "+secret ||
		r.SpecReports[2].CapturedGinkgoWriterOutput != "sent X-Auth-Token: "+secret+"\n" {
		t.Error("Write changed the caller's report while scrubbing")
	}
}

// ---------------------------------------------------------------------------
// Entries

func TestEntryEncodings(t *testing.T) {
	values := []struct {
		name   string
		v      any
		decode func(types.ReportEntry) (any, bool)
	}{
		{EntryNotChecked, NotChecked{Requirements: []string{"UPDATE-201"}, Cause: CauseRun, Reason: "the create before it failed", Remedy: "fix the create"},
			func(e types.ReportEntry) (any, bool) { return entry[NotChecked](e) }},
		{EntryFailed, Failed{Requirement: "AUTH-401-WRONG-TOKEN", SecurityDefect: true},
			func(e types.ReportEntry) (any, bool) { return entry[Failed](e) }},
		{EntryRunProblem, RunProblem{What: "cleanup failed"},
			func(e types.ReportEntry) (any, bool) { return entry[RunProblem](e) }},
		{EntryObservation, Observation{Point: "p", Choice: "c", Example: "POST /x"},
			func(e types.ReportEntry) (any, bool) { return entry[Observation](e) }},
		{EntryExchanges, Exchanges{Tallies: []Tally{{Operation: "create", Code: 201, Count: 3, Example: "POST /x"}, {Operation: "update", Code: 0, Count: 1, Example: "PATCH /y"}}},
			func(e types.ReportEntry) (any, bool) { return entry[Exchanges](e) }},
		{EntryProperty, Property{Label: "l", Cases: 100, NotChecked: 2, Seed: -5, RunSeed: 7},
			func(e types.ReportEntry) (any, bool) { return entry[Property](e) }},
	}
	for _, c := range values {
		ptr := reflect.New(reflect.TypeOf(c.v))
		ptr.Elem().Set(reflect.ValueOf(c.v))
		for form, e := range map[string]types.ReportEntry{
			"raw":     raw(c.name, c.v),
			"pointer": raw(c.name, ptr.Interface()),
			"json":    viaJSON(t, raw(c.name, c.v)),
		} {
			got, ok := c.decode(e)
			if !ok || !reflect.DeepEqual(got, c.v) {
				t.Errorf("%s as %s: got %+v %v, want %+v", c.name, form, got, ok, c.v)
			}
		}
	}
	// What is not the type is refused, not read as a zero value.
	for form, e := range map[string]types.ReportEntry{
		"raw string":     raw(EntryFailed, "CREATE-201"),
		"json string":    viaJSONString(t, raw(EntryFailed, "CREATE-201")),
		"nil pointer":    raw(EntryFailed, (*Failed)(nil)),
		"no value":       {Name: EntryFailed},
		"bad json":       {Name: EntryFailed, Value: types.ReportEntryValue{AsJSON: "{"}},
		"raw other type": raw(EntryFailed, RunProblem{What: "x"}),
	} {
		if got, ok := entry[Failed](e); ok {
			t.Errorf("%s read as Failed %+v", form, got)
		}
	}
}

// viaJSONString round-trips an entry through JSON, as parallel processes pass
// it; viaJSON also checks that its value came out as an object.
func viaJSONString(t *testing.T, e types.ReportEntry) types.ReportEntry {
	t.Helper()
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	var out types.ReportEntry
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// ---------------------------------------------------------------------------
// What each spec contributes to its requirements

type want struct {
	verdict RequirementVerdict
	cause   Cause  // of not_checked
	reason  string // in the requirement's reason
}

func TestContribution(t *testing.T) {
	reqs := []Requirement{{ID: "CREATE-201", Ops: ops("create")}, {ID: "CREATE-VISIBLE", Ops: ops("create")}, {ID: "UPDATE-201", Ops: ops("update")}}
	two := []string{"create", "CREATE-201", "CREATE-VISIBLE"} // a group label and two requirements
	pass := RequirementVerdict(Pass)
	cases := []struct {
		name    string
		specs   func(e ent) types.SpecReports
		special []string // SpecialSuiteFailureReasons
		want    map[string]want
	}{
		{"passed spec: its requirements pass", func(e ent) types.SpecReports {
			return types.SpecReports{it("c", "x", types.SpecStatePassed, "", two...)}
		}, nil, map[string]want{"CREATE-201": {pass, "", ""}, "CREATE-VISIBLE": {pass, "", ""}, "UPDATE-201": {Unchecked, CauseConfiguration, "no spec checks it in this run"}}},

		{"container label links a requirement", func(e ent) types.SpecReports {
			s := it("c", "x", types.SpecStatePassed, "", "CREATE-201")
			s.ContainerHierarchyLabels = [][]string{{"UPDATE-201"}}
			return types.SpecReports{s}
		}, nil, map[string]want{"CREATE-201": {pass, "", ""}, "UPDATE-201": {pass, "", ""}, "CREATE-VISIBLE": {Unchecked, CauseConfiguration, "no spec"}}},

		{"passed spec, NotChecked naming one requirement", func(e ent) types.SpecReports {
			return types.SpecReports{with(it("c", "x", types.SpecStatePassed, "", two...),
				e(EntryNotChecked, NotChecked{Requirements: []string{"CREATE-VISIBLE"}, Cause: CauseConfiguration, Reason: "the target offers no show", Remedy: "a target with show"}))}
		}, nil, map[string]want{"CREATE-201": {pass, "", ""}, "CREATE-VISIBLE": {Unchecked, CauseConfiguration, "the target offers no show; to check it: a target with show"}}},

		{"passed spec, NotChecked without requirements: all of the spec's", func(e ent) types.SpecReports {
			return types.SpecReports{with(it("c", "x", types.SpecStatePassed, "", two...),
				e(EntryNotChecked, NotChecked{Cause: CauseRun, Reason: "no answer three times"}))}
		}, nil, map[string]want{"CREATE-201": {Unchecked, CauseRun, "no answer three times"}, "CREATE-VISIBLE": {Unchecked, CauseRun, "no answer three times"}}},

		{"passed spec, NotChecked naming a requirement it does not carry", func(e ent) types.SpecReports {
			return types.SpecReports{with(it("c", "x", types.SpecStatePassed, "", two...),
				e(EntryNotChecked, NotChecked{Requirements: []string{"UPDATE-201"}, Cause: CauseRun, Reason: "r"}))}
		}, nil, map[string]want{"CREATE-201": {pass, "", ""}, "CREATE-VISIBLE": {pass, "", ""}, "UPDATE-201": {Unchecked, CauseConfiguration, "no spec"}}},

		{"failed spec without Failed entry: every requirement fails", func(e ent) types.SpecReports {
			return types.SpecReports{it("c", "x", types.SpecStateFailed, "expected 201, got 500", two...)}
		}, nil, map[string]want{"CREATE-201": {Fail, "", "1 of 1 specs failed"}, "CREATE-VISIBLE": {Fail, "", "1 of 1 specs failed"}}},

		{"failed spec with Failed entry: the others are not checked (run)", func(e ent) types.SpecReports {
			return types.SpecReports{with(it("c", "x", types.SpecStateFailed, "got 500", two...),
				e(EntryFailed, Failed{Requirement: "CREATE-201"}))}
		}, nil, map[string]want{"CREATE-201": {Fail, "", "1 of 1 specs failed"}, "CREATE-VISIBLE": {Unchecked, CauseRun, `its spec "x" stopped at the failure of CREATE-201`}}},

		{"failed spec: a requirement whose check passed before another's failed passes", func(e ent) types.SpecReports {
			return types.SpecReports{with(it("c", "x", types.SpecStateFailed, "the 401 still created the share", two...),
				e(EntryPassed, Passed{Requirement: "CREATE-201"}), e(EntryFailed, Failed{Requirement: "CREATE-VISIBLE"}))}
		}, nil, map[string]want{"CREATE-201": {pass, "", ""}, "CREATE-VISIBLE": {Fail, "", "1 of 1 specs failed"}}},

		{"failed spec: a pass does not undo the failure of the same requirement", func(e ent) types.SpecReports {
			return types.SpecReports{with(it("c", "x", types.SpecStateFailed, "second case failed", two...),
				e(EntryPassed, Passed{Requirement: "CREATE-201"}), e(EntryFailed, Failed{Requirement: "CREATE-201"}))}
		}, nil, map[string]want{"CREATE-201": {Fail, "", "1 of 1 specs failed"}, "CREATE-VISIBLE": {Unchecked, CauseRun, "stopped at the failure of CREATE-201"}}},

		{"skipped spec: a requirement whose check passed before another's could not be made passes", func(e ent) types.SpecReports {
			return types.SpecReports{with(it("c", "x", types.SpecStateSkipped, "no show", two...),
				e(EntryPassed, Passed{Requirement: "CREATE-201"}), e(EntryNotChecked, NotChecked{Requirements: []string{"CREATE-VISIBLE"}, Cause: CauseConfiguration, Reason: "no show"}))}
		}, nil, map[string]want{"CREATE-201": {pass, "", ""}, "CREATE-VISIBLE": {Unchecked, CauseConfiguration, "no show"}}},

		{"failed spec with Failed and NotChecked entries", func(e ent) types.SpecReports {
			return types.SpecReports{with(it("c", "x", types.SpecStateFailed, "got 500", two...),
				e(EntryNotChecked, NotChecked{Requirements: []string{"CREATE-VISIBLE"}, Cause: CauseConfiguration, Reason: "no show"}),
				e(EntryFailed, Failed{Requirement: "CREATE-201"}))}
		}, nil, map[string]want{"CREATE-201": {Fail, "", ""}, "CREATE-VISIBLE": {Unchecked, CauseConfiguration, "no show"}}},

		{"failed spec with a Failed entry per requirement", func(e ent) types.SpecReports {
			return types.SpecReports{with(it("c", "x", types.SpecStateFailed, "got 500", two...),
				e(EntryFailed, Failed{Requirement: "CREATE-201"}), e(EntryFailed, Failed{Requirement: "CREATE-VISIBLE"}))}
		}, nil, map[string]want{"CREATE-201": {Fail, "", ""}, "CREATE-VISIBLE": {Fail, "", ""}}},

		{"aborted and panicked specs fail", func(e ent) types.SpecReports {
			return types.SpecReports{it("c", "x", types.SpecStateAborted, "abort", "CREATE-201"), it("c", "y", types.SpecStatePanicked, "panic", "CREATE-VISIBLE")}
		}, nil, map[string]want{"CREATE-201": {Fail, "", ""}, "CREATE-VISIBLE": {Fail, "", ""}}},

		{"skipped spec without entry: the skip message, configuration", func(e ent) types.SpecReports {
			return types.SpecReports{it("c", "x", types.SpecStateSkipped, "existing-fixture mode has no second share", two...)}
		}, nil, map[string]want{"CREATE-201": {Unchecked, CauseConfiguration, "existing-fixture mode has no second share"}, "CREATE-VISIBLE": {Unchecked, CauseConfiguration, "existing-fixture mode has no second share"}}},

		{"skipped spec: its NotChecked entry applies", func(e ent) types.SpecReports {
			return types.SpecReports{with(it("c", "x", types.SpecStateSkipped, "not checked: the create before it failed", two...),
				e(EntryNotChecked, NotChecked{Cause: CauseRun, Reason: "the create before it failed", Remedy: "fix the create"}))}
		}, nil, map[string]want{"CREATE-201": {Unchecked, CauseRun, "the create before it failed; to check it: fix the create"}, "CREATE-VISIBLE": {Unchecked, CauseRun, "the create before it failed"}}},

		{"skipped spec: a NotChecked entry for one requirement stops the others too", func(e ent) types.SpecReports {
			return types.SpecReports{with(it("c", "x", types.SpecStateSkipped, "stopped", two...),
				e(EntryNotChecked, NotChecked{Requirements: []string{"CREATE-201"}, Cause: CauseRun, Reason: "no answer"}))}
		}, nil, map[string]want{"CREATE-201": {Unchecked, CauseRun, "no answer"}, "CREATE-VISIBLE": {Unchecked, CauseRun, "no answer"}}},

		{"pending spec: not checked", func(e ent) types.SpecReports {
			return types.SpecReports{it("c", "x", types.SpecStatePending, "", "CREATE-201")}
		}, nil, map[string]want{"CREATE-201": {Unchecked, CauseConfiguration, "pending"}}},

		{"filtered-out spec: not run, configuration", func(e ent) types.SpecReports {
			return types.SpecReports{it("c", "x", types.SpecStateSkipped, "", two...), it("c", "y", types.SpecStatePassed, "", "UPDATE-201")}
		}, nil, map[string]want{"CREATE-201": {Unchecked, CauseConfiguration, "filtered out"}, "CREATE-VISIBLE": {Unchecked, CauseConfiguration, "filtered out"}, "UPDATE-201": {pass, "", ""}}},

		{"spec not run after an interrupted one: run", func(e ent) types.SpecReports {
			return types.SpecReports{it("c", "y", types.SpecStateInterrupted, "interrupted by user", "UPDATE-201"), it("c", "x", types.SpecStateSkipped, "", two...)}
		}, nil, map[string]want{"CREATE-201": {Unchecked, CauseRun, "the run was stopped before its spec (interrupted)"}, "UPDATE-201": {Unchecked, CauseRun, "the run was stopped while its spec ran (interrupted)"}}},

		{"spec not run, suite interrupted: run", func(e ent) types.SpecReports {
			return types.SpecReports{it("c", "x", types.SpecStateSkipped, "", two...)}
		}, []string{"Interrupted by User"}, map[string]want{"CREATE-201": {Unchecked, CauseRun, "stopped before its spec (Interrupted by User)"}}},

		{"spec not run, suite timed out: run", func(e ent) types.SpecReports {
			return types.SpecReports{it("c", "x", types.SpecStateSkipped, "", two...)}
		}, []string{"Suite Timeout Elapsed"}, map[string]want{"CREATE-VISIBLE": {Unchecked, CauseRun, "stopped before its spec (Suite Timeout Elapsed)"}}},

		{"spec not run, suite failed otherwise: configuration", func(e ent) types.SpecReports {
			return types.SpecReports{it("c", "x", types.SpecStateSkipped, "", two...)}
		}, []string{"Detected pending specs and --fail-on-pending is set"}, map[string]want{"CREATE-VISIBLE": {Unchecked, CauseConfiguration, "filtered out"}}},

		{"interrupted spec: not checked, run, whatever it recorded", func(e ent) types.SpecReports {
			return types.SpecReports{with(it("c", "x", types.SpecStateInterrupted, "interrupted by user", two...),
				e(EntryFailed, Failed{Requirement: "CREATE-201"}))}
		}, nil, map[string]want{"CREATE-201": {Unchecked, CauseRun, "while its spec ran (interrupted)"}, "CREATE-VISIBLE": {Unchecked, CauseRun, "interrupted"}}},

		{"timed-out spec: not checked, run", func(e ent) types.SpecReports {
			return types.SpecReports{it("c", "x", types.SpecStateTimedout, "timeout", two...)}
		}, nil, map[string]want{"CREATE-201": {Unchecked, CauseRun, "while its spec ran (SWR_RUN_TIMEOUT reached); to check it: a longer SWR_RUN_TIMEOUT"}}},

		{"one spec passes, another is filtered out: not checked", func(e ent) types.SpecReports {
			return types.SpecReports{it("c", "x", types.SpecStatePassed, "", "CREATE-201"), it("c", "y", types.SpecStateSkipped, "", "CREATE-201")}
		}, nil, map[string]want{"CREATE-201": {Unchecked, CauseConfiguration, "filtered out"}}},

		{"one spec passes, another fails: fail", func(e ent) types.SpecReports {
			return types.SpecReports{it("c", "x", types.SpecStatePassed, "", "CREATE-201"), it("c", "y", types.SpecStateFailed, "got 500", "CREATE-201"),
				it("c", "z", types.SpecStateSkipped, "no show", "CREATE-201")}
		}, nil, map[string]want{"CREATE-201": {Fail, "", "1 of 3 specs failed"}}},

		{"reasons merge, run outweighs configuration", func(e ent) types.SpecReports {
			return types.SpecReports{
				it("c", "x", types.SpecStateSkipped, "no show", "CREATE-201"),
				it("c", "y", types.SpecStateSkipped, "no show", "CREATE-201"),
				with(it("c", "z", types.SpecStatePassed, "", "CREATE-201"), e(EntryNotChecked, NotChecked{Cause: CauseRun, Reason: "no answer", Remedy: "a reachable target"})),
			}
		}, nil, map[string]want{"CREATE-201": {Unchecked, CauseRun, "no show; no answer; to check it: a reachable target"}}},

		{"suite nodes check no requirement", func(e ent) types.SpecReports {
			return types.SpecReports{{LeafNodeType: types.NodeTypeAfterSuite, LeafNodeLabels: []string{"CREATE-201"}, State: types.SpecStatePassed}}
		}, nil, map[string]want{"CREATE-201": {Unchecked, CauseConfiguration, "no spec checks it"}}},
	}
	encodings(t, func(t *testing.T, e ent) {
		for _, c := range cases {
			m := build(Meta{}, reqs, types.Report{SpecReports: c.specs(e), SpecialSuiteFailureReasons: c.special})
			for id, w := range c.want {
				var ro *RequirementResult
				for _, r := range m.Requirements {
					if r.ID == id {
						ro = r
					}
				}
				var cause Cause
				if ro.NotChecked != nil {
					cause = ro.NotChecked.Cause
				}
				if ro.Verdict != w.verdict || cause != w.cause || !strings.Contains(ro.Reason, w.reason) {
					t.Errorf("%s: %s is %q (%q) %q, want %q (%q) with %q", c.name, id, ro.Verdict, cause, ro.Reason, w.verdict, w.cause, w.reason)
				}
			}
		}
	})
}

// ---------------------------------------------------------------------------
// The run's verdict and exit status

func TestVerdict(t *testing.T) {
	reqs := []Requirement{{ID: "CREATE-201", Ops: ops("create")}, {ID: "CREATE-409-DUPLICATE", Ops: ops("create")}}
	pass := func(id string) types.SpecReport { return it("Create", "["+id+"] x", types.SpecStatePassed, "", id) }
	filtered := it("Create", "[CREATE-409-DUPLICATE] y", types.SpecStateSkipped, "", "CREATE-409-DUPLICATE")
	cases := []struct {
		name      string
		meta      Meta
		succeeded bool
		special   []string
		specs     func(e ent) types.SpecReports
		verdict   Verdict
		exit      int
		reasons   []string // each in some reason
	}{
		{"every requirement passes", Meta{}, true, nil, func(e ent) types.SpecReports {
			return types.SpecReports{pass("CREATE-201"), pass("CREATE-409-DUPLICATE")}
		}, Conforms, 0, []string{"every requirement was checked and none failed (2 requirements, 2 specs)"}},

		{"a failing requirement", Meta{}, false, nil, func(e ent) types.SpecReports {
			return types.SpecReports{pass("CREATE-201"), it("Create", "[CREATE-409-DUPLICATE] y", types.SpecStateFailed, "got 201", "CREATE-409-DUPLICATE")}
		}, DoesNotConform, 1, []string{"1 of 2 requirements fail: CREATE-409-DUPLICATE"}},

		{"a security defect", Meta{}, false, nil, func(e ent) types.SpecReports {
			return types.SpecReports{pass("CREATE-201"), with(it("Create", "[CREATE-409-DUPLICATE] y", types.SpecStateFailed, "401 but wrote", "CREATE-409-DUPLICATE"),
				e(EntryFailed, Failed{Requirement: "CREATE-409-DUPLICATE", SecurityDefect: true}))}
		}, DoesNotConform, 1, []string{"SECURITY DEFECT: a request without valid credentials was served, or answered 401 and still took effect (CREATE-409-DUPLICATE)", "1 of 2 requirements fail"}},

		{"a failed It checking no requirement", Meta{}, false, nil, func(e ent) types.SpecReports {
			return types.SpecReports{pass("CREATE-201"), pass("CREATE-409-DUPLICATE"), it("Other", "unlabelled", types.SpecStateFailed, "boom", "create")}
		}, DoesNotConform, 1, []string{"1 failed specs check no listed requirement"}},

		{"a failure beats an interrupt", Meta{}, false, []string{"Interrupted by User"}, func(e ent) types.SpecReports {
			return types.SpecReports{it("Create", "[CREATE-201] x", types.SpecStateFailed, "got 500", "CREATE-201"),
				it("Create", "[CREATE-409-DUPLICATE] y", types.SpecStateInterrupted, "interrupted", "CREATE-409-DUPLICATE")}
		}, DoesNotConform, 1, []string{"CREATE-409-DUPLICATE not checked (run)"}},

		{"filtered out only: incomplete, exit 0", Meta{}, true, nil, func(e ent) types.SpecReports {
			return types.SpecReports{pass("CREATE-201"), filtered}
		}, Incomplete, 0, []string{"not every requirement was checked", "CREATE-409-DUPLICATE not checked (configuration): its specs were filtered out"}},

		{"skipped by the configuration: incomplete, exit 0", Meta{}, true, nil, func(e ent) types.SpecReports {
			return types.SpecReports{pass("CREATE-201"), it("Create", "y", types.SpecStateSkipped, "existing-fixture mode", "CREATE-409-DUPLICATE")}
		}, Incomplete, 0, []string{"CREATE-409-DUPLICATE not checked (configuration): existing-fixture mode"}},

		{"a requirement without spec: incomplete, exit 0", Meta{}, true, nil, func(e ent) types.SpecReports {
			return types.SpecReports{pass("CREATE-201")}
		}, Incomplete, 0, []string{"CREATE-409-DUPLICATE not checked (configuration): no spec checks it in this run"}},

		{"RequireComplete: incomplete, exit 3", Meta{RequireComplete: true}, true, nil, func(e ent) types.SpecReports {
			return types.SpecReports{pass("CREATE-201"), filtered}
		}, Incomplete, 3, []string{"not every requirement was checked"}},

		{"RequireComplete with everything checked: conforms", Meta{RequireComplete: true}, true, nil, func(e ent) types.SpecReports {
			return types.SpecReports{pass("CREATE-201"), pass("CREATE-409-DUPLICATE")}
		}, Conforms, 0, nil},

		{"not checked for a cause of the run: exit 3", Meta{}, true, nil, func(e ent) types.SpecReports {
			return types.SpecReports{pass("CREATE-201"), with(it("Create", "y", types.SpecStateSkipped, "the create before it failed", "CREATE-409-DUPLICATE"),
				e(EntryNotChecked, NotChecked{Cause: CauseRun, Reason: "the create before it failed"}))}
		}, Incomplete, 3, []string{"CREATE-409-DUPLICATE not checked (run): the create before it failed"}},

		{"interrupted: exit 3", Meta{}, false, []string{"Interrupted by User"}, func(e ent) types.SpecReports {
			return types.SpecReports{pass("CREATE-201"), it("Create", "y", types.SpecStateInterrupted, "interrupted", "CREATE-409-DUPLICATE")}
		}, Incomplete, 3, []string{"run problem: Interrupted by User"}},

		{"a run problem entry, everything passing: exit 3", Meta{}, true, nil, func(e ent) types.SpecReports {
			return types.SpecReports{with(pass("CREATE-201"), e(EntryRunProblem, RunProblem{What: "cleanup of ns/app failed\ndetails"})), pass("CREATE-409-DUPLICATE")}
		}, Incomplete, 3, []string{"run problem: cleanup of ns/app failed"}},

		{"a run problem of the meta: exit 3", Meta{RunProblems: []string{"cleanup at the end of the run failed"}}, true, nil, func(e ent) types.SpecReports {
			return types.SpecReports{pass("CREATE-201"), pass("CREATE-409-DUPLICATE")}
		}, Incomplete, 3, []string{"run problem: cleanup at the end of the run failed"}},

		{"a failed suite node: exit 3", Meta{}, false, nil, func(e ent) types.SpecReports {
			return types.SpecReports{pass("CREATE-201"), pass("CREATE-409-DUPLICATE"),
				{LeafNodeType: types.NodeTypeAfterSuite, State: types.SpecStateFailed, Failure: types.Failure{Message: "cleanup failed\nmore"}}}
		}, Incomplete, 3, []string{"run problem: AfterSuite: cleanup failed"}},

		{"a failed BeforeSuite, no spec ran: exit 3", Meta{}, false, nil, func(e ent) types.SpecReports {
			return types.SpecReports{{LeafNodeType: types.NodeTypeBeforeSuite, State: types.SpecStateFailed, Failure: types.Failure{Message: "target unreachable"}}}
		}, Incomplete, 3, []string{"run problem: BeforeSuite: target unreachable"}},

		{"a special suite failure, no failed It: exit 3", Meta{}, false, []string{"Detected no specs ran and --fail-on-empty is set"}, func(e ent) types.SpecReports {
			return types.SpecReports{pass("CREATE-201"), pass("CREATE-409-DUPLICATE")}
		}, Incomplete, 3, []string{"run problem: Detected no specs ran"}},

		{"no run: exit 2, nothing checked", Meta{NoRun: "SWR_ENDPOINT https://x: dial tcp: connection refused\nmore"}, false, nil, func(e ent) types.SpecReports {
			return nil
		}, NoRun, 2, []string{"SWR_ENDPOINT https://x: dial tcp: connection refused"}},

		{"no run wins over passing specs", Meta{NoRun: "stopped"}, true, nil, func(e ent) types.SpecReports {
			return types.SpecReports{pass("CREATE-201"), pass("CREATE-409-DUPLICATE")}
		}, NoRun, 2, []string{"stopped"}},
	}
	encodings(t, func(t *testing.T, e ent) {
		for _, c := range cases {
			r := types.Report{SuiteSucceeded: c.succeeded, SpecialSuiteFailureReasons: c.special, SpecReports: c.specs(e)}
			j := Judge(c.meta, reqs, r)
			if j.Verdict != c.verdict || j.ExitCode != c.exit {
				t.Errorf("%s: %q exit %d (%q), want %q exit %d", c.name, j.Verdict, j.ExitCode, j.Reasons, c.verdict, c.exit)
			}
			all := strings.Join(j.Reasons, "\n")
			for _, w := range c.reasons {
				if !strings.Contains(all, w) {
					t.Errorf("%s: reasons lack %q:\n%s", c.name, w, all)
				}
			}
			dir := writeTo(t, c.meta, reqs, r)
			var ju reporters.JUnitTestSuites
			if err := xml.Unmarshal([]byte(read(t, dir, "junit.xml")), &ju); err != nil {
				t.Fatalf("%s: junit.xml: %v", c.name, err)
			}
			if p := j2props(ju); len(p) < 2 || p[0].Value != string(j.Verdict) || p[1].Value != fmt.Sprint(j.ExitCode) {
				t.Errorf("%s: junit.xml properties %+v, Judge %q %d", c.name, p, j.Verdict, j.ExitCode)
			}
			res := readResults(t, dir)
			if res.Verdict != j.Verdict || res.ExitCode != j.ExitCode || !reflect.DeepEqual(res.Reasons, j.Reasons) {
				t.Errorf("%s: results.json says %q %d %q, Judge %q %d %q", c.name, res.Verdict, res.ExitCode, res.Reasons, j.Verdict, j.ExitCode, j.Reasons)
			}
			if c.verdict == NoRun {
				for _, rq := range res.Requirements {
					if rq.Verdict != Unchecked || rq.NotChecked == nil || !strings.Contains(rq.Reason, "the run stopped before its first spec") {
						t.Errorf("%s: %s is %q (%+v)", c.name, rq.ID, rq.Verdict, rq.NotChecked)
					}
				}
			}
			if c.verdict == Conforms && len(res.RunProblems) != 0 {
				t.Errorf("%s: conforms with run problems %q", c.name, res.RunProblems)
			}
		}
	})
}

func TestRunProblemsListedOnce(t *testing.T) {
	encodings(t, func(t *testing.T, e ent) {
		p := func(what string) types.ReportEntry { return e(EntryRunProblem, RunProblem{What: what}) }
		meta := Meta{RunProblems: []string{"cleanup of ns/app failed", ""}}
		r := types.Report{SpecReports: types.SpecReports{
			with(it("c", "a", types.SpecStatePassed, ""), p("cleanup of ns/app failed"), p("share account lost")),
			with(it("c", "b", types.SpecStatePassed, ""), p("share account lost")),
		}}
		res := readResults(t, writeTo(t, meta, nil, r))
		if want := []string{"cleanup of ns/app failed", "share account lost"}; !reflect.DeepEqual(res.RunProblems, want) {
			t.Errorf("run problems %q, want %q", res.RunProblems, want)
		}
		if res.Verdict != Incomplete || res.ExitCode != 3 {
			t.Errorf("%q exit %d, want incomplete 3", res.Verdict, res.ExitCode)
		}
	})
}

func TestSecurityDefectInEveryReport(t *testing.T) {
	reqs := []Requirement{{ID: "AUTH-401-WRONG-TOKEN", Text: "A wrong token answers 401 and changes nothing.", Ops: ops("both")}}
	r := types.Report{SpecReports: types.SpecReports{with(it("Credentials", "[AUTH-401-WRONG-TOKEN] (update)", types.SpecStateFailed, "401 but the share changed", "AUTH-401-WRONG-TOKEN"),
		viaJSON(t, raw(EntryFailed, Failed{Requirement: "AUTH-401-WRONG-TOKEN", SecurityDefect: true})))}}
	dir := writeTo(t, Meta{}, reqs, r)
	res := readResults(t, dir)
	if len(res.Requirements) != 1 || !res.Requirements[0].SecurityDefect || res.Requirements[0].Verdict != Fail {
		t.Errorf("requirements %+v: want a failing one with security_defect", res.Requirements)
	}
	for _, n := range fileNames[1:] { // junit.xml is Ginkgo's
		if !strings.Contains(read(t, dir, n), "SECURITY DEFECT") {
			t.Errorf("%s does not say SECURITY DEFECT", n)
		}
	}
}

// In a dry run Ginkgo reports every spec passed, but nothing was sent. The
// verdict itself is not asserted: today it is "conforms", which contradicts
// contract §7 ("every requirement was checked"); see the hand-off.
func TestDryRun(t *testing.T) {
	reqs := []Requirement{{ID: "CREATE-201", Ops: ops("create")}}
	r := types.Report{SuiteSucceeded: true, SuiteConfig: types.SuiteConfig{DryRun: true},
		SpecReports: types.SpecReports{it("Create", "[CREATE-201] x", types.SpecStatePassed, "", "CREATE-201")}}
	j := Judge(Meta{}, reqs, r)
	if j.ExitCode != 0 || j.Verdict == DoesNotConform {
		t.Errorf("dry run: %q exit %d", j.Verdict, j.ExitCode)
	}
	res := readResults(t, writeTo(t, Meta{}, reqs, r))
	if !reflect.DeepEqual(res.Warnings, []string{"dry run: nothing was sent to the target"}) || res.ExitCode != j.ExitCode {
		t.Errorf("dry run: warnings %q exit %d", res.Warnings, res.ExitCode)
	}
}

// ---------------------------------------------------------------------------
// Status codes and observations

func TestStatusCodes(t *testing.T) {
	encodings(t, func(t *testing.T, e ent) {
		x := func(ts ...Tally) types.ReportEntry { return e(EntryExchanges, Exchanges{Tallies: ts}) }
		r := types.Report{SpecReports: types.SpecReports{
			with(it("c", "a", types.SpecStatePassed, ""),
				x(Tally{Operation: "create", Code: 201, Count: 3, Example: "POST /a"}, Tally{Operation: "create", Code: 400, Count: 1, Example: "POST /bad"}, Tally{Operation: "create", Code: 0, Count: 2, Example: "POST /a (no answer)"},
					Tally{Operation: "update", Code: 201, Count: 1, Example: "PATCH /a"}, Tally{Operation: "update", Code: 404, Count: 2, Example: "PATCH /missing"})),
			with(it("c", "b", types.SpecStateFailed, "got 418"),
				x(Tally{Operation: "create", Code: 201, Count: 2, Example: "POST /b"}, Tally{Operation: "create", Code: 418, Count: 1, Example: "POST /teapot"}, Tally{Operation: "update", Code: 404, Count: 1, Example: "PATCH /other"},
					Tally{Operation: "show", Code: 200, Count: 5, Example: "GET /a"})), // not one of the two operations
			with(it("c", "c", types.SpecStateSkipped, "no show"), x(Tally{Operation: "create", Code: 409, Count: 1, Example: "POST /a again"})),
			with(types.SpecReport{LeafNodeType: types.NodeTypeAfterSuite, State: types.SpecStatePassed}, x(Tally{Operation: "update", Code: 500, Count: 1, Example: "PATCH /cleanup"})),
		}}
		want := []OperationCodes{
			{"create", []CodeSeen{
				{Code: 201, Documented: true, Seen: 5, Example: "POST /a"}, {Code: 400, Documented: true, Seen: 1, Example: "POST /bad"}, {Code: 401, Documented: true, Seen: 0, Example: ""}, {Code: 409, Documented: true, Seen: 1, Example: "POST /a again"}, {Code: 500, Documented: true, Seen: 0, Example: ""},
				{Code: 0, Documented: false, Seen: 2, Example: "POST /a (no answer)"}, {Code: 418, Documented: false, Seen: 1, Example: "POST /teapot"},
			}},
			{"update", []CodeSeen{
				{Code: 201, Documented: true, Seen: 1, Example: "PATCH /a"}, {Code: 400, Documented: true, Seen: 0, Example: ""}, {Code: 401, Documented: true, Seen: 0, Example: ""}, {Code: 500, Documented: true, Seen: 1, Example: "PATCH /cleanup"},
				{Code: 404, Documented: false, Seen: 3, Example: "PATCH /missing"},
			}},
		}
		dir := writeTo(t, Meta{}, nil, r)
		if got := readResults(t, dir).StatusCodes; !reflect.DeepEqual(got, want) {
			t.Errorf("status codes\n%+v\nwant\n%+v", got, want)
		}
		md := read(t, dir, "summary.md")
		for _, row := range []string{
			"| create | 401 Unauthorized | yes | never | - |",
			"| create | 0 no answer | no | 2 | POST /a (no answer) |",
			"| create | 418 I'm a teapot | no | 1 | POST /teapot |",
			"| update | 404 Not Found | no | 3 | PATCH /missing |",
		} {
			if !strings.Contains(md, row) {
				t.Errorf("summary.md lacks %q", row)
			}
		}
		if strings.Contains(md, "| show |") {
			t.Error("summary.md counts an operation other than create and update")
		}
	})
}

func TestStatusCodesWithoutExchanges(t *testing.T) {
	m := build(Meta{}, nil, types.Report{})
	if len(m.StatusCodes) != 2 || len(m.StatusCodes[0].Codes) != 5 || len(m.StatusCodes[1].Codes) != 4 {
		t.Fatalf("status codes %+v: want every documented code of both operations", m.StatusCodes)
	}
	for _, oc := range m.StatusCodes {
		for _, c := range oc.Codes {
			if !c.Documented || c.Seen != 0 || c.Example != "" {
				t.Errorf("%s %+v: want documented, never seen", oc.Operation, c)
			}
		}
	}
}

func TestObservations(t *testing.T) {
	encodings(t, func(t *testing.T, e ent) {
		o := func(p, c, ex string) types.ReportEntry { return e(EntryObservation, Observation{p, c, ex}) }
		meta := Meta{Observations: []Observation{{"show of a missing share", "404 Not Found", "GET /x"}}}
		r := types.Report{SpecReports: types.SpecReports{
			with(it("c", "a", types.SpecStatePassed, ""), o("trailing content", "rejected (400)", "POST {}x"), o("show of a missing share", "404 Not Found", "GET /y")),
			with(it("c", "b", types.SpecStateFailed, "f"), o("trailing content", "ignored (201)", "POST {}[]"), o("trailing content", "rejected (400)", "POST {}{}")),
			with(it("c", "c", types.SpecStateSkipped, "s"), o("duplicate keys", "last wins", "POST {a,a}")),
		}}
		want := []ObservedPoint{
			{"show of a missing share", []Choice{{"404 Not Found", 2, "GET /x"}}},
			{"trailing content", []Choice{{"ignored (201)", 1, "POST {}[]"}, {"rejected (400)", 2, "POST {}x"}}},
			{"duplicate keys", []Choice{{"last wins", 1, "POST {a,a}"}}},
		}
		dir := writeTo(t, meta, nil, r)
		if got := readResults(t, dir).Observations; !reflect.DeepEqual(got, want) {
			t.Errorf("observations\n%+v\nwant\n%+v", got, want)
		}
		if md := read(t, dir, "summary.md"); !strings.Contains(md, "| trailing content | rejected (400) | 2 | POST {}x |") {
			t.Errorf("summary.md lacks the observation row:\n%s", md)
		}
	})
}

func TestNoObservations(t *testing.T) {
	dir := writeTo(t, Meta{}, nil, types.Report{})
	if md := read(t, dir, "summary.md"); strings.Contains(md, "## Observations") {
		t.Error("summary.md has an Observations section without observations")
	}
	if page := read(t, dir, "report.html"); !strings.Contains(page, "<p>None recorded.</p>") || !strings.Contains(page, "<p>No spec failed.</p>") {
		t.Error("report.html does not say that nothing was observed and nothing failed")
	}
}
