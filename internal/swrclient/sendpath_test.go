package swrclient

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/swr-conformance/swr-conformance/internal/contract"
	"github.com/swr-conformance/swr-conformance/internal/transport"
)

// gateLog is a Gate that records what it was asked and told.
type gateLog struct {
	mu     sync.Mutex
	events []string
}

func (g *gateLog) Wait(context.Context) error {
	g.mu.Lock()
	g.events = append(g.events, "wait")
	g.mu.Unlock()
	return nil
}

func (g *gateLog) Answered(status int) {
	g.mu.Lock()
	g.events = append(g.events, http.StatusText(status))
	g.mu.Unlock()
}

// Every attempt waits for the gate, is told to it and is recorded in the
// exchange: two 429s, a 503 and the answer are four attempts.
func TestEveryAttemptGatedAndRecorded(t *testing.T) {
	answers := []int{429, 503, 429, 201}
	var mu sync.Mutex
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		code := answers[min(n, len(answers)-1)]
		n++
		mu.Unlock()
		w.Header().Set("Retry-After", "0")
		w.WriteHeader(code)
	}))
	defer srv.Close()
	g := &gateLog{}
	c := New(srv.URL, "tok", transport.Base(false), 5*time.Second)
	c.Gate = g
	ex := c.Do(context.Background(), Request{Op: contract.OpCreate, Method: http.MethodPost, Path: "/x", Body: []byte("{}")})
	if ex.Status != 201 || len(ex.Attempts) != 4 || ex.SlowDowns() != 3 {
		t.Fatalf("got %d after %d attempts (%d slow-downs), want 201 after 4 (3)", ex.Status, len(ex.Attempts), ex.SlowDowns())
	}
	for i, a := range ex.Attempts {
		if a.Status != answers[i] {
			t.Errorf("attempt %d: %d, want %d", i+1, a.Status, answers[i])
		}
	}
	want := []string{"wait", "Too Many Requests", "wait", "Service Unavailable", "wait", "Too Many Requests", "wait", "Created"}
	if !slices.Equal(g.events, want) {
		t.Errorf("gate saw %q, want %q: every attempt waits for its slot and tells its answer", g.events, want)
	}
	if st := c.Stats(); st.Requests != 1 || st.Retries429 != 2 || st.Retries503 != 1 || st.GaveUp != 0 {
		t.Errorf("stats %+v, want 1 request, 2 × 429, 1 × 503 retried", st)
	}
}

// remover records the shares it was asked to remove.
type remover struct{ removed []ShareKey }

func (r *remover) RemoveShare(_ context.Context, ns, repo, account string) error {
	r.removed = append(r.removed, ShareKey{ns, repo, account})
	return nil
}

// A create that got no answer is sent again only as its Resend says: after
// the share is removed (ResendOnceRemoved), at once (ResendFreely), or
// never (the default).
func TestCreateResentOnlyAsAsked(t *testing.T) {
	var mu sync.Mutex
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n++
		first := n%2 == 1
		mu.Unlock()
		if first { // the first of each pair: the connection drops
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.(*net.TCPConn).SetLinger(0)
			conn.Close()
			return
		}
		w.WriteHeader(http.StatusCreated)
	}))
	defer srv.Close()
	rm := &remover{}
	c := New(srv.URL, "tok", transport.Base(false), 5*time.Second)
	c.Remover = rm
	share := ShareKey{"ns", "team/app", "peer-1"}
	ex := c.CreateShare(context.Background(), "ns", "team/app", []byte("{}"), WithResendOnceRemoved(share))
	if ex.Status != 201 || len(ex.Unanswered()) != 1 || !slices.Equal(rm.removed, []ShareKey{share}) {
		t.Errorf("ResendOnceRemoved: got %d after %d unanswered, removed %v; want 201 after 1, %v removed first", ex.Status, len(ex.Unanswered()), rm.removed, share)
	}
	ex = c.CreateShare(context.Background(), "ns", "team/app", []byte("{}"), WithResend(ResendFreely))
	if ex.Status != 201 || len(ex.Unanswered()) != 1 || len(rm.removed) != 1 {
		t.Errorf("ResendFreely: got %d after %d unanswered, %d removals; want 201 after 1, nothing removed", ex.Status, len(ex.Unanswered()), len(rm.removed))
	}
	ex = c.CreateShare(context.Background(), "ns", "team/app", []byte("{}"))
	if ex.Answered() || ex.NotResent == "" || len(ex.Attempts) != 1 {
		t.Errorf("default: got %d, %d attempts, not resent %q; want one unanswered attempt and why it was not sent again", ex.Status, len(ex.Attempts), ex.NotResent)
	}
}

// The reproduction is part of the exchange when Do returns; the journal
// has the certified operations' answers, and only theirs.
func TestReplayAndJournal(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(r.URL.Path))
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	c := New(srv.URL, "tok", transport.Base(false), 5*time.Second)
	c.Journal = &Journal{}
	rp := &Replay{Remove: []string{"x"}}
	ex := c.CreateShare(context.Background(), "a", "r1", []byte("{}"), WithReplay(rp))
	if ex.Replay != rp {
		t.Error("the exchange returned has no Replay: it must be complete when published")
	}
	c.CreateShare(context.Background(), "a", "r2", []byte("{}"))
	c.CreateShare(context.Background(), "a", "r2", []byte("{}"))
	c.ShowShare(context.Background(), "a", "r1", "peer-1")
	counts, errs := c.Journal.Take()
	if len(counts) != 1 || counts[0].Op != contract.OpCreate || counts[0].Status != 400 || counts[0].Count != 3 || counts[0].First != ex {
		t.Errorf("counts %+v, want create → 400 three times, the first exchange kept", counts)
	}
	if len(errs) != 2 {
		t.Errorf("%d distinct error bodies, want 2", len(errs))
	}
	if counts, errs := c.Journal.Take(); len(counts)+len(errs) != 0 {
		t.Errorf("a second Take got %v %v, want nothing: Take forgets", counts, errs)
	}
}

// A request still slowed down when the retries run out has no answer to
// judge: a slow-down is never a verdict.
func TestSlowedDownPastRetriesIsNoAnswer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "0")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	c := New(srv.URL, "tok", transport.Base(false), 5*time.Second)
	ex := c.Do(context.Background(), Request{Op: contract.OpCreate, Method: http.MethodPost, Path: "/x", Body: []byte("{}")})
	if ex.Answered() || ex.Status != http.StatusTooManyRequests || ex.Err == nil {
		t.Fatalf("got answered=%v, %d, %v; want the 429 kept but no answer to judge", ex.Answered(), ex.Status, ex.Err)
	}
	if n := len(ex.Attempts); n != transport.DefaultMaxRetries+1 {
		t.Errorf("%d attempts, want %d", n, transport.DefaultMaxRetries+1)
	}
	if !strings.Contains(ex.String(), "no answer to judge: still slowed down (429 Too Many Requests) after 4 retries") {
		t.Errorf("the exchange does not say why it has no answer:\n%s", ex)
	}
	if st := c.Stats(); st.GaveUp != 1 || st.Refused429 != 5 || st.Retries429 != 4 {
		t.Errorf("stats %+v, want 5 refusals, 4 retried, 1 given up", st)
	}
}
