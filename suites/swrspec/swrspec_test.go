package swrspec_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"
	. "github.com/onsi/gomega"

	"github.com/swr-conformance/swr-conformance/generators"
	"github.com/swr-conformance/swr-conformance/internal/contract"
	"github.com/swr-conformance/swr-conformance/internal/report"
	"github.com/swr-conformance/swr-conformance/internal/swrclient"
	"github.com/swr-conformance/swr-conformance/suites/swrspec"
)

func TestSwrspec(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "swrspec")
}

func answered(status int) *swrclient.Exchange {
	return &swrclient.Exchange{Op: contract.OpCreate, Method: http.MethodPost, URL: "http://registry.test/v2/manage/namespaces/ns/repositories/app/access-domains", Status: status, ReqBody: []byte(`{}`)}
}

func unanswered() *swrclient.Exchange {
	return &swrclient.Exchange{Op: contract.OpCreate, Method: http.MethodPost, URL: "http://registry.test/v2/manage/namespaces/ns/repositories/app/access-domains", Err: errors.New("connection reset")}
}

var _ = Describe("Answer", func() {
	It("passes an answer the requirement expects", func() {
		Expect(answered(201)).To(swrspec.Answer(contract.Create201))
		Expect(answered(404)).To(swrspec.Answer(contract.MissingName)) // a class: any 4xx
	})

	It("fails with the whole story and records the broken requirement", func() {
		msg := InterceptGomegaFailure(func() { Expect(answered(200)).To(swrspec.Answer(contract.Create201)) })
		Expect(msg).To(HaveOccurred())
		for _, part := range []string{"rule CREATE-201:", contract.Create201.Text, "source:   contract.md § Status codes (POST)", "expected: 201 Created", "got:      200 OK", "reproduce: curl"} {
			Expect(msg.Error()).To(ContainSubstring(part))
		}
		var failed []string
		for _, e := range CurrentSpecReport().ReportEntries {
			if e.Name == report.EntryFailed {
				failed = append(failed, e.StringRepresentation())
			}
		}
		Expect(failed).To(HaveLen(1), "one typed entry names the broken requirement, so the report attributes the failure")
	})

	It("leaves an unanswered exchange not checked, never failed", func() {
		err := swrspec.Check(unanswered(), swrspec.Answer(contract.Create201))
		var nc *swrspec.NotChecked
		Expect(errors.As(err, &nc)).To(BeTrue(), "no answer is no verdict: %v", err)
		Expect(nc.Cause).To(Equal(swrspec.CauseRun))
		Expect(nc.Requirements).To(Equal([]string{"CREATE-201"}))
		Expect(errors.Is(err, generators.ErrUndecided)).To(BeTrue(), "a property counts the case as not checked")
	})

	It("refuses a value that is not an exchange, as a defect of the check", func() {
		err := swrspec.Check("not an exchange", swrspec.Answer(contract.Create201))
		Expect(err).To(MatchError(ContainSubstring("expected a *swrclient.Exchange")))
	})
})

// A spec whose exchange got no answer is skipped with the reason, and its
// requirement is recorded as not checked. A spec cannot see its own skip,
// so the second spec, Ordered after it, checks what the first one's report
// said.
var _ = Describe("an unanswered exchange in a spec", Ordered, func() {
	var state types.SpecState
	var notChecked int
	ReportAfterEach(func(r SpecReport) {
		state = r.State
		for _, e := range r.ReportEntries {
			if e.Name == report.EntryNotChecked {
				notChecked++
			}
		}
	})
	It("is skipped as not checked", func() {
		Expect(unanswered()).To(swrspec.Answer(contract.Create201))
	})
	It("was skipped, not failed", func() {
		Expect(state).To(Equal(types.SpecStateSkipped))
		Expect(notChecked).To(Equal(1))
	})
})

var _ = Describe("the read-back matchers", func() {
	d := "kept"
	sent := swrspec.Body{AccessDomain: "peer-1", Permit: "read", Deadline: "2045-10-01T16:00:00.000Z", Description: &d}
	stored := swrspec.Share{AccessDomain: "peer-1", Permit: "read", Deadline: "2045-10-01T16:00:00Z", Description: "kept"}

	It("takes a deadline stored to the whole second as the one sent", func() {
		Expect(swrspec.Read{Account: "peer-1", Share: stored, Exists: true}).To(swrspec.BeVisibleWith(contract.CreateVisible, sent))
	})

	It("says what differs", func() {
		changed := stored
		changed.Permit = "write"
		err := swrspec.Check(swrspec.Read{Account: "peer-1", Share: changed, Exists: true, Ex: answered(200)}, swrspec.BeUnchanged(contract.UpdateNoEffect, sent, "an update answered 401", true))
		var v *swrspec.Violation
		Expect(errors.As(err, &v)).To(BeTrue())
		Expect(v.SecurityDefect).To(BeTrue())
		Expect(v.Message).To(ContainSubstring(`permit: sent "read", stored "write"`))
		Expect(v.Message).To(ContainSubstring("SECURITY DEFECT"))
	})

	It("fails a refused create whose share exists", func() {
		err := swrspec.Check(swrspec.Read{Account: "peer-1", Share: stored, Exists: true, Ex: answered(200)}, swrspec.BeAbsent(contract.CreateNoEffect, answered(400), false))
		Expect(err).To(MatchError(ContainSubstring("the create answered 400 Bad Request, yet the share exists")))
	})

	It("leaves a read that failed not checked", func() {
		err := swrspec.Check(swrspec.Read{Err: errors.New("show answered 500")}, swrspec.BeVisibleWith(contract.CreateVisible, sent))
		var nc *swrspec.NotChecked
		Expect(errors.As(err, &nc)).To(BeTrue())
		Expect(nc.Reason).To(ContainSubstring("reading the share back failed"))
	})
})

var _ = Describe("HaveOneWinner", func() {
	It("takes exactly one 201 and 409s", func() {
		Expect([]*swrclient.Exchange{answered(409), answered(201), answered(409)}).To(swrspec.HaveOneWinner(contract.Create409Concurrent, 1, 1))
	})
	It("fails two winners", func() {
		err := swrspec.Check([]*swrclient.Exchange{answered(201), answered(201)}, swrspec.HaveOneWinner(contract.Create409Concurrent, 2, 5))
		Expect(err).To(MatchError(ContainSubstring("round 2 of 5, 2 identical creates sent at once: expected exactly one 201 and 1 × 409, got 2 × 201")))
	})
})

var _ = Describe("Hold", func() {
	It("passes nil and fails a violation with its own message", func() {
		Expect(error(nil)).To(swrspec.Hold())
		v := &swrspec.Violation{Requirement: contract.Create201, Message: "rule CREATE-201: the whole story"}
		msg := InterceptGomegaFailure(func() { Expect(error(v)).To(swrspec.Hold()) })
		Expect(msg).To(MatchError("rule CREATE-201: the whole story"))
	})
})

var _ = Describe("ItChecks", func() {
	swrspec.ItChecks(contract.Create409, "declared", swrspec.Also{contract.CreateNoEffect}, contract.GroupProperty, func() {
		r := CurrentSpecReport()
		Expect(r.LeafNodeText).To(Equal("[CREATE-409-DUPLICATE] " + contract.Create409.Text + " (declared)"))
		Expect(r.Labels()).To(Equal([]string{"CREATE-409-DUPLICATE", "create", "CREATE-REFUSED-NO-EFFECT", "property"}))
		Expect(strings.HasSuffix(r.LeafNodeLocation.FileName, "swrspec_test.go")).To(BeTrue(), "the spec's location is the caller's, not ItChecks'")
	})
})
