package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/swr-conformance/swr-conformance/internal/contract"
)

// ---------------------------------------------------------------------------
// results.schema.json: every results.json the tests write (writeTo) is
// checked against it twice. A JSON Schema validator (santhosh-tekuri/
// jsonschema, draft 2020-12) checks the types, the required properties and
// the enumerations; and schemaDescribes checks the other way round, that
// every property written is one the schema describes. The schema itself
// allows properties it does not know, so that a CI user's copy of it keeps
// validating the files of a later suite of the same schema version; the
// second check keeps the schema complete all the same.

const schemaFile = "results.schema.json"

var resultsSchema = sync.OnceValues(func() (*schemaDoc, error) {
	raw, err := os.ReadFile(schemaFile)
	if err != nil {
		return nil, err
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", schemaFile, err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat() // start_time is a date-time
	if err := c.AddResource(schemaFile, doc); err != nil {
		return nil, err
	}
	compiled, err := c.Compile(schemaFile)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", schemaFile, err)
	}
	var tree map[string]any
	if err := json.Unmarshal(raw, &tree); err != nil {
		return nil, err
	}
	return &schemaDoc{compiled: compiled, tree: tree}, nil
})

type schemaDoc struct {
	compiled *jsonschema.Schema
	tree     map[string]any // the schema as JSON, for schemaDescribes
}

// checkSchema fails t when results.json (data) does not hold to the schema.
func checkSchema(t *testing.T, data []byte) {
	t.Helper()
	if err := schemaErrors(data); err != nil {
		t.Errorf("results.json does not hold to %s: %v", schemaFile, err)
	}
}

// schemaErrors says how data breaks the schema, or nil.
func schemaErrors(data []byte) error {
	s, err := resultsSchema()
	if err != nil {
		return err
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return err
	}
	if err := s.compiled.Validate(inst); err != nil {
		return err
	}
	var undescribed []string
	s.describes(s.tree, inst, "", &undescribed)
	if len(undescribed) > 0 {
		return fmt.Errorf("properties the schema does not describe: %s", strings.Join(undescribed, ", "))
	}
	return nil
}

// describes walks the instance beside the schema node that describes it
// and lists each property of an object that the node (with its $ref and
// allOf) does not name.
func (s *schemaDoc) describes(node map[string]any, inst any, at string, out *[]string) {
	node = s.resolve(node)
	switch v := inst.(type) {
	case map[string]any:
		props := map[string]map[string]any{}
		s.collect(node, props)
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			p, ok := props[k]
			if !ok {
				if !slices.Contains(*out, at+"/"+k) {
					*out = append(*out, at+"/"+k)
				}
				continue
			}
			s.describes(p, v[k], at+"/"+k, out)
		}
	case []any:
		items, _ := node["items"].(map[string]any)
		if items == nil {
			return
		}
		for _, x := range v {
			s.describes(items, x, at+"/*", out)
		}
	}
}

// collect gathers the properties a node names, its allOf's included.
func (s *schemaDoc) collect(node map[string]any, props map[string]map[string]any) {
	node = s.resolve(node)
	if ps, ok := node["properties"].(map[string]any); ok {
		for k, p := range ps {
			if pm, ok := p.(map[string]any); ok {
				if old, seen := props[k]; seen {
					// A property named twice (a failure's outcome beside the
					// spec's): the node with a type describes what is inside.
					if _, typed := s.resolve(old)["type"]; typed {
						continue
					}
				}
				props[k] = pm
			}
		}
	}
	if all, ok := node["allOf"].([]any); ok {
		for _, a := range all {
			if am, ok := a.(map[string]any); ok {
				s.collect(am, props)
			}
		}
	}
}

// resolve follows a node's "$ref" within the schema ("#/$defs/name").
func (s *schemaDoc) resolve(node map[string]any) map[string]any {
	for {
		ref, ok := node["$ref"].(string)
		if !ok {
			return node
		}
		name, ok := strings.CutPrefix(ref, "#/$defs/")
		defs, _ := s.tree["$defs"].(map[string]any)
		next, _ := defs[name].(map[string]any)
		if !ok || next == nil {
			panic("results.schema.json: cannot follow " + ref)
		}
		node = next
	}
}

