package generators

import (
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/leanovate/gopter"
)

// SeedFor derives a property's seed from the run's seed and the spec's full
// name, so that one --ginkgo.seed replays every property of a run, whatever
// order or process the specs run in, and two specs never share a stream.
func SeedFor(runSeed int64, specName string) int64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%d\x00%s", runSeed, specName)
	return int64(h.Sum64() &^ (1 << 63))
}

// Params configure one property check.
type Params struct {
	Seed        int64 // from SeedFor
	Cases       int   // random cases, beside the boundary cases
	MaxShrinks  int   // 0: DefaultMaxShrinks
	Concurrency int   // cases checked at once; <= 1: one after another
}

// DefaultMaxShrinks bounds shrinking, which sends one request per step.
const DefaultMaxShrinks = 200

// maxDiscards bounds how many drawn inputs may fall outside their class
// before the generator counts as broken (generators are constructive, so
// any discard is already a defect; the bound only stops a loop).
const maxDiscards = 1000

// Failure is a counterexample: the input as first found and as shrunk, and
// the error the check gave for the shrunk input.
type Failure struct {
	Label    string
	Original string
	Shrunk   string
	Shrinks  int
	Boundary bool // a fixed boundary case, not a random one: nothing to shrink
	Err      error
	Seed     int64
	// Describe shows an input (Inputs.Describe); nil: quoted.
	Describe func(string) string
}

func (f *Failure) Error() string {
	describe := Inputs{Describe: f.Describe}.describe
	var b strings.Builder
	switch {
	case f.Boundary:
		fmt.Fprintf(&b, "boundary case %s (%s) failed:\n", describe(f.Shrunk), f.Label)
	case f.Shrinks == 0:
		fmt.Fprintf(&b, "counterexample %s (%s), seed %d, could not be shrunk:\n", describe(f.Shrunk), f.Label, f.Seed)
	default:
		fmt.Fprintf(&b, "counterexample %s (%s), shrunk in %d steps from %s, seed %d:\n",
			describe(f.Shrunk), f.Label, f.Shrinks, describe(f.Original), f.Seed)
	}
	b.WriteString(f.Err.Error())
	return b.String()
}

// ErrUndecided marks a check's error that is no verdict: the target gave no
// answer, or a neighbouring operation the check needed failed. The case
// counts as not checked, never as a counterexample.
var ErrUndecided = errors.New("case not checked")

// Outcome of one property check.
type Outcome struct {
	Tried   int      // inputs checked, boundary and random, shrinking excluded
	Failure *Failure // nil when every input passed
	// Undecided counts the cases whose check returned ErrUndecided, and
	// FirstUndecided is the first such error: cases that are no verdict.
	Undecided      int
	FirstUndecided error
	// Problem is set when the check could not decide: a generator produced
	// inputs outside its class. It is a defect of the suite, not a verdict
	// on the target.
	Problem error
}

// Check sends every boundary input and then p.Cases random inputs of in to
// check, which returns nil when the target answered as the contract says.
// They are one stream: with p.Concurrency above 1 the first random inputs
// are on their way while the last boundary inputs are, rather than waiting
// for the slowest of them, and a boundary input that fails is still the
// failure reported, as it comes first in the order.
//
// The random inputs are drawn from in.Gen with p.Seed alone, in a fixed
// order, before any is checked, so the same seed gives the same inputs at
// any concurrency; the first failure in that order is reported, whatever
// finished first. It is then shrunk one step at a time, in series: a shrunk
// input is tried only while in.Holds says it still belongs to its class, so
// the counterexample breaks the labelled rule and no other.
//
// gopter supplies the generators and shrinkers; its runner is not used, as
// its inputs depend on scheduling once it runs more than one worker.
//
// Cases run at once only while they pass. A case that fails among others
// is checked again alone, once the others are done: a counterexample must
// reproduce by itself (an accepted invalid create changes the state the
// cases running beside it see), so only one that fails alone is reported,
// and the search goes on one case at a time after one that did not.
func Check(p Params, in Inputs, check func(string) error) Outcome {
	var out Outcome
	var mu sync.Mutex
	check = decided(check, func(err error) {
		mu.Lock()
		defer mu.Unlock()
		if out.Undecided++; out.FirstUndecided == nil {
			out.FirstUndecided = err
		}
	})
	for _, s := range in.Boundary {
		if !in.Holds(s) {
			out.Problem = fmt.Errorf("generators: boundary case %q is not in class %s", s, in.Label)
			return out
		}
	}
	boundaryFailed := func(i int, err error) Outcome {
		out.Tried = i + 1
		out.Failure = &Failure{Label: in.Label, Original: in.Boundary[i], Shrunk: in.Boundary[i], Boundary: true, Err: err, Seed: p.Seed, Describe: in.Describe}
		return out
	}
	inputs, results, drawErr := draw(in, p.Seed, p.Cases)
	if drawErr != nil {
		// A generator that cannot produce its class: the boundary inputs
		// are still checked, and a failure among them still reported.
		if i, err := firstAloneFailure(in.Boundary, p.Concurrency, check); err != nil {
			return boundaryFailed(i, err)
		}
		out.Tried = len(in.Boundary)
		out.Problem = drawErr
		return out
	}
	nb := len(in.Boundary)
	i, err := firstAloneFailure(append(append(make([]string, 0, nb+len(inputs)), in.Boundary...), inputs...), p.Concurrency, check)
	switch {
	case err == nil:
		out.Tried = nb + len(inputs)
		return out
	case i < nb:
		return boundaryFailed(i, err)
	}
	out.Tried = i + 1
	i -= nb
	maxShrinks := p.MaxShrinks
	if maxShrinks <= 0 {
		maxShrinks = DefaultMaxShrinks
	}
	shrunk, steps, shrunkErr := shrink(results[i], inputs[i], err, in.Holds, check, maxShrinks)
	out.Failure = &Failure{Label: in.Label, Original: inputs[i], Shrunk: shrunk, Shrinks: steps, Err: shrunkErr, Seed: p.Seed, Describe: in.Describe}
	return out
}

