package suites

import (
	"sort"
	"sync"

	"github.com/swr-conformance/swr-conformance/internal/report"
	"github.com/swr-conformance/swr-conformance/internal/swrclient"
)

// recorder counts the status codes the two certified operations answered,
// with one example request per code: the reports' status-code section is
// built from what came over the wire, not derived from the requirements.
type recorder struct {
	mu     sync.Mutex
	counts map[tallyKey]*report.Tally
}

type tallyKey struct {
	op   swrclient.Operation
	code int
}

func newRecorder() *recorder { return &recorder{counts: map[tallyKey]*report.Tally{}} }

// add is the client's Observe hook: cheap, since it runs for every request.
func (r *recorder) add(ex *swrclient.Exchange) {
	if !ex.Op.Certified() {
		return
	}
	code := ex.Status
	if !ex.Answered() {
		code = 0
	}
	k := tallyKey{ex.Op, code}
	r.mu.Lock()
	defer r.mu.Unlock()
	if t := r.counts[k]; t != nil {
		t.Count++
		return
	}
	r.counts[k] = &report.Tally{Operation: string(ex.Op), Code: code, Count: 1, Example: requestLine(ex)}
}

func (r *recorder) reset() {
	r.mu.Lock()
	r.counts = map[tallyKey]*report.Tally{}
	r.mu.Unlock()
}

// drain returns the tallies since the last reset, in a stable order.
func (r *recorder) drain() []report.Tally {
	r.mu.Lock()
	defer r.mu.Unlock()
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