// The schema and the Go type name the same properties, each of the JSON
// type the field marshals to, and every property written always is
// required: a field no fixture happens to write is held to the schema too.
func TestSchemaNamesEveryField(t *testing.T) {
	s, err := resultsSchema()
	if err != nil {
		t.Fatal(err)
	}
	var problems []string
	s.matchType(s.tree, reflect.TypeFor[Results](), "", &problems)
	for _, p := range problems {
		t.Error(p)
	}
}

// matchType compares the schema node with the Go type results.json is
// marshalled from, and lists where they part.
func (s *schemaDoc) matchType(node map[string]any, typ reflect.Type, at string, out *[]string) {
	node = s.resolve(node)
	for typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	if typ == reflect.TypeFor[time.Time]() {
		if node["type"] != "string" {
			*out = append(*out, at+": a time, which is a string in JSON; the schema says "+fmt.Sprint(node["type"]))
		}
		return
	}
	want := map[reflect.Kind]string{reflect.String: "string", reflect.Bool: "boolean", reflect.Int: "integer", reflect.Int64: "integer",
		reflect.Float64: "number", reflect.Slice: "array", reflect.Struct: "object"}[typ.Kind()]
	if got, typed := node["type"]; typed && got != want {
		*out = append(*out, fmt.Sprintf("%s: the schema says %v, the field is a JSON %s", at, got, want))
	}
	switch typ.Kind() {
	case reflect.Slice:
		items, _ := node["items"].(map[string]any)
		if items == nil {
			*out = append(*out, at+": a list, but the schema does not say of what")
			return
		}
		s.matchType(items, typ.Elem(), at+"/*", out)
	case reflect.Struct:
		props := map[string]map[string]any{}
		s.collect(node, props)
		required := map[string]bool{}
		s.required(node, required)
		fields := jsonFields(typ)
		names := make([]string, 0, len(fields))
		for name := range fields {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			f := fields[name]
			p, ok := props[name]
			if !ok {
				*out = append(*out, fmt.Sprintf("%s/%s: the suite writes it (%s), the schema does not describe it", at, name, typ.Name()))
				continue
			}
			if !f.omitempty && !required[name] {
				*out = append(*out, fmt.Sprintf("%s/%s: always written, but the schema does not require it", at, name))
			}
			s.matchType(p, f.typ, at+"/"+name, out)
		}
		for name := range props {
			if _, ok := fields[name]; !ok {
				*out = append(*out, fmt.Sprintf("%s/%s: the schema describes it, the suite never writes it (%s)", at, name, typ.Name()))
			}
		}
	}
}

// required gathers the properties a node requires, its allOf's included.
func (s *schemaDoc) required(node map[string]any, out map[string]bool) {
	node = s.resolve(node)
	if req, ok := node["required"].([]any); ok {
		for _, r := range req {
			out[fmt.Sprint(r)] = true
		}
	}
	if all, ok := node["allOf"].([]any); ok {
		for _, a := range all {
			if am, ok := a.(map[string]any); ok {
				s.required(am, out)
			}
		}
	}
}

type jsonField struct {
	typ       reflect.Type
	omitempty bool
}

// jsonFields are the properties encoding/json writes for a struct type:
// by their tag's name, embedded structs flattened, "-" left out.
func jsonFields(typ reflect.Type) map[string]jsonField {
	out := map[string]jsonField{}
	for i := range typ.NumField() {
		f := typ.Field(i)
		tag, hasTag := f.Tag.Lookup("json")
		if f.Anonymous && !hasTag {
			for k, v := range jsonFields(f.Type) {
				if _, shadowed := out[k]; !shadowed {
					out[k] = v
				}
			}
			continue
		}
		if !f.IsExported() || tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		out[name] = jsonField{typ: f.Type, omitempty: slices.Contains(strings.Split(opts, ","), "omitempty")}
	}
	return out
}

