package report

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/swr-conformance/swr-conformance/internal/contract"
)

// SchemaVersion is the layout of results.json that this suite writes and
// reads. It changes only when a field is renamed, removed or changes its
// meaning; a field added leaves it as it is, and readers ignore fields they
// do not know. Files written before the field existed read as 0: their
// fields are those of version 1 but for the ones version 1 added
// (schema_version, failures, and the method, path and status of each
// exchange of the evidence).
//
// results.schema.json beside this file describes version 1 for CI users
// (README, "Reports"); a test validates every results.json the report's
// tests write against it.
const SchemaVersion = 1

// Verdict is the run's verdict (contract section 7), the first words of
// the VERDICT line, of every report, and of results.json's "verdict".
type Verdict string

// The four verdicts of a run. These words are defined here and nowhere
// else.
const (
	Conforms       Verdict = "conforms"
	DoesNotConform Verdict = "does not conform"
	Incomplete     Verdict = "incomplete"
	NoRun          Verdict = "no run"
)

// Headline is the verdict in the words a person looks for: the title of
// summary.md and the banner of report.html.
func (v Verdict) Headline() string {
	switch v {
	case Conforms:
		return "CONFORMS"
	case DoesNotConform:
		return "DOES NOT CONFORM"
	case NoRun:
		return "NO RUN"
	}
	return "INCOMPLETE"
}

// Words are the verdict as the VERDICT line of the console says it, after
// "VERDICT: ": "the target conforms", "the target does NOT conform",
// "incomplete (exit N)" or "no run". Scripts match these beginnings
// (README, "Verdicts").
func (v Verdict) Words(exitCode int) string {
	switch v {
	case Conforms:
		return "the target conforms"
	case DoesNotConform:
		return "the target does NOT conform"
	case NoRun:
		return "no run"
	}
	return fmt.Sprintf("incomplete (exit %d)", exitCode)
}

// RequirementVerdict is the verdict on one requirement: what its own
// checks showed.
type RequirementVerdict string

// The verdicts of a requirement.
const (
	Pass      RequirementVerdict = "pass"
	Fail      RequirementVerdict = "fail"
	Unchecked RequirementVerdict = "not checked"
)

// SpecOutcome is what became of one spec. A skipped spec without a
// message never started (label filter, focus, fail-fast): it is "not run",
// unlike one that called Skip ("not checked").
type SpecOutcome string

// The outcomes of a spec.
const (
	SpecPassed      SpecOutcome = "passed"
	SpecFailed      SpecOutcome = "failed"
	SpecNotChecked  SpecOutcome = "not checked"
	SpecNotRun      SpecOutcome = "not run"
	SpecInterrupted SpecOutcome = "interrupted"
)

// Results is results.json: the run's verdict and everything it rests on.
// Write builds it once from Ginkgo's report and the suite's typed entries
// and renders all four reports from it; ReadResults reads it back, for the
// launcher of parallel runs, swr-compare and the tests. Lists are [] when
// empty, never null.
type Results struct {
	SchemaVersion int         `json:"schema_version"`
	Meta          RunMeta     `json:"meta"`
	StartTime     time.Time   `json:"start_time"`
	Duration      float64     `json:"duration_seconds"`
	Verdict       Verdict     `json:"verdict"`
	ExitCode      int         `json:"exit_code"`
	Reasons       []string    `json:"reasons"`     // why this verdict, in words
	Explanation   Explanation `json:"explanation"` // the verdict block of the people's reports
	Specs         SpecCounts  `json:"specs"`
	// Requirements are the catalogue's, in its order, each with its
	// verdict and the specs that check it.
	Requirements []*RequirementResult `json:"requirements"`
	StatusCodes  []OperationCodes     `json:"status_codes"`
	Observations []ObservedPoint      `json:"observations"`
	RunProblems  []string             `json:"run_problems"`
	Warnings     []string             `json:"warnings"`
	// Failures are the failed specs, each once, in the order they ran.
	Failures []Failure `json:"failures"`
	// Unattributed are the failed specs that check no listed requirement
	// (also in Failures, without failed requirements).
	Unattributed []SpecResult `json:"unattributed_failures,omitempty"`
	// Traffic is what the run sent and how the target's rate limit shaped
	// it; absent when the run sent nothing (it stopped before its first
	// spec).
	Traffic *Traffic `json:"traffic,omitempty"`
}

