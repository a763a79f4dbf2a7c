package pace

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"
)

// TestRemotesShareOneSchedule: two processes of a run under SWR_RATE=10
// together get one request every 100 ms, never two processes the same
// slot: the cap is for the whole run.
func TestRemotesShareOneSchedule(t *testing.T) {
	l := NewLimiter(200, nil)
	var mu sync.Mutex
	var grants []time.Time
	l.onGrant = func(at time.Time) {
		mu.Lock()
		grants = append(grants, at)
		mu.Unlock()
	}
	srv, err := Serve(l)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	var wg sync.WaitGroup
	for p := 0; p < 2; p++ {
		r, err := Dial(srv.Address(), 2)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		for g := 0; g < 3; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 4; i++ {
					if err := r.Wait(context.Background()); err != nil {
						t.Error(err)
					}
				}
			}()
		}
	}
	wg.Wait()
	if len(grants) != 24 {
		t.Fatalf("%d slots for 24 requests", len(grants))
	}
	slices.SortFunc(grants, func(a, b time.Time) int { return a.Compare(b) })
	for i := 1; i < len(grants); i++ {
		if gap := grants[i].Sub(grants[i-1]); gap < 5*time.Millisecond {
			t.Fatalf("slots %d and %d are %s apart, want at least 5ms: under SWR_RATE=200 two processes must not share the rate's slots", i-1, i, gap)
		}
	}
}

// TestRefusalReachesEveryProcess: a 429 one process meets puts the rate in
// force for all of them; before it, nobody asks the server for slots.
func TestRefusalReachesEveryProcess(t *testing.T) {
	c := newClock()
	l := NewLimiter(0, c.Now)
	srv, err := Serve(l)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	a, err := Dial(srv.Address(), 2)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Dial(srv.Address(), 2)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if a.Rate() != 0 || b.Rate() != 0 {
		t.Fatalf("rates %g, %g before any refusal, want 0", a.Rate(), b.Rate())
	}
	for i := 0; i < 20; i++ {
		a.Answered(201)
		b.Answered(201)
	}
	// The accepted answers reach the server within a report interval:
	// wait for that fact (the reports are timed, not the test).
	deadline := time.Now().Add(5 * time.Second)
	for settledAt(l, c.Now()) < 40 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	for i := 0; i < 5; i++ { // more than chance among 45 (TestRefusalLearnsAcceptedRate)
		a.Answered(429)
	}
	for b.Rate() == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if got := b.Rate(); got == 0 {
		t.Fatal("process b never learned the rate after process a was refused")
	}
	if got, want := l.Rate(), cutTo*40; got != want {
		t.Errorf("learned rate %g, want %g (0.95 × the 40 accepted in the last second)", got, want)
	}
}

// settledAt is the count of unpaced accepted answers in l's last second.
func settledAt(l *Limiter, now time.Time) int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.second.sum(now).settled
}
