package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// base is a small results.json with every field swr-compare reads, and one
// it ignores (exit_code), as the suite writes it.
const base = `{
  "verdict": "conforms",
  "exit_code": 0,
  "requirements": [
    {"id": "CREATE-201", "text": "create answers 201", "verdict": "pass", "security_defect": false},
    {"id": "UPDATE-200", "text": "update answers 200", "verdict": "pass"},
    {"id": "AUTH-401", "text": "no token: 401", "verdict": "pass"}
  ],
  "status_codes": [
    {"operation": "create", "codes": [
      {"code": 201, "documented": true, "seen": 12, "example": "POST /v2/manage/namespaces/ns/repos/r/access-domains"},
      {"code": 429, "documented": false, "seen": 1, "example": "POST /v2/manage/namespaces/ns/repos/r/access-domains"}
    ]}
  ]
}`

// edit returns base with each old string replaced by its new one, so that a
// case shows only what it changes. It fails the test when old is not in base,
// lest a typo make a case compare identical files.
func edit(t *testing.T, pairs ...string) string {
	t.Helper()
	s := base
	for i := 0; i < len(pairs); i += 2 {
		if !strings.Contains(s, pairs[i]) {
			t.Fatalf("edit: %q not in base", pairs[i])
		}
		s = strings.Replace(s, pairs[i], pairs[i+1], 1)
	}
	return s
}

