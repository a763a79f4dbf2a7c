package generators

import (
	"errors"
	"math/rand"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// tooLong is a small class for testing the runner: strings of 'a' longer
// than 8, drawn between 9 and 40 characters.
func tooLong() Inputs {
	return Inputs{
		Label: "too-long",
		Gen: mix(choice{1, func(r *rand.Rand) string {
			return strings.Repeat("a", 9+r.Intn(32))
		}}),
		Holds: func(s string) bool { return len(s) > 8 && strings.Trim(s, "a") == "" },
	}
}

func TestSeedForIsStablePerSpec(t *testing.T) {
	first, again := SeedFor(1, "spec A"), SeedFor(1, "spec A")
	if first != again {
		t.Fatal("same run seed and spec gave different seeds")
	}
	if SeedFor(1, "spec A") == SeedFor(1, "spec B") || SeedFor(1, "spec A") == SeedFor(2, "spec A") {
		t.Fatal("different specs or runs share a seed")
	}
	if SeedFor(7, "x") < 0 {
		t.Fatal("seed must be non-negative")
	}
}

// One seed replays the same inputs in the same order.
func TestCheckIsReproducible(t *testing.T) {
	record := func(seed int64) []string {
		var seen []string
		Check(Params{Seed: seed, Cases: 30}, tooLong(), func(s string) error { seen = append(seen, s); return nil })
		return seen
	}
	a, b, c := record(42), record(42), record(43)
	if strings.Join(a, ",") != strings.Join(b, ",") {
		t.Fatal("the same seed gave different inputs")
	}
	if strings.Join(a, ",") == strings.Join(c, ",") {
		t.Fatal("different seeds gave the same inputs")
	}
	if len(a) != 30 {
		t.Fatalf("checked %d inputs, want 30", len(a))
	}
}

// Concurrency changes neither the inputs nor which failure is reported: the
// first failing input in the seed's order, shrunk in series.
func TestCheckConcurrentIsReproducible(t *testing.T) {
	var mu sync.Mutex
	record := func(concurrency int) ([]string, *Failure) {
		var seen []string
		out := Check(Params{Seed: 7, Cases: 40, Concurrency: concurrency}, tooLong(), func(s string) error {
			mu.Lock()
			seen = append(seen, s)
			mu.Unlock()
			return nil
		})
		sort.Strings(seen)
		return seen, out.Failure
	}
	serial, _ := record(1)
	parallel, _ := record(8)
	if strings.Join(serial, ",") != strings.Join(parallel, ",") {
		t.Fatal("concurrency changed the inputs")
	}

	// Inputs of length 20 and more fail; the first in draw order must be the
	// one reported, at any concurrency.
	inputs, _, err := draw(tooLong(), 7, 40)
	if err != nil {
		t.Fatal(err)
	}
	first := -1
	for i, s := range inputs {
		if len(s) >= 20 {
			first = i
			break
		}
	}
	if first < 0 {
		t.Fatal("seed 7 draws no input of 20 characters or more")
	}
	for _, c := range []int{1, 2, 8} {
		for round := 0; round < 5; round++ {
			out := Check(Params{Seed: 7, Cases: 40, Concurrency: c}, tooLong(), func(s string) error {
				if len(s) >= 20 {
					return errors.New("too long for this server")
				}
				return nil
			})
			if out.Failure == nil || out.Failure.Original != inputs[first] || out.Failure.Shrunk != strings.Repeat("a", 20) {
				t.Fatalf("concurrency %d: failure %+v, want original %q shrunk to 20 characters", c, out.Failure, inputs[first])
			}
		}
	}
}

// A failure shrinks to the smallest input that is still in the class: for a
// length rule, exactly the boundary. Shrunk candidates outside the class are
// never checked, so they can never become the counterexample.
func TestCheckShrinksHonestly(t *testing.T) {
	var outside []string
	in := tooLong()
	out := Check(Params{Seed: 1, Cases: 20}, in, func(s string) error {
		if !in.Holds(s) {
			outside = append(outside, s)
		}
		return errors.New("server accepted " + s)
	})
	if out.Failure == nil {
		t.Fatal("no failure reported")
	}
	if out.Failure.Shrunk != strings.Repeat("a", 9) {
		t.Fatalf("shrunk to %q, want the 9-character boundary", out.Failure.Shrunk)
	}
	if len(outside) > 0 {
		t.Fatalf("checked inputs outside the class: %q", outside)
	}
	if !strings.Contains(out.Failure.Err.Error(), "server accepted aaaaaaaaa") {
		t.Fatalf("the error is not the shrunk input's: %v", out.Failure.Err)
	}
	if out.Tried != 1 || out.Failure.Original == "" || out.Failure.Seed != 1 {
		t.Fatalf("outcome %+v", out)
	}
}

func TestCheckBoundaryFirst(t *testing.T) {
	in := tooLong()
	in.Boundary = []string{"aaaaaaaaa", "aaaaaaaaaa"}
	var seen []string
	out := Check(Params{Seed: 1, Cases: 5}, in, func(s string) error {
		seen = append(seen, s)
		if s == "aaaaaaaaaa" {
			return errors.New("boom")
		}
		return nil
	})
	if out.Failure == nil || !out.Failure.Boundary || out.Failure.Shrunk != "aaaaaaaaaa" || len(seen) != 2 {
		t.Fatalf("outcome %+v, seen %q", out, seen)
	}
	// A boundary case outside its class is a suite defect, never sent.
	in.Boundary = []string{"short"}
	out = Check(Params{Seed: 1, Cases: 5}, in, func(string) error { t.Fatal("sent"); return nil })
	if out.Problem == nil {
		t.Fatal("a boundary case outside its class was not reported")
	}
}

// Boundary and random inputs are one stream: at a concurrency above one a
// random input is on its way before every boundary input is answered, so a
// slow boundary answer does not hold the random ones back.
func TestCheckSendsBoundaryAndRandomInputsAsOneStream(t *testing.T) {
	in := tooLong()
	in.Boundary = []string{"!boundary"} // outside the drawn class of 'a's, but in the class tested here
	in.Holds = func(s string) bool { return s == "!boundary" || len(s) > 8 && strings.Trim(s, "a") == "" }
	randomStarted := make(chan struct{})
	var once sync.Once
	out := Check(Params{Seed: 1, Cases: 5, Concurrency: 2}, in, func(s string) error {
		if s != "!boundary" {
			once.Do(func() { close(randomStarted) })
			return nil
		}
		select {
		case <-randomStarted:
			return nil
		case <-time.After(10 * time.Second):
			return errors.New("no random input was sent while the boundary input waited for its answer")
		}
	})
	if out.Failure != nil || out.Tried != 6 {
		t.Fatalf("outcome %+v, failure %v", out, out.Failure)
	}
}

// A generator that cannot produce its class is reported as a suite defect,
// not as a pass or a verdict.
func TestCheckReportsExhaustion(t *testing.T) {
	in := tooLong()
	in.Holds = func(string) bool { return false }
	out := Check(Params{Seed: 1, Cases: 10}, in, func(string) error { return nil })
	if out.Problem == nil || out.Failure != nil {
		t.Fatalf("outcome %+v", out)
	}
}