// Traffic is what a run sent, all its processes together, and what slowed
// it down: the cost of a run, for a CI job that watches it.
type Traffic struct {
	// Requests the suite made, each counted once however often it was
	// sent; Sent counts every sending (retries after 429/503 and resends
	// of requests that got no answer included).
	Requests int64 `json:"requests"`
	Sent     int64 `json:"sent"`
	// Refused429 and Refused503 count the answers 429 and 503: slow-downs,
	// waited out and sent again (or, past the retries, the answer shown).
	Refused429 int64 `json:"refused_429"`
	Refused503 int64 `json:"refused_503"`
	// WaitedSeconds is the time waited after slow-downs, summed over the
	// requests; PacedSeconds the time requests waited for their turn under
	// the rate in force (SWR_RATE, or the rate learned).
	WaitedSeconds float64 `json:"waited_seconds"`
	PacedSeconds  float64 `json:"paced_seconds"`
	// RateCap is SWR_RATE (0: none); LearnedRate the rate, in requests per
	// second, the target's slow-downs showed (0: it never slowed the run).
	RateCap     float64 `json:"rate_cap"`
	LearnedRate float64 `json:"learned_rate"`
	// ExpectedRequests is what the run was expected to send, from its
	// settings, as its first lines said.
	ExpectedRequests int64 `json:"expected_requests"`
}

// RunMeta says what was run, and how.
type RunMeta struct {
	SuiteVersion string `json:"suite_version"`
	Commit       string `json:"commit"`
	Endpoint     string `json:"endpoint"`
	Config       []KV   `json:"config"` // the configuration, secrets redacted
	Seed         int64  `json:"seed"`
}

// Setting is the value of one line of the configuration ("parallel
// processes", "slow-downs", ...), and whether the run said it.
func (m RunMeta) Setting(key string) (string, bool) {
	for _, kv := range m.Config {
		if kv.Key == key {
			return kv.Value, true
		}
	}
	return "", false
}

// SpecCounts counts the specs (It nodes) by outcome; an interrupted spec
// counts as not run.
type SpecCounts struct {
	Passed     int `json:"passed"`
	Failed     int `json:"failed"`
	NotChecked int `json:"not_checked"`
	NotRun     int `json:"not_run"`
}

// RequirementResult is one requirement's verdict and what it rests on.
type RequirementResult struct {
	ID     string `json:"id"`
	Text   string `json:"text"`
	Source string `json:"source"`
	// Operation is the certified operation the requirement is a rule of:
	// "create", "update", or "both".
	Operation string             `json:"operation"`
	Verdict   RequirementVerdict `json:"verdict"`
	// NotChecked says why, when the verdict is "not checked" (and only
	// then): its cause, the reason and what would check it.
	NotChecked     *NotChecked  `json:"not_checked,omitempty"`
	SecurityDefect bool         `json:"security_defect,omitempty"`
	Reason         string       `json:"reason,omitempty"` // the verdict in words
	Specs          []SpecResult `json:"specs"`
}

// SpecResult is one spec as a requirement's verdict saw it.
type SpecResult struct {
	Name     string      `json:"name"`      // the leaf text: "[ID] rule (detail)"
	FullName string      `json:"full_name"` // with the containers' texts
	State    string      `json:"state"`     // Ginkgo's
	Outcome  SpecOutcome `json:"outcome"`
	Duration float64     `json:"duration_seconds"`
	// Message is Ginkgo's failure message, the text the console shows
	// (a panic's value added); Evidence has the same story in parts.
	Message    string    `json:"failure,omitempty"`
	Location   string    `json:"failure_location,omitempty"`
	SkipReason string    `json:"not_checked_reason,omitempty"`
	Property   *Property `json:"property,omitempty"`
	// Evidence is what the failed checks showed, in parts (one Evidence
	// entry each); empty for a failure that recorded none.
	Evidence []Evidence `json:"evidence,omitempty"`
	// FailedRequirements are the requirements a failed spec failed
	// through: a spec checks several, and fails only through one whose
	// check failed. Every requirement of the spec when no check said.
	FailedRequirements []string `json:"failed_requirements,omitempty"`
}

// Failure is one failed spec as a record: the requirements it failed
// through, whether that is a security defect, and for each failed check
// its evidence: the exchanges with their method, path and status, and the
// reproduction (a shell snippet).
type Failure struct {
	SpecResult
	// SecurityDefect: a request without valid credentials was served, or
	// answered 401 and still took effect.
	SecurityDefect bool `json:"security_defect"`
	// ByCheck says the failed requirements are those whose checks failed
	// (the contract's matchers said so); false when no check said (an
	// assertion outside them, a panic) and they are every requirement of
	// the spec. A self-test counts a fault killed only by a check.
	ByCheck bool `json:"by_check"`
}

// Requirements are the requirements the spec failed through (none for a
// spec that checks no listed requirement).
func (f Failure) Requirements() []string { return f.FailedRequirements }

