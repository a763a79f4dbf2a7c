package report

import (
	"github.com/onsi/ginkgo/v2/types"

	"github.com/swr-conformance/swr-conformance/internal/redact"
)

// scrubCaptured removes secrets from what the run captured but the suite
// did not write: output that code under test printed, panics, and the
// timeline's Ginkgo-writer output. The suite's own messages are redacted at
// their source (the client redacts what came from the wire), so a short
// token cannot change the report's words.
func scrubCaptured(r types.Report, secrets []string) types.Report {
	sc := redact.New(secrets...)
	specs := make(types.SpecReports, len(r.SpecReports))
	for i, s := range r.SpecReports {
		s.CapturedGinkgoWriterOutput = sc.String(s.CapturedGinkgoWriterOutput)
		s.CapturedStdOutErr = sc.String(s.CapturedStdOutErr)
		s.Failure.ForwardedPanic = sc.String(s.Failure.ForwardedPanic)
		more := make([]types.AdditionalFailure, len(s.AdditionalFailures))
		for j, f := range s.AdditionalFailures {
			f.Failure.ForwardedPanic = sc.String(f.Failure.ForwardedPanic)
			more[j] = f
		}
		s.AdditionalFailures = more
		specs[i] = s
	}
	r.SpecReports = specs
	return r
}