func TestRun(t *testing.T) {
	const missing = "\x00missing" // a file content meaning: do not create the file
	tests := []struct {
		name     string
		flags    []string
		old, new string
		wantCode int
		want     []string // in stdout, or in stderr when wantCode is 2
		wantNot  []string // nowhere in stdout
	}{
		{
			name: "identical files: one line, exit 0",
			old:  base, new: base,
			wantCode: 0,
			want:     []string{"no change from the previous results; verdict: conforms\n"},
		},
		{
			name: "new failure: listed with its old verdict, exit 1",
			old:  base,
			new: edit(t,
				`"create answers 201", "verdict": "pass", "security_defect": false`,
				`"create answers 201", "verdict": "fail", "security_defect": true`,
				`"verdict": "conforms"`, `"verdict": "does not conform"`),
			wantCode: 1,
			want: []string{
				"verdict: conforms → does not conform",
				"newly failing:\n  - CREATE-201 create answers 201 (was pass) [SECURITY DEFECT]\n",
			},
			wantNot: []string{"newly passing", "no change", "UPDATE-200"},
		},
		{
			name: "not checked to fail is a new failure too",
			old: edit(t, `"no token: 401", "verdict": "pass"`,
				`"no token: 401", "verdict": "not checked", "not_checked": {"cause": "run", "reason": "timed out"}`),
			new:      edit(t, `"no token: 401", "verdict": "pass"`, `"no token: 401", "verdict": "fail"`),
			wantCode: 1,
			want:     []string{"newly failing:\n  - AUTH-401 no token: 401 (was not checked)\n"},
		},
		{
			name:     "fix: fail to pass, exit 0",
			old:      edit(t, `"update answers 200", "verdict": "pass"`, `"update answers 200", "verdict": "fail"`),
			new:      base,
			wantCode: 0,
			want: []string{
				"verdict: conforms (unchanged)",
				"newly passing:\n  - UPDATE-200 update answers 200 (was fail)\n",
			},
			wantNot: []string{"newly failing"},
		},
		{
			name: "newly not checked: with NEW's cause and reason, exit 0",
			old:  base,
			new: edit(t, `"no token: 401", "verdict": "pass"`,
				`"no token: 401", "verdict": "not checked", "not_checked": {"cause": "configuration", "reason": "no second\naccount configured", "remedy": "set SWR_SHARE_ACCOUNTS"}`,
				`"verdict": "conforms"`, `"verdict": "incomplete"`),
			wantCode: 0,
			want: []string{
				"verdict: conforms → incomplete",
				// the reason's newline is joined, so the item stays one line
				"newly not checked:\n  - AUTH-401 no token: 401 (was pass) [configuration]: no second account configured\n",
			},
		},
		{
			name: "new undocumented status code: with NEW's example; 429 seen before is no news",
			old:  base,
			new: edit(t, `{"code": 429,`,
				`{"code": 404, "documented": false, "seen": 2, "example": "POST /v2/manage/namespaces/ns/repos/missing/access-domains"},
				 {"code": 201, "documented": true, "seen": 0},
				 {"code": 429,`),
			wantCode: 0,
			want: []string{
				"new undocumented status codes:\n  - create: 404, seen 2 time(s), e.g. POST /v2/manage/namespaces/ns/repos/missing/access-domains\n",
			},
			wantNot: []string{"429", "201,"},
		},
		{
			name:    "an undocumented code listed in OLD but seen 0 times is news when NEW sees it",
			old:     edit(t, `{"code": 429, "documented": false, "seen": 1,`, `{"code": 429, "documented": false, "seen": 0,`),
			new:     base,
			want:    []string{"new undocumented status codes:\n  - create: 429, seen 1 time(s), e.g. POST /v2/manage/namespaces/ns/repos/r/access-domains\n"},
			wantNot: []string{"no change"},
		},
		{
			name: "an undocumented code seen for another operation only is news for this one",
			old:  base,
			new: edit(t, `]}
  ]
}`, `]},
    {"operation": "update", "codes": [{"code": 429, "documented": false, "seen": 3, "example": "PATCH /v2/x"}, {"code": 0, "documented": false, "seen": 1}]}
  ]
}`),
			wantCode: 0,
			want:     []string{"  - update: 429, seen 3 time(s), e.g. PATCH /v2/x\n", "  - update: no answer, seen 1 time(s)\n"},
			wantNot:  []string{"create:"},
		},
		{
			name: "requirements appear and disappear; a new failing one fails the night",
			old:  base,
			new: edit(t,
				`{"id": "UPDATE-200", "text": "update answers 200", "verdict": "pass"},`,
				`{"id": "SHARE-409", "text": "duplicate share: 409", "verdict": "not checked"},
				 {"id": "LIST-200", "text": "list answers 200", "verdict": "fail"},`),
			wantCode: 1,
			want: []string{
				"newly failing:\n  - LIST-200 list answers 200 (new requirement)\n",
				"new requirements:\n  - SHARE-409 duplicate share: 409: not checked\n",
				"requirements no longer in the report:\n  - UPDATE-200 update answers 200 (was pass)\n",
			},
		},
		{
			name:  "markdown: a section, code spans, markup in reasons escaped",
			flags: []string{"-markdown"},
			old:   base,
			new: edit(t,
				`"create answers 201", "verdict": "pass"`, `"create answers 201", "verdict": "fail"`,
				`"no token: 401", "verdict": "pass"`,
				`"no token: 401", "verdict": "not checked", "not_checked": {"cause": "run", "reason": "<b>*boom*</b>"}`,
				`{"code": 429,`, "{\"code\": 405, \"documented\": false, \"seen\": 1, \"example\": \"PUT /v2/`x`\"}, {\"code\": 429,"),
			wantCode: 1,
			want: []string{
				"## Compared with the previous results\n\nverdict: conforms (unchanged)\n",
				"### newly failing\n\n- `CREATE-201` create answers 201 (was pass)\n",
				`- ` + "`AUTH-401`" + ` no token: 401 (was pass) [run]: \<b\>\*boom\*\</b\>` + "\n",
				"- create: `405`, seen 1 time(s), e.g. `` PUT /v2/`x` ``\n",
			},
			wantNot: []string{"<b>", "\n  - "},
		},
		{
			name:  "markdown: identical files in one line under the heading",
			flags: []string{"-markdown"},
			old:   base, new: base,
			want: []string{"## Compared with the previous results\n\nno change from the previous results; verdict: conforms\n"},
		},
		{
			name:  "-allow-missing-old: the first night, exit 0",
			flags: []string{"-allow-missing-old"},
			old:   missing, new: base,
			want: []string{"no previous results to compare with"},
		},
		{
			name:  "-allow-missing-old with -markdown",
			flags: []string{"-allow-missing-old", "-markdown"},
			old:   missing, new: base,
			want: []string{"## Compared with the previous results\n\nno previous results to compare with"},
		},
		{
			name: "missing OLD without -allow-missing-old is bad input",
			old:  missing, new: base,
			wantCode: 2,
			want:     []string{"OLD.json: no such file or directory"},
		},
		{
			name:  "-allow-missing-old does not excuse a missing NEW",
			flags: []string{"-allow-missing-old"},
			old:   base, new: missing,
			wantCode: 2,
			want:     []string{"NEW.json: no such file or directory"},
		},
		{
			name: "-allow-missing-old does not excuse an invalid OLD",
			old:  `{"verdict": "conforms",`, new: base,
			flags:    []string{"-allow-missing-old"},
			wantCode: 2,
			want:     []string{"OLD.json: not valid JSON"},
		},
		{
			name: "invalid JSON in NEW",
			old:  base, new: `{"verdict": "conforms", "requirements": [}`,
			wantCode: 2,
			want:     []string{"NEW.json: not valid JSON", "at byte"},
		},
		{
			name: "empty file",
			old:  "", new: base,
			wantCode: 2,
			want:     []string{"OLD.json: not valid JSON"},
		},
		{
			name: "JSON that is not a results.json: no verdict",
			old:  base, new: `{"tests": 3}`,
			wantCode: 2,
			want:     []string{`NEW.json: not a results.json: no "verdict"`},
		},
		{
			name: "a results.json of a later schema version is not compared",
			old:  base, new: strings.Replace(base, `"verdict": "conforms",`, `"schema_version": 2, "verdict": "conforms",`, 1),
			wantCode: 2,
			want:     []string{"NEW.json: written by a newer suite (schema_version 2; this one reads up to 1)"},
		},
		{
			name: "JSON of the wrong shape",
			old:  `{"verdict": "conforms", "requirements": {"id": "X"}}`, new: base,
			wantCode: 2,
			want:     []string{`OLD.json: not a results.json: "requirements" holds a JSON object`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			oldPath, newPath := filepath.Join(dir, "OLD.json"), filepath.Join(dir, "NEW.json")
			for path, content := range map[string]string{oldPath: tt.old, newPath: tt.new} {
				if content == missing {
					continue
				}
				if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			var stdout, stderr bytes.Buffer
			code := run(append(tt.flags, oldPath, newPath), &stdout, &stderr)
			if code != tt.wantCode {
				t.Errorf("exit status %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.wantCode, &stdout, &stderr)
			}
			got := stdout.String()
			if tt.wantCode == 2 {
				got = stderr.String()
				checkOneErrorLine(t, &stdout, &stderr)
			} else if stderr.Len() > 0 {
				t.Errorf("stderr not empty: %q", &stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("output lacks %q; it is:\n%s", w, got)
				}
			}
			for _, w := range tt.wantNot {
				if strings.Contains(stdout.String(), w) {
					t.Errorf("stdout has %q; it is:\n%s", w, &stdout)
				}
			}
		})
	}
}

// TestIdenticalIsOneLine holds the promise that "nothing changed" is one line
// of plain text, whatever the files hold.
func TestIdenticalIsOneLine(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "results.json")
	if err := os.WriteFile(path, []byte(base), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{path, path}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit status %d, want 0; stderr %q", code, &stderr)
	}
	if n := strings.Count(stdout.String(), "\n"); n != 1 {
		t.Errorf("%d lines, want 1: %q", n, &stdout)
	}
}

// TestArguments covers bad command lines: each is exit 2 with one line on
// stderr naming what is wrong, and nothing on stdout.
func TestArguments(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{nil, "want 2 files, got 0"},
		{[]string{"a.json"}, `got 1 argument(s) ["a.json"]`},
		{[]string{"a.json", "b.json", "c.json"}, "got 3"},
		{[]string{"-nope", "a.json", "b.json"}, "-nope"},
		// flags after the files are not flags; saying so beats comparing "-markdown"
		{[]string{"a.json", "b.json", "-markdown"}, `"-markdown"`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(tt.args, &stdout, &stderr); code != 2 {
				t.Errorf("exit status %d, want 2", code)
			}
			checkOneErrorLine(t, &stdout, &stderr)
			if !strings.Contains(stderr.String(), tt.want) || !strings.Contains(stderr.String(), "usage:") {
				t.Errorf("stderr %q lacks %q and the usage", &stderr, tt.want)
			}
		})
	}
}

func TestHelp(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-h"}, &stdout, &stderr); code != 0 {
		t.Errorf("exit status %d, want 0", code)
	}
	for _, w := range []string{"usage: swr-compare", "-markdown", "-allow-missing-old"} {
		if !strings.Contains(stdout.String(), w) {
			t.Errorf("help lacks %q: %q", w, &stdout)
		}
	}
}

// checkOneErrorLine: bad input is one line on stderr, prefixed with the
// program's name, and nothing on stdout (which may be a job summary).
func checkOneErrorLine(t *testing.T, stdout, stderr *bytes.Buffer) {
	t.Helper()
	if stdout.Len() > 0 {
		t.Errorf("stdout not empty on bad input: %q", stdout)
	}
	s := stderr.String()
	if !strings.HasPrefix(s, "swr-compare: ") || strings.Count(s, "\n") != 1 || !strings.HasSuffix(s, "\n") {
		t.Errorf("stderr is not one line starting with the program's name: %q", s)
	}
}
