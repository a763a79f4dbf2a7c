package pace

import (
	"container/heap"
	"context"
	"math"
	"math/rand/v2"
	"sync"
	"testing"
	"time"
)

// clock is a fake clock a test moves by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

func TestNoRateNoWait(t *testing.T) {
	l := NewLimiter(0, newClock().Now)
	for i := 0; i < 100; i++ {
		if d, ok := l.Reserve(); d != 0 || !ok {
			t.Fatalf("reserve %d: wait %s with no cap and nothing refused, want 0: an unthrottled run must not be slowed", i, d)
		}
		l.Answered(201)
	}
	if r := l.Rate(); r != 0 {
		t.Errorf("rate %g after only accepted answers, want 0 (none in force)", r)
	}
}

// sleeper is a Sleep that moves the fake clock.
func (c *clock) Sleep(ctx context.Context, d time.Duration) error {
	if d > 0 {
		c.Set(c.Now().Add(d))
	}
	return ctx.Err()
}

func TestCapSpacesSlots(t *testing.T) {
	c := newClock()
	l := NewLimiter(4, c.Now)
	var grants []time.Time
	l.onGrant = func(at time.Time) { grants = append(grants, at) }
	start := c.Now()
	for i := 0; i < 8; i++ {
		if err := l.Take(context.Background(), c.Sleep); err != nil {
			t.Fatal(err)
		}
	}
	for i, at := range grants {
		if want := start.Add(time.Duration(i) * 250 * time.Millisecond); !at.Equal(want) {
			t.Fatalf("slot %d at %s, want %s: SWR_RATE=4 is one request every 250 ms", i, at.Sub(start), want.Sub(start))
		}
	}
	// Slots are not handed out far ahead: with the next slot taken, the
	// one after is not granted yet.
	l.Reserve()
	if _, ok := l.Reserve(); ok {
		t.Error("a slot two intervals ahead was granted: a change of the rate would only apply after it")
	}
	// Idle time does not build up a burst.
	c.Set(c.Now().Add(10 * time.Second))
	d1, ok1 := l.Reserve()
	d2, ok2 := l.Reserve()
	if d1 != 0 || d2 != 250*time.Millisecond || !ok1 || !ok2 {
		t.Errorf("after idling: waits %s, %s, want 0 and 250ms: idle time must not turn into a burst", d1, d2)
	}
}

func TestCapIsNeverRaisedPast(t *testing.T) {
	c := newClock()
	l := NewLimiter(10, c.Now)
	l.Refused() // learns a rate from nothing accepted: the minimum
	for i := 0; i < 1000; i++ {
		l.Take(context.Background(), c.Sleep)
		l.Reserve() // a second caller queues: the run is bound by the rate
	}
	if r := l.Rate(); r > 10 {
		t.Errorf("rate %g after probing for %s, want at most the cap 10", r, time.Second)
	}
}

func TestRefusalLearnsAcceptedRate(t *testing.T) {
	c := newClock()
	l := NewLimiter(0, c.Now)
	start := c.Now()
	// 30 accepted answers in the last second, then refusals: three among
	// 33 requests are within chance of a 2% share (0.66 expected, and
	// chanceMargin = 4 standard deviations of 0.81); a fourth is not.
	for i := 0; i < 30; i++ {
		c.Set(start.Add(time.Duration(i) * 30 * time.Millisecond))
		l.Answered(200)
	}
	for i := 0; i < 3; i++ {
		l.Answered(429)
	}
	if r := l.Rate(); r != 0 {
		t.Fatalf("rate %g after 30 accepted and 3 refused, want none yet: as few as that are chance", r)
	}
	l.Answered(429)
	if r, want := l.Rate(), cutTo*30; math.Abs(r-want) > 1e-9 {
		t.Fatalf("rate %g after 30 accepted in the last second and four 429s, want %g", r, want)
	}
	// Refusals within the holdoff are the same overshoot.
	c.Set(c.Now().Add(holdoff / 2))
	l.Answered(503)
	if r := l.Rate(); math.Abs(r-cutTo*30) > 1e-9 {
		t.Errorf("rate %g after a second refusal within the holdoff, want it unchanged at %g", r, cutTo*30)
	}
	if s := l.Stats(); s.Cuts != 1 {
		t.Errorf("%d cuts, want 1", s.Cuts)
	}
}

// TestRateFoundAndKept runs the limiter against simulated gateways with
// the load of a default run: 16 requests in flight, 2 ms each, 2,300 that
// must be accepted, a refused one sent again after 500 ms. The vendor's
// gateways are token buckets of 10 to 20 per second with a second's burst;
// for them, the goals of issue 19: at most 5% refused, wall at most 1.1 ×
// the floor (accepted ÷ limit). A gateway with no burst to speak of (nginx's
// limit_req without one) makes the first measure low and refuses every
// overshoot at once: it is held to 5% refused and 1.25 × its floor.
func TestRateFoundAndKept(t *testing.T) {
	start := newClock().Now()
	for _, g := range []struct{ limit, burst, ratio float64 }{
		{10, 10, 1.1}, {20, 20, 1.1}, {50, 50, 1.1},
		{20, 5, 1.1}, {20, 1, 1.25},
	} {
		gw := &gatewayBucket{rate: g.limit, burst: g.burst, tokens: g.burst, last: start}
		refused, total, wall := simulate(gw.refuses, true, 16, 2300, 2*time.Millisecond)
		floor := time.Duration(2300 / g.limit * float64(time.Second))
		share := float64(refused) / float64(total)
		ratio := wall.Seconds() / floor.Seconds()
		t.Logf("gateway %g/s (burst %g): %d requests, %d refused (%.1f%%), wall %s, floor %s, ratio %.3f", g.limit, g.burst, total, refused, 100*share, wall.Round(time.Millisecond), floor, ratio)
		if share > 0.05 {
			t.Errorf("gateway %g/s, burst %g: %.1f%% of requests refused, want at most 5%%: a client refused that often looks like abuse", g.limit, g.burst, 100*share)
		}
		if ratio > g.ratio {
			t.Errorf("gateway %g/s, burst %g: wall %s is %.2f × the floor %s, want at most %g", g.limit, g.burst, wall, ratio, floor, g.ratio)
		}
	}
}

