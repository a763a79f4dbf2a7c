package runner

import (
	"sync"

	"github.com/swr-conformance/swr-conformance/fixtures/target"
	"github.com/swr-conformance/swr-conformance/internal/contract"
	"github.com/swr-conformance/swr-conformance/internal/swrclient"
)

// Trails are, per slot, the writes that brought its share to its state
// since it was last empty: a failure's reproduction sends them first, so
// it holds every request of the case in order (the first create before a
// duplicate, the create before an update). The specs' helpers keep them;
// the specs of several goroutines may use them at once.
type Trails struct {
	base   string // the target's base URL (Main sets it once the target is open)
	mu     sync.Mutex
	writes map[*target.Slot][]*swrclient.Exchange
	urls   sync.Map // *target.Slot → []string: the URL of its share, built once
}

func newTrails() *Trails {
	return &Trails{writes: map[*target.Slot][]*swrclient.Exchange{}}
}

// Removal is what a reproduction on the slot removes at its end: its share.
// Every request of a case carries it, so it is built once per slot.
func (t *Trails) Removal(s *target.Slot) []string {
	if u, ok := t.urls.Load(s); ok {
		return u.([]string)
	}
	u := []string{t.base + swrclient.SharePath(s.Namespace, s.Repository, s.Account)}
	t.urls.Store(s, u)
	return u
}

// Of is a copy of the slot's writes so far.
func (t *Trails) Of(s *target.Slot) []*swrclient.Exchange {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]*swrclient.Exchange(nil), t.writes[s]...)
}

// Wrote records a write on the slot's share, when it succeeded. A create
// adds to an empty slot only: a create of a share that exists changes
// nothing on a conforming target, whatever a faulty one answered.
//
// It also tells the slot (target.Slot.Wrote), whose release reads before
// it deletes unless a write may have made the share.
func (t *Trails) Wrote(s *target.Slot, ex *swrclient.Exchange) {
	s.Wrote(ex)
	if !ex.Succeeded() {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if ex.Op == contract.OpCreate && len(t.writes[s]) > 0 {
		return
	}
	t.writes[s] = append(t.writes[s], ex)
}

// Release drops what the trails keep of a slot given back.
func (t *Trails) Release(s *target.Slot) {
	t.Forget(s)
	t.urls.Delete(s)
}

// Forget empties the slot's trail: its share was removed.
func (t *Trails) Forget(s *target.Slot) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.writes, s)
}

// Leftovers are the slots whose share a failed removal left behind, with
// the removal's error: what a later case meets there is the run's doing,
// not the target's. Safe for use by several goroutines.
type Leftovers struct{ m sync.Map }

// Keep records that the slot's share could not be removed, and why.
func (l *Leftovers) Keep(s *target.Slot, why string) { l.m.Store(s, why) }

// Clear records that the slot is empty again.
func (l *Leftovers) Clear(s *target.Slot) { l.m.Delete(s) }

// Of is why the slot holds a share the run could not remove; false when it
// holds none.
func (l *Leftovers) Of(s *target.Slot) (why string, ok bool) {
	v, ok := l.m.Load(s)
	if !ok {
		return "", false
	}
	return v.(string), true
}
