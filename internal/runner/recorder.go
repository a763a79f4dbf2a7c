package runner

import (
	"bytes"
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/swr-conformance/swr-conformance/internal/contract"
	"github.com/swr-conformance/swr-conformance/internal/report"
	"github.com/swr-conformance/swr-conformance/internal/swrclient"
)

// recorder counts the status codes the two certified operations answered,
// with one example request per code: the reports' status-code section is
// built from what came over the wire, not derived from the requirements.
type recorder struct {
	// journal is where the client keeps what the two operations answered
	// (swrclient.Journal); the recorder takes it at each spec's end.
	journal *swrclient.Journal

	mu     sync.Mutex
	counts map[tallyKey]*report.Tally
	shapes map[string]string // error body shape → one example request
	// known remembers the shape of each error body seen: a property sends
	// hundreds of cases that a target refuses with the same few bodies, and
	// naming a shape decodes JSON. Bounded, so an echoing target cannot
	// grow it without end.
	known map[string]string
}

// maxKnownShapes bounds recorder.known.
const maxKnownShapes = 1024

type tallyKey struct {
	op   contract.Operation
	code int
}

func newRecorder() *recorder {
	return &recorder{journal: &swrclient.Journal{}, counts: map[tallyKey]*report.Tally{}, shapes: map[string]string{}, known: map[string]string{}}
}

// pull takes what the journal kept since the last pull; r.mu is held.
func (r *recorder) pull() {
	counts, errs := r.journal.Take()
	for _, c := range counts {
		k := tallyKey{c.Op, c.Status}
		if t := r.counts[k]; t != nil {
			t.Count += c.Count
			continue
		}
		request, body := exampleOf(c.First)
		r.counts[k] = &report.Tally{Operation: c.Op, Code: c.Status, Count: c.Count, Example: RequestLine(c.First), ExampleRequest: request, ExampleBody: body}
	}
	for _, ex := range errs {
		if shape := r.shapeOf(ex.RespBody); shape != "" && r.shapes[shape] == "" {
			r.shapes[shape] = RequestLine(ex)
		}
	}
}

func (r *recorder) reset() {
	r.mu.Lock()
	r.journal.Take()
	r.counts = map[tallyKey]*report.Tally{}
	r.shapes = map[string]string{}
	r.mu.Unlock()
}

// drainShapes returns the error body shapes seen since the last reset, as
// observations: the contract leaves the shape open (contract §5).
func (r *recorder) drainShapes() []report.Observation {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pull()
	var out []report.Observation
	for shape, example := range r.shapes {
		out = append(out, report.Observation{Point: "error body shape", Choice: shape, Example: example})
	}
	r.shapes = map[string]string{}
	sort.Slice(out, func(i, j int) bool { return out[i].Choice < out[j].Choice })
	return out
}

// shapeOf is errorShape, remembered; r.mu is held.
func (r *recorder) shapeOf(body []byte) string {
	if shape, ok := r.known[string(body)]; ok {
		return shape
	}
	shape := errorShape(body)
	if len(r.known) < maxKnownShapes {
		r.known[string(body)] = shape
	}
	return shape
}

// errorShape names the shape of an error body, as the vendor's gateways
// differ: an object with errorCode/errorMessage, an array of those,
// error_code/error_msg from the API gateway, or something else.
func errorShape(body []byte) string {
	if len(bytes.TrimSpace(body)) == 0 {
		return "empty"
	}
	var obj map[string]json.RawMessage
	var arr []map[string]json.RawMessage
	switch {
	case json.Unmarshal(body, &obj) == nil:
		return "object with " + keysOf(obj)
	case json.Unmarshal(body, &arr) == nil && len(arr) > 0:
		return "array of objects with " + keysOf(arr[0])
	}
	return "not a JSON object"
}

func keysOf(m map[string]json.RawMessage) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return strings.Join(keys, ", ")
}

// drain returns the tallies since the last reset, in a stable order.
func (r *recorder) drain() []report.Tally {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pull()
	out := make([]report.Tally, 0, len(r.counts))
	for _, t := range r.counts {
		out = append(out, *t)
	}
	r.counts = map[tallyKey]*report.Tally{}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Operation != out[j].Operation {
			return out[i].Operation < out[j].Operation
		}
		return out[i].Code < out[j].Code
	})
	return out
}

// RequestLine is one exchange in one line, for examples in the reports:
// the method, the path, the body as sent (JSON as JSON), and the answer.
func RequestLine(ex *swrclient.Exchange) string {
	line := ex.Method + " " + ex.Path
	if body := exampleBody(ex); body != "" {
		line += " " + body
	}
	return line + " → " + exampleAnswer(ex)
}

// exampleOf is one exchange as report.html shows an example: the request
// line with its answer ("POST /v2/... → 201"), and the body apart.
func exampleOf(ex *swrclient.Exchange) (request, body string) {
	return ex.Method + " " + ex.Path + " → " + exampleAnswer(ex), exampleBody(ex)
}

func exampleAnswer(ex *swrclient.Exchange) string {
	if ex.Answered() {
		return strconv.Itoa(ex.Status)
	}
	return "no answer"
}

// exampleBody is the body of an example as sent, token removed, cut at
// about 200 bytes ("" without a body): JSON as JSON; a body that holds what
// a page cannot show is Go-quoted (swrclient.BodyText).
func exampleBody(ex *swrclient.Exchange) string {
	if ex.ReqBody == nil {
		return ""
	}
	body := ex.Redact(swrclient.BodyText(ex.ReqBody))
	if len(body) > 200 {
		cut := 200
		for !utf8.RuneStart(body[cut]) {
			cut--
		}
		body = body[:cut] + "..."
	}
	return body
}