// Reproductions are the shell snippets of the failed checks that have one,
// in the order of the evidence.
func (f Failure) Reproductions() []string {
	var out []string
	for _, e := range f.Evidence {
		if e.Reproduction != "" {
			out = append(out, e.Reproduction)
		}
	}
	return out
}

// OperationCodes are the status codes one certified operation answered
// with: each documented one (seen or not), then every other seen.
type OperationCodes struct {
	Operation contract.Operation `json:"operation"`
	Codes     []CodeSeen         `json:"codes"`
}

// CodeSeen is one status code of one operation: how often it came back,
// with one example request.
type CodeSeen struct {
	Code       int    `json:"code"` // 0: requests that got no answer
	Documented bool   `json:"documented"`
	Seen       int    `json:"seen"`
	Example    string `json:"example,omitempty"`
	// The example in two parts (Tally): the request line with its answer,
	// and the body as sent.
	ExampleRequest string `json:"example_request,omitempty"`
	ExampleBody    string `json:"example_body,omitempty"`
}

// ObservedPoint is what the target chose on one point the contract leaves
// open: each choice seen, with how often and one example.
type ObservedPoint struct {
	Point   string   `json:"point"`
	Choices []Choice `json:"choices"`
}

// Choice is one answer to an open point.
type Choice struct {
	Choice  string `json:"choice"`
	Count   int    `json:"count"`
	Example string `json:"example"`
}

// Judgement is the verdict the results give, for the console and the exit
// status: what the VERDICT line and the lines before it say.
func (r *Results) Judgement() Judgement {
	j := Judgement{Verdict: r.Verdict, ExitCode: r.ExitCode, Reasons: r.Reasons, Explanation: r.Explanation}
	for _, f := range r.Failures {
		j.Failed = append(j.Failed, FailedSpec(f.FailedRequirements, f.FullName))
	}
	for _, q := range r.Requirements {
		if q.Verdict == Unchecked {
			j.NotChecked = append(j.NotChecked, q.ID)
		}
	}
	return j
}

// Requirement is the result of the requirement with this ID, or nil.
func (r *Results) Requirement(id string) *RequirementResult {
	for _, q := range r.Requirements {
		if q.ID == id {
			return q
		}
	}
	return nil
}

// FailuresOf are the failures that failed through requirement id.
func (r *Results) FailuresOf(id string) []Failure {
	var out []Failure
	for _, f := range r.Failures {
		if contains(f.FailedRequirements, id) {
			out = append(out, f)
		}
	}
	return out
}

// Failing are the IDs of the requirements that fail, in the catalogue's
// order.
func (r *Results) Failing() []string {
	var out []string
	for _, q := range r.Requirements {
		if q.Verdict == Fail {
			out = append(out, q.ID)
		}
	}
	return out
}

// ReadResults reads the results.json at path. Its errors name the file and
// say whether it is missing (errors.Is(err, fs.ErrNotExist)), not JSON, or
// not a results.json (no verdict, a field of the wrong JSON type, or a
// schema version newer than this suite's), in JSON's terms rather than
// Go's. Fields it does not know are ignored, so a newer suite of the same
// schema version may add some.
func ReadResults(path string) (*Results, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			// "x.json: no such file or directory" rather than "open x.json: ...";
			// %w keeps fs.ErrNotExist visible to errors.Is.
			return nil, fmt.Errorf("%s: %w", path, pe.Err)
		}
		return nil, err
	}
	r, err := parseResults(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return r, nil
}

// parseResults reads results.json from its bytes; see ReadResults.
func parseResults(data []byte) (*Results, error) {
	var r Results
	if err := json.Unmarshal(data, &r); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &syn):
			return nil, fmt.Errorf("not valid JSON: %v (at byte %d)", err, syn.Offset)
		case errors.As(err, &typ) && typ.Field == "":
			return nil, fmt.Errorf("not a results.json: the file holds a JSON %s, not an object", typ.Value)
		case errors.As(err, &typ):
			return nil, fmt.Errorf("not a results.json: %q holds a JSON %s", typ.Field, typ.Value)
		}
		return nil, fmt.Errorf("not a results.json: %v", err)
	}
	// Every run writes a verdict, "no run" included: a JSON file without
	// one is some other file, and reading it would report nonsense.
	if r.Verdict == "" {
		return nil, errors.New(`not a results.json: no "verdict"`)
	}
	if r.SchemaVersion > SchemaVersion {
		return nil, fmt.Errorf("written by a newer suite (schema_version %d; this one reads up to %d)", r.SchemaVersion, SchemaVersion)
	}
	return &r, nil
}