// defaultGenParameters are gopter's defaults, read once: each call of
// gopter.DefaultGenParameters seeds a source of its own that draw would
// throw away at once.
var defaultGenParameters = sync.OnceValue(func() gopter.GenParameters { return *gopter.DefaultGenParameters() })

// draw takes n inputs of in from a source seeded with seed, with the size
// growing over the run as gopter's runner would grow it.
func draw(in Inputs, seed int64, n int) ([]string, []*gopter.GenResult, error) {
	base := defaultGenParameters()
	base.Rng = rand.New(rand.NewSource(seed))
	maxSize := base.MaxSize
	inputs := make([]string, 0, n)
	results := make([]*gopter.GenResult, 0, n)
	for discards := 0; len(inputs) < n; {
		// One set of parameters for every case, its size set in place:
		// GenParameters.WithSize would copy it for each. A generator reads
		// the parameters while it draws; it neither keeps nor changes them.
		base.MaxSize = maxSize * len(inputs) / max(n, 1)
		r := in.Gen(&base)
		v, ok := r.Retrieve()
		s, isString := v.(string)
		if !ok || !isString || !in.Holds(s) {
			if discards++; discards > maxDiscards {
				return nil, nil, fmt.Errorf("generators: class %s gave up after %d inputs outside it: its generator must be constructive", in.Label, discards)
			}
			continue
		}
		inputs, results = append(inputs, s), append(results, r)
	}
	return inputs, results, nil
}

// decided wraps check so that an ErrUndecided error passes (the case is no
// verdict either way) after telling undecided.
func decided(check func(string) error, undecided func(error)) func(string) error {
	return func(s string) error {
		err := check(s)
		if err != nil && errors.Is(err, ErrUndecided) {
			undecided(err)
			return nil
		}
		return err
	}
}

// firstAloneFailure is firstFailure whose failure reproduces alone: a case
// that failed beside others is checked again by itself, and if it passes
// then, the rest are checked one at a time.
func firstAloneFailure(inputs []string, n int, check func(string) error) (int, error) {
	i, err := firstFailure(inputs, n, check)
	if err == nil || n <= 1 {
		return i, err
	}
	if err := check(inputs[i]); err != nil {
		return i, err
	}
	j, err := firstFailure(inputs[i+1:], 1, check)
	if err == nil {
		return -1, nil
	}
	return i + 1 + j, err
}

// firstFailure checks inputs with up to n at once and returns the index and
// error of the first failing input in their order (-1, nil if none). Once a
// failure is known, inputs after it are not started.
func firstFailure(inputs []string, n int, check func(string) error) (int, error) {
	if n <= 1 {
		for i, s := range inputs {
			if err := check(s); err != nil {
				return i, err
			}
		}
		return -1, nil
	}
	// Workers claim inputs in order and keep the lowest failing index; a
	// worker writes errs only at the indices it claimed, and they are read
	// after all are done, so the hot path takes no lock.
	errs := make([]error, len(inputs))
	var next, firstBad atomic.Int64
	firstBad.Store(int64(len(inputs)))
	var wg sync.WaitGroup
	for w := 0; w < n; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= firstBad.Load() {
					return
				}
				if err := check(inputs[i]); err != nil {
					errs[i] = err
					lower(&firstBad, i)
				}
			}
		}()
	}
	wg.Wait()
	if bad := int(firstBad.Load()); bad < len(inputs) {
		return bad, errs[bad]
	}
	return -1, nil
}

// lower sets v to i if i is less.
func lower(v *atomic.Int64, i int64) {
	for old := v.Load(); i < old && !v.CompareAndSwap(old, i); old = v.Load() {
	}
}

// shrink walks to smaller failing inputs: each step takes the first
// candidate of the generator's shrinker that is still in the class and
// still fails. It returns the last failing input, its error and the steps.
func shrink(r *gopter.GenResult, failing string, err error, holds func(string) bool, check func(string) error, maxSteps int) (string, int, error) {
	steps := 0
	for steps < maxSteps {
		candidates := r.Shrinker(failing)
		found := false
		for v, ok := candidates(); ok; v, ok = candidates() {
			s, isString := v.(string)
			if !isString || !holds(s) {
				continue
			}
			if e := check(s); e != nil {
				failing, err, found = s, e, true
				break
			}
		}
		if !found {
			break
		}
		steps++
	}
	return failing, steps, err
}
