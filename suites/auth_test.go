package suites

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	. "github.com/swr-conformance/swr-conformance/suites/swrspec"

	"github.com/swr-conformance/swr-conformance/internal/contract"
	"github.com/swr-conformance/swr-conformance/internal/swrclient"
)

// Bad credentials get 401, not 403, for both operations, even when everything
// else in the request is valid (contract section 2).
var _ = Describe("Credentials: X-Auth-Token", Label("auth"), func() {
	credentials := []struct {
		req  contract.Requirement
		auth swrclient.Auth
		what string
	}{
		{contract.AuthMissing, swrclient.AuthMissing, "no X-Auth-Token header"},
		{contract.AuthEmpty, swrclient.AuthEmpty, "an empty X-Auth-Token"},
		{contract.AuthWrong, swrclient.AuthWrong, "a token the target never issued"},
	}
	// After the 401 the share is read back: a refused write that still took
	// effect is a security defect (contract section 5).
	for _, c := range credentials {
		ItChecks(c.req, "create with "+c.what, Also{contract.CreateNoEffect}, contract.GroupCreate, func(ctx SpecContext) {
			s := lease(ctx)
			ex := create(ctx, s, validBody(s, contract.Forever, "").CreateJSON(), false, swrclient.WithAuth(c.auth))
			defer undoCreate(ctx, s, ex)
			Expect(ex).To(Answer(c.req))
			Expect(absent(ctx, contract.CreateNoEffect, s, ex, true)).To(Hold())
		})
		ItChecks(c.req, "update with "+c.what, Also{contract.UpdateNoEffect}, contract.GroupUpdate, func(ctx SpecContext) {
			s := lease(ctx)
			created := createShare(ctx, s)
			ex := update(ctx, s, validBody(s, future, "changed without credentials").UpdateJSON(), swrclient.WithAuth(c.auth))
			Expect(ex).To(Answer(c.req))
			Expect(readBack(ctx, s)).To(BeUnchanged(contract.UpdateNoEffect, created, "an update answered 401", true))
		})
	}
})
