package console

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// A fake clock, moved by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newClock() *clock { return &clock{t: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)} }

func TestMarksOnly(t *testing.T) {
	green := func(s string) string { return "\x1b[38;5;10m" + s + "\x1b[0m" }
	for line, want := range map[string]bool{
		strings.Repeat(green(string(specMark)), 5) + "\n":                        true,
		strings.Repeat(string(specMark), 3):                                      true,
		"SS" + string(specMark) + "P\n":                                          true,
		"\x1b[38;5;9m" + string(specMark) + " [FAILED] [0.004 seconds]\x1b[0m\n": false,
		"Ran 88 of 88 Specs in 3.1 seconds\n":                                    false,
		"Will run 88 of 88 specs\n":                                              false,
		"\n":                                                                     false,
		"":                                                                       false,
		"S\n":                                                                    true,
		"SKIPPED\n":                                                              false,
	} {
		if got := MarksOnly(line); got != want {
			t.Errorf("MarksOnly(%q) = %v, want %v: a line of spec marks is dropped, any other line is Ginkgo's text and must be kept", line, got, want)
		}
	}
}

// Ginkgo's output, however it is cut into writes, comes out line by line
// without the rows of marks, and everything else kept as it was.
func TestPassthroughDropsOnlyMarks(t *testing.T) {
	mark := "\x1b[38;5;10m" + string(specMark) + "\x1b[0m"
	in := "Running Suite: x\nWill run 3 of 3 specs\n" + mark + mark + "\n\x1b[38;5;9m" + string(specMark) + " [FAILED] [0.1 seconds]\x1b[0m\nsomething broke\n" + mark + "\n\nRan 3 of 3 Specs\nunterminated"
	want := "Running Suite: x\nWill run 3 of 3 specs\n\x1b[38;5;9m" + string(specMark) + " [FAILED] [0.1 seconds]\x1b[0m\nsomething broke\n\nRan 3 of 3 Specs\nunterminated\n"
	for _, size := range []int{1, 2, 3, 7, 1000} {
		var out bytes.Buffer
		c := New(&out, false)
		p := c.Passthrough(&out)
		for i := 0; i < len(in); i += size {
			p.Write([]byte(in[i:min(i+size, len(in))]))
		}
		p.Flush()
		if out.String() != want {
			t.Errorf("written %d bytes at a time: got\n%q\nwant\n%q", size, out.String(), want)
		}
	}
	var out bytes.Buffer
	p := New(&out, false).Passthrough(&out)
	p.Write([]byte("kept\n"))
	p.Mute()
	p.Write([]byte("dropped\n"))
	p.Flush()
	if out.String() != "kept\n" {
		t.Errorf("after Mute: got %q, want only what came before", out.String())
	}
}

// Not on a terminal: one line per finished spec with n/N, outcome,
// duration and the spec's name (its requirement ID first), and while a
// spec runs long a line at least every 30 seconds, no sooner.
func TestProgressLinesElsewhere(t *testing.T) {
	var out bytes.Buffer
	clk := newClock()
	p := NewProgress(New(&out, false), clk.now)
	p.Handle(Event{Kind: Begin, Total: 12})
	p.Handle(Event{Kind: Start, Proc: 1, Spec: "[NS-MAX-LENGTH] a namespace of 65 characters is refused"})
	clk.add(400 * time.Millisecond)
	p.Handle(Event{Kind: Done, Proc: 1, Spec: "[NS-MAX-LENGTH] a namespace of 65 characters is refused", Outcome: "passed", Duration: 400 * time.Millisecond})
	p.Handle(Event{Kind: Start, Proc: 2, Spec: "[UPDATE-201] an update answers 201"})
	clk.add(time.Second)
	p.Handle(Event{Kind: Start, Proc: 1, Spec: "[CREATE-201] a create answers 201"})
	for range 28 {
		clk.add(time.Second)
		p.Tick()
	}
	lines := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
	if len(lines) != 1 || lines[0] != " 1/12 passed         400ms  [NS-MAX-LENGTH] a namespace of 65 characters is refused" {
		t.Fatalf("after one finished spec and 29 s: got %q, want the one line of the finished spec (n/N, outcome, duration, ID and rule) and no heartbeat yet", lines)
	}
	clk.add(time.Second)
	p.Tick()
	lines = strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
	if len(lines) != 2 || !strings.Contains(lines[1], "still running after 30.0s: [UPDATE-201] an update answers 201 (and 1 more); 1/12 done") {
		t.Fatalf("30 s without a line while specs run: got %q, want a line naming the longest-running spec", lines)
	}
	clk.add(10 * time.Second)
	p.Tick()
	clk.add(5 * time.Second)
	p.Handle(Event{Kind: Done, Proc: 2, Spec: "[UPDATE-201] an update answers 201", Outcome: "failed", Duration: 45 * time.Second})
	clk.add(29 * time.Second)
	p.Tick()
	lines = strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[2], " 2/12 failed         45.0s  [UPDATE-201]") {
		t.Fatalf("got %q, want the heartbeat, then the second spec's line, and no heartbeat within 30 s of it", lines)
	}
	p.End()
	if strings.Contains(out.String(), "\r") || strings.Contains(out.String(), "\x1b") {
		t.Errorf("output that is not a terminal must hold no status line or escape codes: %q", out.String())
	}
}

