package suites

import (
	"net/http"

	. "github.com/onsi/ginkgo/v2"

	"github.com/swr-conformance/swr-conformance/generators/grammar"
	"github.com/swr-conformance/swr-conformance/internal/swrclient"
)

// Bad credentials get 401, not 403, for both operations, even when everything
// else in the request is valid (CONTRACT-NOTES.md section 2).
var _ = Describe("Credentials: X-Auth-Token", Label("auth"), func() {
	credentials := []struct {
		req  Requirement
		auth swrclient.Auth
		what string
	}{
		{AuthMissing, swrclient.AuthMissing, "no X-Auth-Token header"},
		{AuthEmpty, swrclient.AuthEmpty, "an empty X-Auth-Token"},
		{AuthWrong, swrclient.AuthWrong, "a token the target never issued"},
	}
	// After the 401 the share is read back: a refused write that still took
	// effect is a security defect (CONTRACT-NOTES.md section 5).
	for _, c := range credentials {
		It(specName(c.req, "create with "+c.what), labels([]string{"create"}, c.req, CreateNoEffect), func(ctx SpecContext) {
			s := lease(ctx)
			ex := create(ctx, s, validBody(s, grammar.Forever, "").CreateJSON(), false, swrclient.WithAuth(c.auth))
			defer undoCreate(ctx, s, ex)
			must(statusError(c.req, ex, http.StatusUnauthorized))
			must(absentError(ctx, CreateNoEffect, s, true, ex))
		})
		It(specName(c.req, "update with "+c.what), labels([]string{"update"}, c.req, UpdateNoEffect), func(ctx SpecContext) {
			s := lease(ctx)
			created := createShare(ctx, s)
			ex := tgt.Client.UpdateShare(ctx, s.Namespace, s.Repository, s.Account, validBody(s, future, "changed without credentials").UpdateJSON(), swrclient.WithAuth(c.auth))
			must(statusError(c.req, ex, http.StatusUnauthorized))
			must(unchangedError(ctx, UpdateNoEffect, s, created, true, "an update answered 401"))
		})
	}
})
