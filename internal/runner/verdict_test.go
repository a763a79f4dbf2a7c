package runner

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/swr-conformance/swr-conformance/internal/report"
)

// Every verdict ends with its VERDICT line, which starts as scripts match
// it and names the target; the failed specs, sorted, and the remaining
// reasons come before it, each said once.
func TestPrintVerdict(t *testing.T) {
	const target = "https://swr-api.example.com"
	tests := []struct {
		name string
		j    report.Judgement
		code int
		want string // the whole output
	}{{
		name: "conforms",
		j:    report.Judgement{Verdict: report.Conforms, ExitCode: 0, Reasons: []string{"every requirement was checked and none failed (44 requirements, 90 specs)"}},
		want: "\nVERDICT: the target conforms: https://swr-api.example.com; every requirement was checked and none failed (44 requirements, 90 specs)\n",
	}, {
		name: "does not conform",
		j: report.Judgement{Verdict: report.DoesNotConform, ExitCode: 1, Reasons: []string{"1 of 44 requirements fail: CREATE-201", "NAMES-VALID-ACCEPTED not checked (configuration)"},
			Failed: []string{"CREATE-201 in b", "CREATE-201 in a"}},
		code: 1,
		want: "\n  failed: CREATE-201 in a\n  failed: CREATE-201 in b\n  - NAMES-VALID-ACCEPTED not checked (configuration)\n" +
			"VERDICT: the target does NOT conform: https://swr-api.example.com; 2 specs failed (1 of 44 requirements fail: CREATE-201)\n",
	}, {
		name: "incomplete by configuration only",
		j: report.Judgement{Verdict: report.Incomplete, ExitCode: 0, Reasons: []string{"nothing failed, but NAMES-VALID-ACCEPTED was not checked", "NAMES-VALID-ACCEPTED not checked (configuration): ..."},
			NotChecked: []string{"NAMES-VALID-ACCEPTED"}},
		want: "\n  - NAMES-VALID-ACCEPTED not checked (configuration): ...\n" +
			"  This is expected with these settings, and no defect of the target: what was left out is named above, with the setting that checks it.\n" +
			"VERDICT: incomplete (exit 0): https://swr-api.example.com; nothing failed, but 1 requirement not checked: NAMES-VALID-ACCEPTED (reasons above)\n",
	}, {
		name: "incomplete by a problem of the run",
		j:    report.Judgement{Verdict: report.Incomplete, ExitCode: 3, Reasons: []string{"the run timed out"}},
		code: 3,
		want: "\nVERDICT: incomplete (exit 3): https://swr-api.example.com; the run timed out\n",
	}, {
		name: "a focused run: the count, not the list",
		j:    report.Judgement{Verdict: report.Incomplete, ExitCode: 0, Reasons: []string{"filtered"}, NotChecked: strings.Fields("A B C D E F G")},
		want: "\n  This is expected with these settings, and no defect of the target: what was left out is named above, with the setting that checks it.\n" +
			"VERDICT: incomplete (exit 0): https://swr-api.example.com; nothing failed, but 7 requirements not checked (reasons above)\n",
	}, {
		name: "no run: the reason is the message printed when it stopped",
		j:    report.Judgement{Verdict: report.NoRun, ExitCode: 2, Reasons: []string{"cannot reach the target"}},
		code: 2,
		want: "\nVERDICT: no run: https://swr-api.example.com; the run stopped before its first spec (see the message above)\n",
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			code := printVerdict(&out, &tc.j, target)
			if code != tc.code || out.String() != tc.want {
				t.Errorf("exit %d, printed\n%s\nwant exit %d and\n%s", code, out.String(), tc.code, tc.want)
			}
		})
	}
}

func TestVerdictLine(t *testing.T) {
	for _, tc := range []struct{ verdict, target, detail, want string }{
		{"no run", "", "the configuration is wrong", "VERDICT: no run: the configuration is wrong"},
		{"the target conforms", "the embedded reference server", "why", "VERDICT: the target conforms: the embedded reference server; why"},
	} {
		if got := verdictLine(tc.verdict, tc.target, tc.detail); got != tc.want {
			t.Errorf("verdictLine(%q, %q, %q) = %q, want %q", tc.verdict, tc.target, tc.detail, got, tc.want)
		}
	}
	if got := fmt.Sprint(plural(1, "spec"), ", ", plural(0, "spec"), ", ", plural(2, "spec")); got != "1 spec, 0 specs, 2 specs" {
		t.Errorf("plural: %q", got)
	}
}
