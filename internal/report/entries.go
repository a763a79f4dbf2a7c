package report

import (
	"encoding/json"
	"github.com/swr-conformance/swr-conformance/internal/contract"

	"github.com/onsi/ginkgo/v2/types"
)

// The specs tell the report what happened through typed report entries
// (Ginkgo's AddReportEntry with one of these values), never through text
// the report would have to parse. Entries travel between parallel Ginkgo
// processes as JSON, so each value is a plain struct.
const (
	EntryNotChecked  = "swr.not-checked"
	EntryFailed      = "swr.failed"
	EntryEvidence    = "swr.evidence"
	EntryPassed      = "swr.passed"
	EntryRunProblem  = "swr.run-problem"
	EntryObservation = "swr.observation"
	EntryExchanges   = "swr.exchanges"
	EntryProperty    = "swr.property"
)

// Cause says why a requirement was not checked: the configuration left it
// out (exit 0 unless the whole contract is required), or something went
// wrong during the run (exit 3). contract section 7.
type Cause string

const (
	CauseConfiguration Cause = "configuration"
	CauseRun           Cause = "run"
)

// NotChecked says that a spec could not check some requirements.
type NotChecked struct {
	// Requirements are the IDs left unchecked; empty means every
	// requirement the spec is labelled with.
	Requirements []string `json:"requirements,omitempty"`
	Cause        Cause    `json:"cause"`
	Reason       string   `json:"reason"`           // what kept it from being checked
	Remedy       string   `json:"remedy,omitempty"` // the setting or change that would check it
	// Filtered: a filter (-ginkgo.label-filter, -focus, -skip) left the
	// requirement's specs out; the console and the verdict say those in
	// one line with a count.
	Filtered bool `json:"filtered,omitempty"`
}

// Failed names the requirement a failed spec broke. A 401 that still wrote
// is a security defect, and every report says so.
type Failed struct {
	Requirement    string `json:"requirement"`
	SecurityDefect bool   `json:"security_defect,omitempty"`
}

// Evidence is what a failed check showed, in the parts a person reads
// apart: the case, what was expected, what came back, the exchanges, and
// the reproduction. It comes beside the Failed entry of the same check; the
// reports show it as a structured card, and fall back to the spec's
// failure message where a failure has none.
type Evidence struct {
	Requirement string `json:"requirement"`
	// Operation is the certified operation ("create", "update") whose
	// answer or effect broke the rule: the page the citations name.
	Operation string `json:"operation,omitempty"`
	// Case says which input failed, for a spec of many (a property's
	// counterexample, a round of racing creates); "" for a spec of one.
	Case     string `json:"case,omitempty"`
	Expected string `json:"expected"`
	Got      string `json:"got"`
	// Exchanges are the requests that show it, in the order sent: the
	// request itself, or the write and the read-back that judged it.
	Exchanges []Shown `json:"exchanges,omitempty"`
	// Reproduction is a shell snippet that replays the case (token as
	// $SWR_TOKEN, never written out).
	Reproduction string `json:"reproduction,omitempty"`
	// Replay are the suite's arguments that send the same inputs again
	// (a property's seed and focus).
	Replay string `json:"replay,omitempty"`
}

// Shown is one exchange of the evidence, token redacted.
type Shown struct {
	Role string `json:"role,omitempty"` // "the write", "read back", "create 2 of 8"; "" when it is the only one
	// Method, Path and Status are the exchange in typed parts: "POST",
	// the path of the request's URL, and the status code of its answer
	// (0: no answer).
	Method   string `json:"method"`
	Path     string `json:"path"`
	Status   int    `json:"status"`
	Request  string `json:"request"`  // the request as sent, laid out as HTTP
	Response string `json:"response"` // the answer, laid out as HTTP, or why none came
}

// Passed names a requirement a check of the spec found kept. A spec that
// later fails for another requirement, or stops for another's reason,
// still counts as a pass for this one: a requirement's verdict is what its
// own checks showed.
type Passed struct {
	Requirement string `json:"requirement"`
}

// RunProblem is something that went wrong around the two operations (a
// cleanup that failed, say): no verdict on the target, but the run's
// verdict cannot be "conforms".
type RunProblem struct {
	What string `json:"what"`
}

// Observation is what the target chose on a point the contract leaves open.
type Observation struct {
	Point   string `json:"point"`   // e.g. "content after a complete JSON object"
	Choice  string `json:"choice"`  // e.g. "ignored (201)"
	Example string `json:"example"` // the request that showed it
}

// Tally counts one status code of one operation in one spec, with one
// example request. Code 0 counts requests that got no answer.
type Tally struct {
	Operation contract.Operation `json:"operation"`
	Code      int                `json:"code"`
	Count     int                `json:"count"`
	Example   string             `json:"example"` // the example in one line
	// The example in two parts, as report.html shows it: the request
	// line with its answer ("POST /v2/... → 201") and the body as sent.
	ExampleRequest string `json:"example_request,omitempty"`
	ExampleBody    string `json:"example_body,omitempty"`
}

// Exchanges is the status codes one spec saw.
type Exchanges struct {
	Tallies []Tally `json:"tallies"`
}

// Property is the outcome of one property spec.
type Property struct {
	Label      string `json:"label"`
	Cases      int    `json:"cases"`
	NotChecked int    `json:"not_checked,omitempty"` // cases without an answer: no verdict
	Seed       int64  `json:"seed"`
	RunSeed    int64  `json:"run_seed"`
}

// entry decodes a report entry's value as T. In the process that added it
// the value is the struct itself; after a trip between parallel processes
// it is JSON.
func entry[T any](e types.ReportEntry) (T, bool) {
	if v, ok := e.GetRawValue().(T); ok {
		return v, true
	}
	if p, ok := e.GetRawValue().(*T); ok && p != nil {
		return *p, true
	}
	var v T
	if e.Value.AsJSON == "" || json.Unmarshal([]byte(e.Value.AsJSON), &v) != nil {
		return v, false
	}
	return v, true
}