// The two checks can fail: a property the schema does not describe, a
// required one missing, a verdict of another word, a null list, and a
// requirement not checked without its cause are each found.
func TestSchemaCheckFindsDefects(t *testing.T) {
	good := []byte(read(t, written(t), "results.json"))
	if err := schemaErrors(good); err != nil {
		t.Fatalf("the fixture's results.json: %v", err)
	}
	var top map[string]any
	if err := json.Unmarshal(good, &top); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		change func(m map[string]any)
		want   string
	}{
		{"a property not described", func(m map[string]any) { m["verdict_v2"] = "x" }, "/verdict_v2"},
		{"a nested property not described", func(m map[string]any) {
			f := m["failures"].([]any)[0].(map[string]any)
			f["evidence"].([]any)[0].(map[string]any)["exchanges"].([]any)[0].(map[string]any)["headers"] = "x"
		}, "/failures/*/evidence/*/exchanges/*/headers"},
		{"a required property missing", func(m map[string]any) { delete(m, "failures") }, "failures"},
		{"another verdict", func(m map[string]any) { m["verdict"] = "passes" }, "verdict"},
		{"a null list", func(m map[string]any) { m["warnings"] = nil }, "warnings"},
		{"not checked without why", func(m map[string]any) {
			for _, r := range m["requirements"].([]any) {
				delete(r.(map[string]any), "not_checked")
			}
		}, "not_checked"},
		{"an exchange without its status", func(m map[string]any) {
			f := m["failures"].([]any)[0].(map[string]any)
			delete(f["evidence"].([]any)[0].(map[string]any)["exchanges"].([]any)[0].(map[string]any), "status")
		}, "status"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var m map[string]any
			if err := json.Unmarshal(good, &m); err != nil {
				t.Fatal(err)
			}
			c.change(m)
			bad, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			err = schemaErrors(bad)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one naming %q", err, c.want)
			}
		})
	}
}

// ---------------------------------------------------------------------------
// Reading results.json back

// What ReadResults reads is what Write wrote: the one Results value the
// reports are built from, and the same judgement the suite gave.
func TestReadResultsIsWhatWasBuilt(t *testing.T) {
	for name, run := range map[string]func(t *testing.T) (Meta, []Requirement, types.Report){
		"fixture": func(t *testing.T) (Meta, []Requirement, types.Report) { return testMeta, testReqs, testReport(t) },
		"cards":   cardsRun,
		"no run": func(t *testing.T) (Meta, []Requirement, types.Report) {
			return Meta{NoRun: "SWR_ENDPOINT is empty"}, testReqs, types.Report{}
		},
	} {
		t.Run(name, func(t *testing.T) {
			meta, reqs, r := run(t)
			built := build(meta, reqs, scrubCaptured(r, meta.Secrets)).Results
			got := readResults(t, writeTo(t, meta, reqs, r))
			if !reflect.DeepEqual(*got, built) {
				a, _ := json.MarshalIndent(built, "", " ")
				b, _ := json.MarshalIndent(got, "", " ")
				t.Errorf("read back differs from what was built:\n%s", firstDifference(string(a), string(b)))
			}
			if j, want := got.Judgement(), Judge(meta, reqs, r); !reflect.DeepEqual(j, want) {
				t.Errorf("Judgement of the file\n%+v\nJudge\n%+v", j, want)
			}
			if got.SchemaVersion != SchemaVersion {
				t.Errorf("schema_version %d, want %d", got.SchemaVersion, SchemaVersion)
			}
		})
	}
}

func firstDifference(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(al), len(bl)) {
		if al[i] != bl[i] {
			return fmt.Sprintf("line %d: built %q, read %q", i+1, al[i], bl[i])
		}
	}
	return fmt.Sprintf("built %d lines, read %d", len(al), len(bl))
}

// The launcher of a parallel run reads the verdict process 1 wrote: its
// judgement names every failed spec by the requirements it failed
// through, and the requirements not checked, as Judge does in process.
func TestJudgementForTheLauncher(t *testing.T) {
	meta := testMeta
	meta.Config = append(meta.Config, KV{"slow-downs", "3 answers 429"})
	res := readResults(t, writeTo(t, meta, testReqs, testReport(t)))
	j := res.Judgement()
	if j.Verdict != DoesNotConform || j.ExitCode != 1 || len(j.Reasons) == 0 || j.Explanation.ExitCode != 1 {
		t.Errorf("judgement %q exit %d reasons %q explanation %+v", j.Verdict, j.ExitCode, j.Reasons, j.Explanation)
	}
	wantFailed := []string{
		"CREATE-409-DUPLICATE in Create a share [CREATE-409-DUPLICATE] Creating the same share again answers 409. (property: second bodies)",
		"AUTH-401-MISSING-TOKEN in Credentials [AUTH-401-MISSING-TOKEN] ... (update without a token)",
		"UPDATE-MISSING-SHARE-4XX in Update a share [UPDATE-MISSING-SHARE-4XX] ... (a share never made)",
	}
	if !slices.Equal(j.Failed, wantFailed) {
		t.Errorf("Failed %q, want %q", j.Failed, wantFailed)
	}
	if want := []string{"UPDATE-201", "NS-MAX-LENGTH", "REPO-MAX-LENGTH"}; !slices.Equal(j.NotChecked, want) {
		t.Errorf("NotChecked %q, want %q", j.NotChecked, want)
	}
	if v, ok := res.Meta.Setting("slow-downs"); !ok || v != "3 answers 429" {
		t.Errorf("Setting(slow-downs) = %q %v", v, ok)
	}
	if _, ok := res.Meta.Setting("no such setting"); ok {
		t.Error("Setting found a setting the run did not say")
	}
}

