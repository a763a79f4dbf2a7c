package swrclient

import (
	"sort"
	"sync"

	"github.com/swr-conformance/swr-conformance/internal/contract"
)

// Journal keeps what the two certified operations answered, for the
// reports' status codes: per operation and status (0: no answer) a count
// and the first exchange, and the first exchange of each distinct error
// body. The client adds every finished exchange; the run takes what a spec
// added when the spec ends (Take). It is safe for concurrent use.
type Journal struct {
	mu     sync.Mutex
	counts map[journalKey]*Count
	errors map[string]*Exchange // error body → the first exchange that had it
	order  []string             // the error bodies in the order first seen
}

// MaxErrorBodies bounds the distinct error bodies a Journal keeps between
// two Takes: a target that echoes its input answers every case with a
// body of its own.
const MaxErrorBodies = 1024

type journalKey struct {
	op     contract.Operation
	status int
}

// Count is how often an operation was answered with a status, and the
// first exchange that was.
type Count struct {
	Op     contract.Operation
	Status int // 0: no answer
	Count  int
	First  *Exchange
}

// Add keeps ex if it is of a certified operation; the client adds every
// exchange it finishes.
func (j *Journal) Add(ex *Exchange) {
	if !ex.Op.Certified() {
		return
	}
	status := ex.Status
	if !ex.Answered() {
		status = 0
	}
	k := journalKey{ex.Op, status}
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.counts == nil {
		j.counts, j.errors = map[journalKey]*Count{}, map[string]*Exchange{}
	}
	if c := j.counts[k]; c != nil {
		c.Count++
	} else {
		j.counts[k] = &Count{Op: ex.Op, Status: status, Count: 1, First: ex}
	}
	if status >= 400 && len(j.errors) < MaxErrorBodies {
		if _, seen := j.errors[string(ex.RespBody)]; !seen {
			j.errors[string(ex.RespBody)] = ex
			j.order = append(j.order, string(ex.RespBody))
		}
	}
}

// Take returns what was added since the last Take, and forgets it: the
// counts, by operation and status, and the first exchange of each distinct
// error body, in the order first seen.
func (j *Journal) Take() ([]Count, []*Exchange) {
	j.mu.Lock()
	defer j.mu.Unlock()
	counts := make([]Count, 0, len(j.counts))
	for _, c := range j.counts {
		counts = append(counts, *c)
	}
	sort.Slice(counts, func(a, b int) bool {
		if counts[a].Op != counts[b].Op {
			return counts[a].Op < counts[b].Op
		}
		return counts[a].Status < counts[b].Status
	})
	errs := make([]*Exchange, 0, len(j.order))
	for _, body := range j.order {
		errs = append(errs, j.errors[body])
	}
	j.counts, j.errors, j.order = nil, nil, nil
	return counts, errs
}
