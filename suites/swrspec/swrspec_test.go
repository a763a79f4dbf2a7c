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

// evidenceOf is the evidence a violation carries, one part per check.
func evidenceOf(err error) []report.Evidence {
	var v *swrspec.Violation
	Expect(errors.As(err, &v)).To(BeTrue(), "a violation: %v", err)
	return v.Evidence
}

// Each violation carries its story in parts, for the reports' failure
// cards: the operation that broke the rule, expected, got, the exchanges
// and the reproduction; recorded beside the requirement it broke.
var _ = Describe("the evidence of a violation", func() {
	It("of a status: the operation of the exchange, expected, got, request, response, reproduction", func() {
		update := answered(200)
		update.Op, update.Method, update.URL, update.ReqBody = contract.OpUpdate, http.MethodPatch, update.URL+"/peer-1", []byte(`{"permit":"read"}`)
		ev := evidenceOf(swrspec.Check(update, swrspec.Answer(contract.AuthMissing)))
		Expect(ev).To(HaveLen(1))
		e := ev[0]
		Expect(e.Requirement).To(Equal("AUTH-401-MISSING-TOKEN"))
		Expect(e.Operation).To(Equal("update"), "a rule of both operations failed on the update: the card cites the PATCH page")
		Expect(e.Expected).To(Equal("401 Unauthorized"))
		Expect(e.Got).To(Equal("200 OK"))
		Expect(e.Exchanges).To(HaveLen(1))
		Expect(e.Exchanges[0].Request).To(HavePrefix("PATCH http://registry.test/v2/manage/namespaces/ns/repositories/app/access-domains/peer-1\n"))
		Expect(e.Exchanges[0].Request).To(HaveSuffix("\n\n{\"permit\":\"read\"}\n"), "the body as sent, JSON as JSON")
		Expect(e.Exchanges[0].Response).To(HavePrefix("200 OK"))
		Expect(e.Reproduction).To(Equal(update.Reproduction()))
	})

	It("is recorded beside the broken requirement when a spec fails", func() {
		InterceptGomegaFailure(func() { Expect(answered(200)).To(swrspec.Answer(contract.Create201)) })
		var evidence []report.Evidence
		for _, e := range CurrentSpecReport().ReportEntries {
			if e.Name == report.EntryEvidence {
				evidence = append(evidence, e.GetRawValue().(report.Evidence))
			}
		}
		Expect(evidence).To(HaveLen(1))
		Expect(evidence[0].Operation).To(Equal("create"))
		Expect(evidence[0].Got).To(Equal("200 OK"))
	})

	It("of a read-back: the write and the read, the write's operation", func() {
		d := "kept"
		want := swrspec.Body{AccessDomain: "peer-1", Permit: "read", Deadline: "forever", Description: &d}
		write := answered(401)
		write.Op, write.Method = contract.OpUpdate, http.MethodPatch
		read := answered(200)
		read.Op, read.Method, read.ReqBody = contract.OpShow, http.MethodGet, nil
		read.Replay = &swrclient.Replay{Write: write}
		changed := swrspec.Share{AccessDomain: "peer-1", Permit: "write", Deadline: "forever", Description: "kept"}
		ev := evidenceOf(swrspec.Check(swrspec.Read{Account: "peer-1", Share: changed, Exists: true, Ex: read}, swrspec.BeUnchanged(contract.UpdateNoEffect, want, "an update answered 401", true)))
		Expect(ev).To(HaveLen(1))
		Expect(ev[0].Operation).To(Equal("update"))
		Expect(ev[0].Got).To(ContainSubstring(`yet the share changed: permit: sent "read", stored "write"`))
		Expect(ev[0].Exchanges).To(HaveLen(2))
		Expect(ev[0].Exchanges[0].Role).To(Equal("the write"))
		Expect(ev[0].Exchanges[0].Request).To(HavePrefix("PATCH "))
		Expect(ev[0].Exchanges[1].Role).To(Equal("read back"))
		Expect(ev[0].Exchanges[1].Request).To(HavePrefix("GET "))
		Expect(ev[0].Reproduction).To(ContainSubstring("== the write (PATCH):"), "one snippet replays the write and the read")
	})

	It("of a refused create that took effect: the create is the write", func() {
		stored := swrspec.Share{AccessDomain: "peer-1", Permit: "read", Deadline: "forever"}
		read := answered(200)
		read.Op, read.Method = contract.OpShow, http.MethodGet
		ev := evidenceOf(swrspec.Check(swrspec.Read{Account: "peer-1", Share: stored, Exists: true, Ex: read}, swrspec.BeAbsent(contract.CreateNoEffect, answered(400), false)))
		Expect(ev[0].Operation).To(Equal("create"))
		Expect(ev[0].Expected).To(Equal("no share: the create answered 400 Bad Request"))
		Expect(ev[0].Exchanges).To(HaveLen(2))
	})

	It("of racing creates: the round, every create, and one snippet that sends them at once", func() {
		ev := evidenceOf(swrspec.Check([]*swrclient.Exchange{answered(201), answered(201)}, swrspec.HaveOneWinner(contract.Create409Concurrent, 2, 5)))
		Expect(ev[0].Case).To(Equal("round 2 of 5: 2 identical creates sent at once"))
		Expect(ev[0].Expected).To(Equal("exactly one 201 and 1 × 409"))
		Expect(ev[0].Got).To(Equal("2 × 201, 0 × 409, 0 other"))
		Expect(ev[0].Exchanges).To(HaveLen(2))
		Expect(strings.Count(ev[0].Reproduction, " &\n")).To(Equal(2))
		Expect(ev[0].Reproduction).To(HaveSuffix("\nwait"))
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