// Each failure is a record: the requirements it failed through, the
// security flag, and each check's exchanges (method, path, status) and
// reproduction, with no text to parse.
func TestFailureRecords(t *testing.T) {
	res := readResults(t, written(t))
	if len(res.Failures) != 3 {
		t.Fatalf("%d failures, want 3: %+v", len(res.Failures), res.Failures)
	}
	dup, auth, panicked := res.Failures[0], res.Failures[1], res.Failures[2]
	if !slices.Equal(dup.Requirements(), []string{"CREATE-409-DUPLICATE"}) || dup.SecurityDefect || dup.Outcome != SpecFailed || dup.Message != hostile {
		t.Errorf("duplicate's failure %+v", dup)
	}
	if len(dup.Evidence) != 1 || len(dup.Evidence[0].Exchanges) != 1 {
		t.Fatalf("duplicate's evidence %+v: want one check with one exchange", dup.Evidence)
	}
	x := dup.Evidence[0].Exchanges[0]
	if x.Method != "POST" || x.Path != "/v2/manage/namespaces/ns/repositories/app/access-domains" || x.Status != 201 {
		t.Errorf("exchange %s %s %d, want POST .../access-domains 201", x.Method, x.Path, x.Status)
	}
	if got := dup.Reproductions(); len(got) != 1 || got[0] != dupEvidence.Reproduction {
		t.Errorf("reproductions %q, want the evidence's", got)
	}
	if !slices.Equal(auth.Requirements(), []string{"AUTH-401-MISSING-TOKEN"}) || !auth.SecurityDefect || len(auth.Evidence) != 0 || auth.Reproductions() != nil {
		t.Errorf("auth failure %+v: want a security defect without evidence", auth)
	}
	if !slices.Equal(panicked.Requirements(), []string{"UPDATE-MISSING-SHARE-4XX"}) || !strings.Contains(panicked.Message, "panic: runtime error") {
		t.Errorf("panicked failure %+v", panicked)
	}
	if got := res.FailuresOf("AUTH-401-MISSING-TOKEN"); len(got) != 1 || got[0].FullName != auth.FullName {
		t.Errorf("FailuresOf(AUTH-401-MISSING-TOKEN) = %+v", got)
	}
	if got := res.Failing(); !slices.Equal(got, []string{"CREATE-409-DUPLICATE", "AUTH-401-MISSING-TOKEN", "UPDATE-MISSING-SHARE-4XX"}) {
		t.Errorf("Failing() = %q", got)
	}
	if q := res.Requirement("UPDATE-201"); q == nil || q.Verdict != Unchecked || q.NotChecked.Cause != CauseConfiguration {
		t.Errorf("Requirement(UPDATE-201) = %+v", q)
	}
	if res.Requirement("NO-SUCH") != nil {
		t.Error("Requirement found an ID the catalogue does not have")
	}
	for _, oc := range res.StatusCodes {
		if !oc.Operation.Certified() {
			t.Errorf("status codes of %q, which is not a certified operation", oc.Operation)
		}
	}
}

