// Package pace keeps a run's requests to the rate its target allows: the
// hard cap the user sets (SWR_RATE) and the rate a throttling gateway's
// answers show, found during the run and kept (contract section 6: "a
// polite client finds that rate and keeps to it rather than being refused
// again and again").
//
// A run has one Limiter, whatever its number of processes: the process
// that launches the others serves it on loopback (Server), and each
// process's requests take their slots from it (Remote). A run in one
// process uses it directly (Local). Until a gateway throttles and no cap is
// set, nothing is paced and no process asks anyone before sending: the
// loopback run against the embedded server pays nothing for it.
package pace

import (
	"context"
	"math"
	"sync"
	"time"

	"github.com/swr-conformance/swr-conformance/internal/transport"
)

// Gate is what a client asks before each attempt and tells after it.
type Gate interface {
	// Wait returns when the next request may be sent, or with ctx's error.
	Wait(ctx context.Context) error
	// Answered tells the gate how an attempt was answered: its status, 0
	// when no answer came. 429 and 503 slow the whole run down.
	Answered(status int)
}

// The constants of the adaptation. A throttling gateway is a token bucket
// refilled at its limit L; while the run sends faster than L, the answers it
// accepts come at L. So on a refusal the limiter measures what was accepted
// over the last second and keeps to just under it (cut); then, as long as
// the run is bound by the rate and nothing is refused, it probes upwards
// every second, by a little first and then by more (raise), so that a limit
// that was measured low, or went up, is found again. At a 20 per second gateway that is about one
// refusal every few seconds, and an average rate within a few percent of
// the limit.
const (
	// cutTo is the share of the measured accepted rate kept after a refusal.
	cutTo = 0.95
	// cutAtLeast bounds one cut: a refusal after a quiet second (few
	// accepted, because few were sent) must not collapse the rate.
	cutAtLeast = 0.5
	// holdoff is how long after a cut further refusals count as the same
	// overshoot: requests already on their way were sent at the old rate.
	holdoff = time.Second
	// firstRaise is the probe: a second after a cut the rate grows by this
	// share, and each further second without a refusal by twice the share
	// before (up to doubling): near the limit the probe crosses it by a
	// little; far below it (a gateway with no burst makes the first
	// measure low) the rate is found again in a few seconds.
	firstRaise = 0.02
	maxRaise   = 1.0
	// nearPeak: at this share of the rate last refused, or above, the
	// probe stays at firstRaise: a gateway that stores unused tokens
	// would let a fast probe through for a while, and then refuse it many
	// times over.
	nearPeak = 0.9
	// minEvidence is the fewest requests answered in the last second for
	// a refusal to say anything about a limit: fewer, and a refusal or
	// two make a share that means nothing. The vendor's gateways allow 10
	// to 20 a second.
	minEvidence = 10
	// deadBand is the share of the last ten seconds' requests refused
	// that is too small to lower the rate or to stop it rising: a backend
	// that fails one request in a hundred at any rate must not slow a run
	// down second after second until it crawls. Over a gateway's limit the
	// share grows past it in a few seconds.
	deadBand = 0.02
	// chanceMargin is how far, in standard deviations, the refusals
	// must pass the dead band's count before they cut the rate while no
	// rate is in force. A few refusals among a few dozen requests are
	// chance, not a limit: a backend failing one request in a hundred at
	// random put 2 among a run's first 50 often enough to cut its rate for
	// nothing (the e2e test of such a backend took from 3 to 19 s, and 9
	// of 20 simulated runs took up to ten times as long; with this margin,
	// 2 of 1,000 still do). A run that meets a gateway's limit unpaced
	// gets refusals by the dozen within the second, far past the margin.
	// Once a rate is in force (learned, or SWR_RATE), the run goes at about
	// that pace, and the share alone decides.
	chanceMargin = 4
	// minRate is the lowest rate learned: one request every two seconds.
	minRate = 0.5
	// buckets is the number of spans a ring keeps: the accepted rate is
	// measured over the last second in tenths (bucketSpan).
	buckets    = 10
	bucketSpan = 100 * time.Millisecond
)

// Limiter is a run's one schedule of request slots. Its zero value is not
// usable; see NewLimiter. It is safe for concurrent use.
type Limiter struct {
	now func() time.Time

	mu       sync.Mutex
	cap      float64 // requests per second at most; 0: none
	learned  float64 // the rate the gateway's answers showed; 0: none yet
	next     time.Time
	lastCut  time.Time
	lastMove time.Time // the last cut or raise
	step     float64   // the share of the next raise
	peak     float64   // the rate in force at the last cut; 0: none (the first cut came with no rate)
	queued   bool      // a request waited for its slot since the last raise
	// second counts the last second in tenths, tenSeconds the last ten
	// seconds: the rate accepted is measured over the first, the share
	// refused over the second (see deadBand).
	second, tenSeconds ring
	watchers           []func(rate float64)
	onGrant            func(at time.Time) // tests: sees every slot granted

	stats Stats
}