// lineWriter hands each line written to it to a channel.
type lineWriter struct {
	mu    sync.Mutex
	buf   []byte
	lines chan string
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		w.lines <- string(w.buf[:i])
		w.buf = w.buf[i+1:]
	}
}

// Run ticks by itself: a spec running past Heartbeat gets its line in a
// log without any event, until End. (The clock is fake; only the ticks are
// real, a millisecond apart.)
func TestRunTicksUntilEnd(t *testing.T) {
	out := &lineWriter{lines: make(chan string, 16)}
	clk := newClock()
	p := NewProgress(New(out, false), clk.now)
	p.Handle(Event{Kind: Begin, Total: 1})
	p.Handle(Event{Kind: Start, Proc: 1, Spec: "[UPDATE-MISSING-SHARE-4XX] a slow answer"})
	clk.add(31 * time.Second)
	p.Run(time.Millisecond)
	select {
	case line := <-out.lines:
		if !strings.HasPrefix(line, "  still running after 31.0s: [UPDATE-MISSING-SHARE-4XX] a slow answer; 0/1 done") {
			t.Errorf("the first line while the spec runs long: %q", line)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no line 31 s into a spec, with Run ticking every millisecond")
	}
	p.End()
	p.End() // a second End is harmless
}

// On a terminal: one status line, kept current, that fits the terminal;
// lines printed above it; cleared at the end.
func TestStatusLineOnATerminal(t *testing.T) {
	t.Setenv("COLUMNS", "100")
	var out bytes.Buffer
	clk := newClock()
	c := New(&out, true)
	p := NewProgress(c, clk.now)
	p.Handle(Event{Kind: Begin, Total: 88})
	for i := 1; i <= 10; i++ {
		p.Handle(Event{Kind: Start, Proc: 1, Spec: fmt.Sprintf("[ID-%d] rule", i)})
		clk.add(time.Second)
		p.Handle(Event{Kind: Done, Proc: 1, Spec: fmt.Sprintf("[ID-%d] rule", i), Outcome: "passed", Duration: time.Second, Requests: int64(10 * i), SlowDowns: 1})
	}
	p.Handle(Event{Kind: Start, Proc: 1, Spec: "[NAMES-VALID-ACCEPTED] " + strings.Repeat("a very long rule ", 20), Requests: 100, SlowDowns: 1})
	status := p.Status()
	for _, want := range []string{"10/88 specs done", "10.0s elapsed", "~1m18s left", "100 requests", "1 slow-down", "[NAMES-VALID-ACCEPTED]"} {
		if !strings.Contains(status, want) {
			t.Errorf("status %q lacks %q", status, want)
		}
	}
	shown := out.String()[strings.LastIndex(out.String(), "\r\x1b[K")+len("\r\x1b[K"):]
	if n := len([]rune(shown)); n > 99 || !strings.HasPrefix(status, strings.TrimSuffix(shown, "…")) {
		t.Errorf("the status line shown is %q (%d columns): want the status cut to fit 100 columns", shown, n)
	}
	if strings.Count(out.String(), "\n") != 0 {
		t.Errorf("passing specs printed lines on a terminal, where the status line says it all: %q", out.String())
	}
	c.Println("a failure, in full")
	if !strings.HasSuffix(out.String(), "\r\x1b[Ka failure, in full\n"+shown) {
		t.Errorf("a line must clear the status line, print, and show the status line again: %q", out.String()[max(0, out.Len()-300):])
	}
	p.End()
	if !strings.HasSuffix(out.String(), "\r\x1b[K") {
		t.Errorf("End must leave the status line cleared: %q", out.String()[max(0, out.Len()-100):])
	}
	c.Println("VERDICT: x")
	if !strings.HasSuffix(out.String(), "\r\x1b[KVERDICT: x\n") {
		t.Errorf("after End, lines print plainly: %q", out.String()[max(0, out.Len()-100):])
	}
}

// Events travel from the processes to the listener, in order for each
// process; a connection without the key is not heard; SendWait returns
// only once its event was handled.
func TestListenerAndSenders(t *testing.T) {
	var mu sync.Mutex
	got := map[int][]string{}
	handled := make(chan struct{}, 1)
	l, err := Listen(func(e Event) {
		mu.Lock()
		got[e.Proc] = append(got[e.Proc], e.Kind+" "+e.Spec)
		mu.Unlock()
		if e.Kind == NoRun {
			handled <- struct{}{}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	addr, _, _ := strings.Cut(l.Address(), " ")
	if _, err := Dial(addr+" wrong-key", 9); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for proc := 1; proc <= 3; proc++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := Dial(l.Address(), proc)
			if err != nil {
				t.Error(err)
				return
			}
			defer s.Close()
			for i := range 20 {
				s.Send(Event{Kind: Done, Spec: fmt.Sprint(i)})
			}
			if proc == 2 {
				s.SendWait(Event{Kind: NoRun, Message: "stop"})
				select {
				case <-handled:
				default:
					t.Error("SendWait returned before the listener handled the event")
				}
			}
		}()
	}
	wg.Wait()
	l.Close()
	mu.Lock()
	defer mu.Unlock()
	if len(got[9]) != 0 {
		t.Errorf("events of a connection without the key were handled: %v", got[9])
	}
	for proc := 1; proc <= 3; proc++ {
		want := 20
		if proc == 2 {
			want = 21
		}
		if len(got[proc]) != want || got[proc][0] != "done 0" || got[proc][19] != "done 19" {
			t.Errorf("process %d: got %v, want its 20 events in order (and the no-run of process 2)", proc, got[proc])
		}
	}
}

func TestUncolored(t *testing.T) {
	in := "\x1b[38;5;10m\x1b[1m\x1b[4mControlling Test Order\x1b[0m\n  \x1b[38;5;10m--ginkgo.seed\x1b[0m [int]"
	if got, want := string(Uncolored([]byte(in))), "Controlling Test Order\n  --ginkgo.seed [int]"; got != want {
		t.Errorf("Uncolored = %q, want %q", got, want)
	}
}

func TestEndingNoise(t *testing.T) {
	for line, want := range map[string]bool{
		"SUCCESS! -- 9 Passed | 0 Failed | 0 Pending | 81 Skipped\n":                        true,
		"\x1b[38;5;9m\x1b[1mFAIL! -- 0 Passed | 8 Failed | 0 Pending | 82 Skipped\x1b[0m\n": true,
		"--- FAIL: TestConformance (0.32s)\n":                                               true,
		"FAIL\n":                                                                            true,
		"PASS\n":                                                                            true,
		"Ginkgo ran 1 suite in 430.55592ms\n":                                               true,
		"Test Suite Failed\n":                                                               true,
		"Ran 8 of 90 Specs in 0.171 seconds\n":                                              false,
		"  [FAIL] Create a share: POST .../access-domains [It] [CREATE-201] Sharing an image\n": false,
		"FAIL: the permit was not read\n":                                  false,
		"VERDICT: the target does NOT conform: http://x; 8 specs failed\n": false,
	} {
		if got := EndingNoise(line); got != want {
			t.Errorf("EndingNoise(%q) = %v, want %v", line, got, want)
		}
	}
}

// Ginkgo's header names the directory of the compiled suite, under the CLI
// a temporary copy: the console drops it.
func TestWithoutSuitePath(t *testing.T) {
	for in, want := range map[string]string{
		"Running Suite: SWR image-sharing API conformance - /tmp/swr-conformance-3155135528\n": "Running Suite: SWR image-sharing API conformance\n",
		"Random Seed: 1796486928\n":                                         "Random Seed: 1796486928\n",
		"Running Suite: SWR image-sharing API conformance - C:\\Users\\x\n": "Running Suite: SWR image-sharing API conformance\n",
		"Running Suite: a - b\n":                                            "Running Suite: a - b\n",
	} {
		if got := string(withoutSuitePath([]byte(in))); got != want {
			t.Errorf("withoutSuitePath(%q) = %q, want %q", in, got, want)
		}
	}
}
