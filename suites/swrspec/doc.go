// Package swrspec is what the suite's specs are made of, for anyone who
// writes one: the requirements of the contract, a client for the two
// operations, the declaration of a spec from its requirement, and Gomega
// matchers whose failures say the rule, its source, what was expected, what
// came back, the request and response (token redacted) and a curl line.
//
// A vendor who adds specs of their own imports it next to Ginkgo and Gomega:
//
//	ItChecks(myRule, "a 256-character description", func(ctx SpecContext) {
//		ex := client.CreateShare(ctx, ns, repo, body)
//		Expect(ex).To(swrspec.Answer(myRule))
//	})
//
// Inside a Ginkgo spec, a failing contract matcher also records which
// requirement broke as a report entry, so the suite's reports attribute the
// failure; and a check that could not be made at all (the target did not
// answer, a read-back failed) skips the spec as "not checked" with its
// reason instead of failing it: no answer is never a verdict.
package swrspec