// gatewayBucket is the vendor's gateway as a token bucket.
type gatewayBucket struct {
	rate, burst, tokens float64
	last                time.Time
}

func (g *gatewayBucket) refuses(t time.Time) bool {
	g.tokens = math.Min(g.burst, g.tokens+t.Sub(g.last).Seconds()*g.rate)
	g.last = t
	if g.tokens >= 1 {
		g.tokens--
		return false
	}
	return true
}

// event is a worker's next step in the simulation.
type event struct {
	at     time.Time
	worker int
	send   bool // true: the request goes out now; false: it is ready to ask for a slot
}

type events []event

func (e events) Len() int           { return len(e) }
func (e events) Less(i, j int) bool { return e[i].at.Before(e[j].at) }
func (e events) Swap(i, j int)      { e[i], e[j] = e[j], e[i] }
func (e *events) Push(x any)        { *e = append(*e, x.(event)) }
func (e *events) Pop() any {
	old := *e
	x := old[len(old)-1]
	*e = old[:len(old)-1]
	return x
}

// simulate runs work requests through a limiter, each refused when refuses
// says so at the time it is sent; adapt false keeps the refusals from the
// limiter (the run as it would go without it).
func simulate(refuses func(time.Time) bool, adapt bool, workers, work int, latency time.Duration) (refused, total int, wall time.Duration) {
	c := newClock()
	start := c.Now()
	l := NewLimiter(0, c.Now)
	q := &events{}
	for w := 0; w < workers; w++ {
		heap.Push(q, event{at: start, worker: w})
	}
	accepted := 0
	end := start
	for q.Len() > 0 && accepted < work {
		e := heap.Pop(q).(event)
		c.Set(e.at)
		if !e.send {
			d, ok := l.Reserve()
			heap.Push(q, event{at: e.at.Add(d), worker: e.worker, send: ok})
			continue
		}
		total++
		ok := !refuses(e.at)
		done := e.at.Add(latency)
		c.Set(done)
		if ok {
			l.Answered(200)
			accepted++
			end = done
			heap.Push(q, event{at: done, worker: e.worker})
		} else {
			if adapt {
				l.Answered(429)
			}
			refused++
			heap.Push(q, event{at: done.Add(500 * time.Millisecond), worker: e.worker})
		}
	}
	return refused, total, end.Sub(start)
}

// TestRareRefusalsDoNotSlowTheRun: a backend that fails one request in a
// hundred at any rate (a flaky one's 503s) must not have a fast run slow
// down second after second: it takes about as long as without the limiter.
func TestRareRefusalsDoNotSlowTheRun(t *testing.T) {
	n := 0
	refuses := func(time.Time) bool { n++; return n%100 == 0 }
	_, _, without := simulate(refuses, false, 16, 20000, 2*time.Millisecond)
	n = 0
	refused, total, with := simulate(refuses, true, 16, 20000, 2*time.Millisecond)
	t.Logf("one in 100 refused: %d of %d, wall %s (%s without the limiter)", refused, total, with.Round(time.Millisecond), without.Round(time.Millisecond))
	if with > without*11/10 {
		t.Errorf("one request in 100 refused at any rate: the run took %s, %s without the limiter; want at most 1.1 × that", with, without)
	}
}

// TestRandomRareRefusalsDoNotSlowTheRun: the same backend failing one
// request in a hundred at random, not every hundredth: now and then two
// come among a run's first few dozen requests, a share far over the dead
// band that says nothing. Twenty such runs (2,300 requests, 16 in flight,
// 50 ms each, as against a registry far away) each take at most 1.1 × as
// long as without the limiter. Judged over the requests sent alone, some
// runs were cut at their first refusal and took several times as long.
func TestRandomRareRefusalsDoNotSlowTheRun(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		refuses := func() func(time.Time) bool {
			rng := rand.New(rand.NewPCG(seed, 0))
			return func(time.Time) bool { return rng.IntN(100) == 0 }
		}
		_, _, without := simulate(refuses(), false, 16, 2300, 50*time.Millisecond)
		refused, total, with := simulate(refuses(), true, 16, 2300, 50*time.Millisecond)
		if with > without*11/10 {
			t.Errorf("seed %d: %d of %d refused at random: the run took %s, %s without the limiter; want at most 1.1 × that", seed, refused, total, with.Round(time.Millisecond), without.Round(time.Millisecond))
		}
	}
}

func TestLocalWaitHonoursContext(t *testing.T) {
	c := newClock()
	g := &Local{L: NewLimiter(1, c.Now)}
	g.L.Reserve() // the first slot is taken: the next is a second away
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := g.Wait(ctx); err == nil {
		t.Error("Wait with an ended context returned nil, want the context's error")
	}
}

// A target that refuses everything has the rate come down and stay down,
// however little it helps.
func TestRefusingEverythingKeepsTheRateDown(t *testing.T) {
	c := newClock()
	l := NewLimiter(0, c.Now)
	for i := 0; i < 2000; i++ {
		l.Take(context.Background(), c.Sleep)
		l.Answered(429)
		c.Set(c.Now().Add(2 * time.Millisecond))
	}
	if r := l.Rate(); r == 0 || r > 1 {
		t.Errorf("rate %g after 2,000 requests all refused, want it down at the lowest (%g)", r, minRate)
	}
}
