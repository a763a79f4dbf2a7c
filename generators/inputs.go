// Package generators draws the suite's inputs: valid and invalid names,
// deadlines, descriptions and request bodies, each class labelled with the
// grammar rule its inputs break and checked against the grammar oracle.
//
// Every generator is constructive: each sample already satisfies its label,
// so no sample is thrown away and gopter never gives up. Generators ignore the
// size parameter: boundary lengths must turn up at every size, because they
// are where a server's checks go wrong.
package generators

import (
	"fmt"
	"math/rand"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
)

// Inputs is one labelled class of inputs: everything the runner needs.
type Inputs struct {
	Label    string            // the rule the inputs break (e.g. "ns.too-long"), or "valid namespace" etc.
	Gen      gopter.Gen        // random string inputs; every sample satisfies Holds; shrinker gen.StringShrinker, or a spelled body's (spelledShrinker)
	Boundary []string          // deterministic cases sent on every run; each satisfies Holds
	Holds    func(string) bool // the oracle check the label claims (re-checked after shrinking by the runner)
	// Describe shows an input in a failure; nil: the input quoted. Bodies
	// show the value they encode beside the bytes sent (DescribeBody).
	Describe func(string) string
}

// describe shows s as in.Describe does, or quoted.
func (in Inputs) describe(s string) string {
	if in.Describe != nil {
		return in.Describe(s)
	}
	return fmt.Sprintf("%q", s)
}

// choice is one way to draw a sample, with its share of the samples.
type choice struct {
	weight int
	draw   func(*rand.Rand) string
}

// mix draws from the choices in proportion to their weights. Each result
// carries gen.StringShrinker: the runner shrinks with the oracle as a sieve,
// so a too-long name shrinks to exactly one character over the limit.
func mix(cs ...choice) gopter.Gen {
	ws := make([]gen.WeightedGen, len(cs))
	for i, c := range cs {
		draw := c.draw
		ws[i] = gen.WeightedGen{Weight: c.weight, Gen: func(p *gopter.GenParameters) *gopter.GenResult {
			return gopter.NewGenResult(draw(p.Rng), gen.StringShrinker)
		}}
	}
	return gen.Weighted(ws)
}

// drawFrom takes one value from g with r, so that composite generators reuse
// the public ones instead of copying their distributions.
func drawFrom[T any](g gopter.Gen, r *rand.Rand) T {
	return g(&gopter.GenParameters{MaxSize: 100, Rng: r}).Result.(T)
}

// length draws a length in [lo, hi] that lands on the bounds and next to them
// far more often than a uniform draw would (about 15% each bound).
func length(r *rand.Rand, lo, hi int) int {
	if hi < lo {
		panic("generators: empty length range")
	}
	switch x := r.Intn(20); {
	case x < 3:
		return lo
	case x < 6:
		return hi
	case x < 7:
		return min(lo+1, hi)
	case x < 8:
		return max(hi-1, lo)
	case x < 12:
		return lo + r.Intn(min(8, hi-lo+1))
	default:
		return lo + r.Intn(hi-lo+1)
	}
}

// oneOf picks an element uniformly.
func oneOf[T any](r *rand.Rand, xs ...T) T { return xs[r.Intn(len(xs))] }
