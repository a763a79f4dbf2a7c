package console

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
)

// Event is one thing a process of the run tells the console.
type Event struct {
	Kind      string        `json:"kind"`                 // Begin, Start, Done or NoRun
	Proc      int           `json:"proc,omitempty"`       // the Ginkgo process, from 1
	Total     int           `json:"total,omitempty"`      // Begin: how many specs will run, in all processes
	Spec      string        `json:"spec,omitempty"`       // Start, Done: the spec's name, "[ID] rule (detail)"
	Outcome   string        `json:"outcome,omitempty"`    // Done: passed, failed, not checked, interrupted, not run
	Duration  time.Duration `json:"duration,omitempty"`   // Done: how long the spec took
	Requests  int64         `json:"requests,omitempty"`   // requests the process has sent so far
	SlowDowns int64         `json:"slow_downs,omitempty"` // 429 and 503 answers the process has had so far
	Message   string        `json:"message,omitempty"`    // NoRun: why the process stopped before its first spec
	Ack       bool          `json:"ack,omitempty"`        // the sender waits until the event is handled
}

// Kinds of Event.
const (
	Begin = "begin" // the specs are about to run
	Start = "start" // a spec starts
	Done  = "done"  // a spec finished
	NoRun = "no-run"
)

// Heartbeat is the longest silence, where the output is not a terminal,
// while a spec runs.
const Heartbeat = 30 * time.Second

// Counters are what a process has sent, and how often it was asked to
// slow down.
type Counters struct{ Requests, SlowDowns int64 }

// Progress follows the specs of a run, from the events of its processes,
// and shows it on a console.
type Progress struct {
	c   *Console
	now func() time.Time

	mu      sync.Mutex
	total   int
	began   time.Time
	done    int
	running map[int]running  // by process
	counts  map[int]Counters // by process: the latest
	live    func() Counters  // this process's counters, between events
	last    time.Time        // when the last line was printed

	interval time.Duration // between Ticks (Run)
	stop     chan struct{}
	once     sync.Once
	wg       sync.WaitGroup
}

type running struct {
	spec  string
	since time.Time
}

// NewProgress shows progress on c; now is the clock (time.Now).
func NewProgress(c *Console, now func() time.Time) *Progress {
	return &Progress{c: c, now: now, running: map[int]running{}, counts: map[int]Counters{}, stop: make(chan struct{})}
}

// Live has the status line read the counters with f between events (a run
// in one process).
func (p *Progress) Live(f func() Counters) {
	p.mu.Lock()
	p.live = f
	p.mu.Unlock()
}

// Handle takes one event of a process.
func (p *Progress) Handle(e Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if p.began.IsZero() {
		p.began, p.last = now, now
	}
	switch e.Kind {
	case Begin:
		p.total, p.began, p.last = e.Total, now, now
	case Start:
		p.running[e.Proc] = running{e.Spec, now}
		p.counts[e.Proc] = Counters{e.Requests, e.SlowDowns}
	case Done:
		delete(p.running, e.Proc)
		p.counts[e.Proc] = Counters{e.Requests, e.SlowDowns}
		p.done++
		if !p.c.Terminal() {
			p.c.Println(p.doneLine(e))
			p.last = now
		}
	}
	p.redraw(now)
}

// doneLine is the line of a finished spec: n/N, outcome, duration, and the
// spec's name, which starts with its requirement ID.
func (p *Progress) doneLine(e Event) string {
	total := "?"
	if p.total > 0 {
		total = fmt.Sprint(p.total)
	}
	return fmt.Sprintf("%*d/%s %-12s %7s  %s", len(total), p.done, total, e.Outcome, Duration(e.Duration), e.Spec)
}

// Tick keeps the console current: on a terminal it redraws the status line
// (the time goes on); elsewhere it prints a line when a spec has been
// running for Heartbeat without any line.
func (p *Progress) Tick() {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if p.c.Terminal() {
		p.redraw(now)
		return
	}
	// Waiting for the next tick must not make the silence longer.
	if len(p.running) == 0 || now.Sub(p.last)+p.interval < Heartbeat {
		return
	}
	r, others := p.longest()
	more := ""
	if others > 0 {
		more = fmt.Sprintf(" (and %d more)", others)
	}
	p.c.Println(fmt.Sprintf("  still running after %s: %s%s; %d/%s done, %s elapsed", Duration(now.Sub(r.since)), r.spec, more, p.done, p.totalText(), Duration(now.Sub(p.began))))
	p.last = now
}

// longest is the spec that has been running longest, and how many others
// run beside it.
func (p *Progress) longest() (running, int) {
	procs := make([]int, 0, len(p.running))
	for proc := range p.running {
		procs = append(procs, proc)
	}
	sort.Ints(procs)
	var best running
	for _, proc := range procs {
		if r := p.running[proc]; best.since.IsZero() || r.since.Before(best.since) {
			best = r
		}
	}
	return best, len(procs) - 1
}

func (p *Progress) totalText() string {
	if p.total == 0 {
		return "?"
	}
	return fmt.Sprint(p.total)
}

// Run keeps the console current until End: Tick every interval.
func (p *Progress) Run(interval time.Duration) {
	p.mu.Lock()
	p.interval = interval
	p.mu.Unlock()
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-t.C:
				p.Tick()
			}
		}
	}()
}

// End stops the progress and clears the status line.
func (p *Progress) End() {
	p.once.Do(func() { close(p.stop) })
	p.wg.Wait()
	p.c.Close()
}

// Status is the status line: specs done of all, time elapsed and left,
// requests sent, slow-downs, and the spec that has been running longest.
func (p *Progress) Status() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.status(p.now())
}

func (p *Progress) redraw(now time.Time) {
	if p.c.Terminal() {
		p.c.SetStatus(p.status(now))
	}
}

func (p *Progress) status(now time.Time) string {
	var sum Counters
	if p.live != nil {
		sum = p.live()
	} else {
		for _, c := range p.counts {
			sum.Requests += c.Requests
			sum.SlowDowns += c.SlowDowns
		}
	}
	elapsed := now.Sub(p.began)
	left := "left: estimating"
	switch {
	case p.total > 0 && p.done >= p.total:
		left = "finishing"
	case p.done > 0 && p.total > 0:
		left = "~" + Duration(elapsed*time.Duration(p.total-p.done)/time.Duration(p.done)) + " left"
	}
	parts := []string{
		fmt.Sprintf("%d/%s specs done", p.done, p.totalText()),
		Duration(elapsed) + " elapsed",
		left,
		plural(sum.Requests, "request"),
		plural(sum.SlowDowns, "slow-down"),
	}
	if len(p.running) > 0 {
		r, _ := p.longest()
		parts = append(parts, r.spec)
	}
	return strings.Join(parts, " · ")
}

// Duration is d for a person: milliseconds under a second, tenths of a
// second under a minute, whole seconds above.
func Duration(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("%dms", d.Milliseconds())
	}
	if d < time.Minute {
		return fmt.Sprintf("%.1fs", d.Seconds())
	}
	return d.Round(time.Second).String()
}

func plural(n int64, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