// bucket counts what happened in one bucketSpan of the last second.
type bucket struct {
	idx                       int64 // which span: time / bucketSpan
	granted, refused, settled int64
}

// Stats are what the limiter did, for the reports.
type Stats struct {
	// Learned is the rate last learned from the gateway's answers (0:
	// none: nothing was refused).
	Learned float64 `json:"learned_rate,omitempty"`
	// Cuts counts the times the rate was lowered after a refusal.
	Cuts int `json:"cuts,omitempty"`
	// Paced is the time requests waited for their slots, summed.
	Paced time.Duration `json:"paced_ns,omitempty"`
}

// NewLimiter returns the limiter of a run with the hard cap rate (requests
// per second for the whole run; 0: none). now is the clock (nil: time.Now).
func NewLimiter(rate float64, now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	if rate < 0 {
		rate = 0
	}
	return &Limiter{now: now, cap: rate, second: ring{span: bucketSpan}, tenSeconds: ring{span: time.Second}}
}

// Rate is the rate requests are paced at now: the lower of the cap and
// the learned rate; 0 when neither is set, i.e. not paced.
func (l *Limiter) Rate() float64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.rate()
}

func (l *Limiter) rate() float64 {
	switch {
	case l.learned == 0:
		return l.cap
	case l.cap == 0:
		return l.learned
	}
	return math.Min(l.cap, l.learned)
}

// Stats returns what the limiter did so far.
func (l *Limiter) Stats() Stats {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.stats
	s.Learned = l.learned
	return s
}

// Watch has f called with the new rate whenever it changes (under the
// limiter's lock: f must not call back into it), and once now.
func (l *Limiter) Watch(f func(rate float64)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.watchers = append(l.watchers, f)
	f(l.rate())
}

// Reserve takes the next free slot if it is at most one interval away,
// and returns how long to wait for it (ok): 0 when requests are not paced.
// When other callers hold the slots before it, it takes none and says when
// to ask again (not ok): slots are never handed out far ahead, so that a
// change of the rate applies to the very next requests, not after a queue
// of slots planned at the old one. A slot reserved by a caller that then
// gives up stays used, which only ever slows the run, never speeds it up
// past the rate.
func (l *Limiter) Reserve() (wait time.Duration, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.maybeRaise(now)
	r := l.rate()
	if r == 0 {
		return 0, true
	}
	interval := time.Duration(float64(time.Second) / r)
	if l.next.Before(now) {
		l.next = now // idle time does not accumulate into a burst
	}
	if ahead := l.next.Sub(now); ahead > interval {
		l.queued = true
		return ahead - interval, false
	}
	at := l.next
	l.next = l.next.Add(interval)
	if l.onGrant != nil {
		l.onGrant(at)
	}
	// Counted when granted: the slot is at most an interval ahead.
	l.add(now, 1, 0, 0)
	wait = at.Sub(now)
	if wait > 0 {
		l.queued = true
	}
	l.stats.Paced += wait
	return wait, true
}

// Take waits for a slot (Reserve), or until ctx ends.
func (l *Limiter) Take(ctx context.Context, sleep func(context.Context, time.Duration) error) error {
	for {
		d, ok := l.Reserve()
		if err := sleepFor(sleep, ctx, d); err != nil || ok {
			return err
		}
	}
}

// Answered takes an answer into account: a 429 or 503 is a refusal (see
// Refused); any other answer to a request sent while no rate was in force
// counts towards what the target accepted (see Settled); 0 (no answer)
// says nothing about the rate.
func (l *Limiter) Answered(status int) {
	switch {
	case transport.SlowDown(status):
		l.Refused()
	case status != 0:
		l.mu.Lock()
		if l.rate() == 0 {
			l.add(l.now(), 0, 0, 1)
		}
		l.mu.Unlock()
	}
}

// Settled counts n answers of requests that were not paced (sent while no
// rate was in force) and not refused: with the slots granted, they tell
// the limiter how many requests the target accepted in the last second.
func (l *Limiter) Settled(n int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.add(l.now(), 0, 0, int64(n))
}

