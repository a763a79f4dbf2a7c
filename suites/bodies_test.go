package suites

import (
	"net/http"

	. "github.com/onsi/ginkgo/v2"

	"github.com/swr-conformance/swr-conformance/generators"
)

// One body rule broken at a time, everything else valid: 400
// (CONTRACT-NOTES.md section 4).
var _ = Describe("Request bodies", Label("bodies"), func() {
	for _, rule := range generators.CreateBodyRules() {
		req := BodyRequirements[rule]
		It(specName(req, "create, property: "+string(rule)), labels([]string{"create", "property"}, req), func(ctx SpecContext) {
			s := lease(ctx)
			checkProperty(generators.InvalidCreateBodies(rule, s.Account), func(body string) error {
				ex := tgt.Client.CreateShare(ctx, s.Namespace, s.Repository, []byte(body))
				undoCreate(ctx, s, ex)
				return statusError(req, ex, http.StatusBadRequest)
			})
		})
	}
	for _, rule := range generators.UpdateBodyRules() {
		req := BodyRequirements[rule]
		It(specName(req, "update, property: "+string(rule)), labels([]string{"update", "property"}, req), func(ctx SpecContext) {
			s := lease(ctx)
			createShare(ctx, s)
			checkProperty(generators.InvalidUpdateBodies(rule), func(body string) error {
				return statusError(req, tgt.Client.UpdateShare(ctx, s.Namespace, s.Repository, s.Account, []byte(body)), http.StatusBadRequest)
			})
		})
	}
})
