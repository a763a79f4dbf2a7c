package generators

import (
	"fmt"
	"hash/fnv"
	"strings"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/prop"
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
	Seed       int64 // from SeedFor
	Cases      int   // random cases, beside the boundary cases
	MaxShrinks int   // 0: DefaultMaxShrinks
}

// DefaultMaxShrinks bounds shrinking, which sends one request per step.
const DefaultMaxShrinks = 200

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
}

func (f *Failure) Error() string {
	var b strings.Builder
	if f.Boundary {
		fmt.Fprintf(&b, "boundary case %q (%s) failed:\n", f.Shrunk, f.Label)
	} else {
		fmt.Fprintf(&b, "counterexample %q (%s), shrunk in %d steps from %q, seed %d:\n",
			f.Shrunk, f.Label, f.Shrinks, f.Original, f.Seed)
	}
	b.WriteString(f.Err.Error())
	return b.String()
}

// Outcome of one property check.
type Outcome struct {
	Tried   int      // inputs checked, boundary and random, shrinking excluded
	Failure *Failure // nil when every input passed
	// Problem is set when the check could not decide: the generator was
	// exhausted or the check panicked. It is a defect of the suite, not a
	// verdict on the target.
	Problem error
}

// Check sends every boundary input and then p.Cases random inputs of in to
// check, which returns nil when the target answered as the contract says.
// The first failure is shrunk; a shrunk input is kept only while in.Holds
// still says it belongs to its class, so the reported counterexample breaks
// the labelled rule and no other.
//
// Each call owns a fresh gopter parameter set with one worker: the random
// stream depends on p.Seed alone.
func Check(p Params, in Inputs, check func(string) error) Outcome {
	var out Outcome
	for _, s := range in.Boundary {
		if !in.Holds(s) {
			out.Problem = fmt.Errorf("generators: boundary case %q is not in class %s", s, in.Label)
			return out
		}
		out.Tried++
		if err := check(s); err != nil {
			out.Failure = &Failure{Label: in.Label, Original: s, Shrunk: s, Boundary: true, Err: err, Seed: p.Seed}
			return out
		}
	}
	if p.Cases <= 0 {
		return out
	}

	params := gopter.DefaultTestParametersWithSeed(p.Seed)
	params.MinSuccessfulTests = p.Cases
	params.Workers = 1
	params.MaxShrinkCount = p.MaxShrinks
	if params.MaxShrinkCount <= 0 {
		params.MaxShrinkCount = DefaultMaxShrinks
	}

	// The error of the last failing input, so the report can show the
	// request and response of the shrunk counterexample itself.
	errs := map[string]error{}
	tried, failed := 0, false
	property := prop.ForAll(func(s string) bool {
		if !failed {
			tried++ // shrinking steps are not cases
		}
		err := check(s)
		if err != nil {
			errs[s], failed = err, true
		}
		return err == nil
	}, in.Gen.SuchThat(in.Holds))

	res := property.Check(params)
	switch {
	case res.Passed():
		out.Tried += tried
	case res.Status == gopter.TestFailed && len(res.Args) == 1:
		arg := res.Args[0]
		shrunk, _ := arg.Arg.(string)
		orig, _ := arg.OrigArg.(string)
		out.Tried += tried
		if !in.Holds(shrunk) {
			// Cannot happen while the sieve is applied to shrinks; kept as a
			// guard because a wrong class here would be a false verdict.
			out.Problem = fmt.Errorf("generators: shrunk input %q left class %s", shrunk, in.Label)
			return out
		}
		out.Failure = &Failure{Label: in.Label, Original: orig, Shrunk: shrunk, Shrinks: arg.Shrinks, Err: errs[shrunk], Seed: p.Seed}
		if out.Failure.Err == nil {
			out.Failure.Err = fmt.Errorf("failed")
		}
	case res.Status == gopter.TestExhausted:
		out.Problem = fmt.Errorf("generators: class %s gave up after %d discarded inputs: its generator must be constructive", in.Label, res.Discarded)
	default:
		out.Problem = fmt.Errorf("generators: property over %s ended with %v: %v", in.Label, res.Status, res.Error)
	}
	return out
}