// Refused takes a 429 or 503 answer into account: the first refusal after
// the holdoff lowers the rate to just under what was accepted over the
// last second.
//
// The limiter cannot tell a gateway's refusals from a target's that come
// however slowly the run sends (a flaky backend's 503s): it slows down for
// both, unless they are rarer than deadBand. It learns nothing from a run
// sending fewer than minEvidence requests a second, where each refused
// request waits on its own.
func (l *Limiter) Refused() {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.add(now, 0, 1, 0)
	if !l.lastCut.IsZero() && now.Sub(l.lastCut) < holdoff {
		return
	}
	last := l.second.sum(now)
	// Refusals of unpaced requests were never granted a slot: only those
	// of paced ones are taken off the slots granted.
	accepted := float64(last.settled + max(0, last.granted-last.refused))
	if last.attempts() < minEvidence {
		// A run sending a handful of requests a second learns nothing
		// about a limit from a refusal: each refused request waits on its
		// own (transport.Policy), and the rate stays.
		return
	}
	if !l.pastDeadBand(now) {
		// As rare as a flaky backend's: each waits on its own.
		return
	}
	rate := cutTo * accepted
	if cur := l.rate(); cur > 0 {
		rate = math.Max(cutAtLeast*cur, math.Min(cutTo*cur, rate))
	}
	l.peak = l.rate()
	l.setLearned(math.Max(minRate, rate))
	l.lastCut, l.lastMove, l.step = now, now, firstRaise
	l.stats.Cuts++
}

// maybeRaise probes upwards: each whole second since the last move in
// which the run used most of its slots and nothing was refused raises the
// learned rate by the step, and doubles the step.
func (l *Limiter) maybeRaise(now time.Time) {
	if l.learned == 0 || now.Sub(l.lastMove) < time.Second {
		return
	}
	// Raised only after a second without refusals, when requests waited
	// for their slots since the last move: a run that sends less than the
	// rate allows learns nothing by raising it, and would burst later.
	if l.second.sum(now).refused > 0 || !l.queued {
		return
	}
	l.queued = false
	if l.cap > 0 && l.learned >= l.cap {
		return // the cap rules: raising would learn nothing
	}
	l.setLearned(l.learned * (1 + l.step))
	if l.peak == 0 || l.learned < nearPeak*l.peak {
		l.step = math.Min(maxRaise, 2*l.step)
	} else {
		l.step = firstRaise
	}
	l.lastMove = now
}

func (l *Limiter) setLearned(rate float64) {
	before := l.rate()
	l.learned = rate
	if after := l.rate(); after != before {
		for _, f := range l.watchers {
			f(after)
		}
	}
}

// ring is the last ten spans of some length, one bucket each.
type ring struct {
	span time.Duration
	b    [buckets]bucket
}

// add counts into the bucket of the span t falls in, emptied first if it
// held an older span.
func (r *ring) add(t time.Time, granted, refused, settled int64) {
	idx := t.UnixNano() / int64(r.span)
	b := &r.b[idx%buckets]
	if b.idx != idx {
		*b = bucket{idx: idx}
	}
	b.granted += granted
	b.refused += refused
	b.settled += settled
}

// sum adds up the buckets of the last ten spans.
func (r *ring) sum(now time.Time) (sum bucket) {
	idx := now.UnixNano() / int64(r.span)
	for i := range r.b {
		if b := &r.b[i]; b.idx > idx-buckets && b.idx <= idx {
			sum.granted += b.granted
			sum.refused += b.refused
			sum.settled += b.settled
		}
	}
	return sum
}

// pastDeadBand says whether the last ten seconds' refusals are more than
// deadBand's share of the requests sent: with no rate in force, by more
// than chance gives (chanceMargin standard deviations of that count).
func (l *Limiter) pastDeadBand(now time.Time) bool {
	b := l.tenSeconds.sum(now)
	band := deadBand * float64(b.attempts())
	if l.rate() == 0 {
		band += chanceMargin * math.Sqrt(band)
	}
	return float64(b.refused) > band
}

// add counts into both rings.
func (l *Limiter) add(t time.Time, granted, refused, settled int64) {
	l.second.add(t, granted, refused, settled)
	l.tenSeconds.add(t, granted, refused, settled)
}

// attempts is what a sum of buckets says was sent: the slots granted, the
// unpaced answers accepted, and the refusals of unpaced requests (paced
// ones had a slot).
func (b bucket) attempts() int64 { return b.granted + b.settled + max(0, b.refused-b.granted) }

// Local is the Gate of a run in one process: the limiter itself.
type Local struct {
	L     *Limiter
	Sleep func(ctx context.Context, d time.Duration) error // nil: a real timer
}

// Wait waits for the next slot.
func (g *Local) Wait(ctx context.Context) error { return g.L.Take(ctx, g.Sleep) }

// Answered tells the limiter (Limiter.Answered).
func (g *Local) Answered(status int) { g.L.Answered(status) }

func sleepFor(f func(context.Context, time.Duration) error, ctx context.Context, d time.Duration) error {
	if f != nil {
		return f(ctx, d)
	}
	return transport.Sleep(ctx, d)
}