// A failed spec that checks no listed requirement is a failure record
// without requirements, and is listed apart too.
func TestFailureOfNoRequirement(t *testing.T) {
	r := types.Report{SpecReports: types.SpecReports{it("c", "a helper broke", types.SpecStateFailed, "boom")}}
	res := readResults(t, writeTo(t, Meta{}, testReqs, r))
	if len(res.Failures) != 1 || len(res.Failures[0].Requirements()) != 0 || len(res.Unattributed) != 1 || res.Verdict != DoesNotConform {
		t.Errorf("failures %+v unattributed %+v verdict %q", res.Failures, res.Unattributed, res.Verdict)
	}
	if j := res.Judgement(); !slices.Equal(j.Failed, []string{"c a helper broke"}) {
		t.Errorf("Failed %q", j.Failed)
	}
}

func TestReadResultsErrors(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name, content, want string
	}{
		{"not JSON", `{"verdict": "conforms",`, "bad.json: not valid JSON"},
		{"empty", ``, "bad.json: not valid JSON"},
		{"an array", `[]`, "bad.json: not a results.json: the file holds a JSON array, not an object"},
		{"no verdict", `{"tests": 3}`, `bad.json: not a results.json: no "verdict"`},
		{"wrong shape", `{"verdict": "conforms", "requirements": {"id": "X"}}`, `bad.json: not a results.json: "requirements" holds a JSON object`},
		{"newer schema", `{"schema_version": 2, "verdict": "conforms"}`, "bad.json: written by a newer suite (schema_version 2; this one reads up to 1)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, "bad.json")
			if err := os.WriteFile(path, []byte(c.content), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := ReadResults(path)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want %q", err, c.want)
			}
		})
	}
	_, err := ReadResults(filepath.Join(dir, "missing.json"))
	if !errors.Is(err, fs.ErrNotExist) || !strings.HasPrefix(err.Error(), filepath.Join(dir, "missing.json")+": ") {
		t.Errorf("missing file: %v, want fs.ErrNotExist naming the file", err)
	}
	// A file of a suite before schema_version: read, as version 0.
	path := filepath.Join(dir, "old.json")
	if err := os.WriteFile(path, []byte(`{"verdict": "incomplete", "exit_code": 3, "requirements": [{"id": "X", "verdict": "not checked", "not_checked": {"cause": "run", "reason": "timed out"}}], "extra": true}`), 0o644); err != nil {
		t.Fatal(err)
	}
	old, err := ReadResults(path)
	if err != nil || old.SchemaVersion != 0 || old.Verdict != Incomplete || old.Requirement("X").NotChecked.Cause != CauseRun {
		t.Errorf("an older results.json: %+v, %v", old, err)
	}
}

// The verdict's words, defined once: the VERDICT line's, which scripts
// match, and the headline of summary.md and report.html.
func TestVerdictWords(t *testing.T) {
	for _, c := range []struct {
		v               Verdict
		exit            int
		words, headline string
	}{
		{Conforms, 0, "the target conforms", "CONFORMS"},
		{DoesNotConform, 1, "the target does NOT conform", "DOES NOT CONFORM"},
		{Incomplete, 3, "incomplete (exit 3)", "INCOMPLETE"},
		{Incomplete, 0, "incomplete (exit 0)", "INCOMPLETE"},
		{NoRun, 2, "no run", "NO RUN"},
	} {
		if got := c.v.Words(c.exit); got != c.words {
			t.Errorf("%q.Words(%d) = %q, want %q", c.v, c.exit, got, c.words)
		}
		if got := c.v.Headline(); got != c.headline {
			t.Errorf("%q.Headline() = %q, want %q", c.v, got, c.headline)
		}
	}
	// README's table of verdicts says each in these words.
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []Verdict{Conforms, DoesNotConform, NoRun} {
		if !strings.Contains(string(readme), "`VERDICT: "+v.Words(0)+"`") {
			t.Errorf("README.md does not list `VERDICT: %s`", v.Words(0))
		}
	}
	if !strings.Contains(string(readme), "`VERDICT: incomplete (exit N)`") {
		t.Error("README.md does not list `VERDICT: incomplete (exit N)`")
	}
}

// The status tallies are keyed by the contract's operations.
func TestStatusCodesByOperation(t *testing.T) {
	res := readResults(t, writeTo(t, Meta{}, nil, types.Report{}))
	var ops []contract.Operation
	for _, oc := range res.StatusCodes {
		ops = append(ops, oc.Operation)
	}
	if !slices.Equal(ops, contract.Certified) {
		t.Errorf("status codes of %v, want %v", ops, contract.Certified)
	}
}
