package runner

import (
	"slices"
	"testing"

	"github.com/swr-conformance/swr-conformance/fixtures/target"
	"github.com/swr-conformance/swr-conformance/internal/contract"
	"github.com/swr-conformance/swr-conformance/internal/swrclient"
)

// A slot's trail holds the writes that made its share's state: the create
// that made it, then the updates; not a create that met the share, nor a
// write that failed; emptied when the share is removed.
func TestTrails(t *testing.T) {
	tr := newTrails()
	tr.base = "https://swr-api.example.com"
	s := &target.Slot{Namespace: "ns", Repository: "team/app", Account: "peer-1"}
	other := &target.Slot{Namespace: "ns", Repository: "team/app", Account: "peer-2"}
	created := &swrclient.Exchange{Op: contract.OpCreate, Status: 201}
	again := &swrclient.Exchange{Op: contract.OpCreate, Status: 201} // a faulty target's answer to a duplicate
	refused := &swrclient.Exchange{Op: contract.OpUpdate, Status: 400}
	updated := &swrclient.Exchange{Op: contract.OpUpdate, Status: 201}
	for _, ex := range []*swrclient.Exchange{refused, created, again, updated} {
		tr.Wrote(s, ex)
	}
	got := tr.Of(s)
	if !slices.Equal(got, []*swrclient.Exchange{created, updated}) {
		t.Fatalf("trail %v, want the create that made the share, then the update", got)
	}
	got[0] = nil
	if tr.Of(s)[0] != created {
		t.Error("Of gave the trail itself: a caller's change reached it")
	}
	if len(tr.Of(other)) != 0 {
		t.Error("another slot's trail holds this slot's writes")
	}
	if u := tr.Removal(s); len(u) != 1 || u[0] != "https://swr-api.example.com"+swrclient.SharePath("ns", "team/app", "peer-1") {
		t.Errorf("removal %q, want the URL of the slot's share", u)
	}
	tr.Forget(s)
	if len(tr.Of(s)) != 0 {
		t.Error("after Forget the trail is not empty")
	}
	tr.Wrote(s, again)
	if !slices.Equal(tr.Of(s), []*swrclient.Exchange{again}) {
		t.Error("a create on an emptied slot is its trail's first write")
	}
	tr.Release(s)
	if len(tr.Of(s)) != 0 {
		t.Error("after Release the trail is not empty")
	}
}

func TestLeftovers(t *testing.T) {
	var l Leftovers
	s := &target.Slot{Account: "peer-1"}
	if _, ok := l.Of(s); ok {
		t.Fatal("a slot nobody marked holds a leftover")
	}
	l.Keep(s, "DELETE answered 500")
	if why, ok := l.Of(s); !ok || why != "DELETE answered 500" {
		t.Errorf("Of = %q, %v; want the removal's error", why, ok)
	}
	if _, ok := l.Of(&target.Slot{Account: "peer-1"}); ok {
		t.Error("another slot with the same names holds this slot's leftover: slots are told apart by identity")
	}
	l.Clear(s)
	if _, ok := l.Of(s); ok {
		t.Error("after Clear the slot still holds a leftover")
	}
}
