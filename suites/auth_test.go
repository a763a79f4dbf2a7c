package suites

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	. "github.com/swr-conformance/swr-conformance/suites/swrspec"

	"github.com/swr-conformance/swr-conformance/internal/contract"
	"github.com/swr-conformance/swr-conformance/internal/swrclient"
)

// Bad credentials get 401, not 403, for both operations, even when everything
// else in the request is valid (contract section 2). A token is compared
// exactly: besides a token unrelated to the real one, the near misses of the
// configured token (last character changed, one appended, last removed, the
// first half, the letters' case swapped) must be refused too, or a target
// that compares a prefix or ignores case would pass.
var _ = Describe("Credentials: X-Auth-Token", Label("auth"), func() {
	credentials := []struct {
		req   contract.Requirement
		auths func(token string) []swrclient.Auth
		what  string
	}{
		{contract.AuthMissing, one(swrclient.AuthMissing), swrclient.AuthMissing.String()},
		{contract.AuthEmpty, one(swrclient.AuthEmpty), swrclient.AuthEmpty.String()},
		{contract.AuthWrong, one(swrclient.AuthWrong), swrclient.AuthWrong.String()},
		{contract.AuthWrong, swrclient.NearMisses, "near misses of the token: last character changed, one appended, last removed, first half, letters' case swapped"},
	}
	// After the 401 the share is read back: a refused write that still took
	// effect is a security defect (contract section 5), and so is a near
	// miss that was served.
	for _, c := range credentials {
		ItChecks(c.req, "create with "+c.what, Also{contract.CreateNoEffect}, contract.GroupCreate, func(ctx SpecContext) {
			s := lease(ctx)
			for _, auth := range c.auths(run.Config().Token) {
				ex := create(ctx, s, validBody(s, contract.Forever, "").CreateJSON(), false, swrclient.WithAuth(auth))
				Expect(ex).To(Answer(c.req), "sent with %s", auth)
				Expect(absent(ctx, contract.CreateNoEffect, s, ex, c.req.Expect.SecurityIfAccepted)).To(Hold(contract.CreateNoEffect))
				undoCreate(ctx, s, ex)
			}
		})
		ItChecks(c.req, "update with "+c.what, Also{contract.UpdateNoEffect}, contract.GroupUpdate, func(ctx SpecContext) {
			s := lease(ctx)
			created := createShare(ctx, s)
			for _, auth := range c.auths(run.Config().Token) {
				ex := update(ctx, s, validBody(s, future, "changed with "+auth.String()).UpdateJSON(), swrclient.WithAuth(auth))
				Expect(ex).To(Answer(c.req), "sent with %s", auth)
				Expect(readBack(ctx, s, ex)).To(BeUnchanged(contract.UpdateNoEffect, created, "an update answered 401", c.req.Expect.SecurityIfAccepted))
			}
		})
	}
})

// one is a list of credentials holding just a.
func one(a swrclient.Auth) func(string) []swrclient.Auth {
	return func(string) []swrclient.Auth { return []swrclient.Auth{a} }
}
