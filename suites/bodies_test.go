package suites

import (
	"context"
	"fmt"

	. "github.com/onsi/ginkgo/v2"

	. "github.com/swr-conformance/swr-conformance/suites/swrspec"

	"github.com/swr-conformance/swr-conformance/fixtures/target"
	"github.com/swr-conformance/swr-conformance/generators"
	"github.com/swr-conformance/swr-conformance/internal/contract"
)

// observeTrailingContent sends a valid body followed by more content: the
// contract leaves it open (many JSON stacks stop after the first value), so
// what the target does is reported, never judged.
func observeTrailingContent(ctx context.Context, s *target.Slot) {
	for _, tail := range []string{" {}", "]"} {
		body := append(validBody(s, contract.Forever, "").CreateJSON(), tail...)
		ex := create(ctx, s, body, false)
		undoCreate(ctx, s, ex)
		if !ex.Answered() {
			continue
		}
		choice := fmt.Sprintf("refused (%d)", ex.Status)
		if ex.Succeeded() {
			choice = fmt.Sprintf("ignored, the object before it was taken (%d)", ex.Status)
		}
		observation(fmt.Sprintf("content after a complete JSON object (%q)", tail), choice, ex)
	}
}

// One body rule broken at a time, everything else valid: 400
// (contract section 4).
var _ = Describe("Request bodies", Label("bodies"), func() {
	for _, rule := range generators.CreateBodyRules() {
		req := contract.BodyRequirements[rule]
		ItChecks(req, "create, property: "+string(rule), contract.GroupCreate, contract.GroupProperty, func(ctx SpecContext) {
			s := lease(ctx)
			checkProperty(req, generators.InvalidCreateBodies(rule, s.Account), func(body string) error {
				ex := create(ctx, s, []byte(body), false)
				undoCreate(ctx, s, ex)
				return Check(ex, Answer(req))
			})
			if rule == contract.BodyMalformed {
				observeTrailingContent(ctx, s)
			}
		})
	}
	for _, rule := range generators.UpdateBodyRules() {
		req := contract.BodyRequirements[rule]
		ItChecks(req, "update, property: "+string(rule), contract.GroupUpdate, contract.GroupProperty, func(ctx SpecContext) {
			s := lease(ctx)
			createShare(ctx, s)
			checkProperty(req, generators.InvalidUpdateBodies(rule), func(body string) error {
				return Check(update(ctx, s, []byte(body)), Answer(req))
			})
		})
	}
})
