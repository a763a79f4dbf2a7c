package runner

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/swr-conformance/swr-conformance/internal/config"
	"github.com/swr-conformance/swr-conformance/internal/contract"
	"github.com/swr-conformance/swr-conformance/internal/pace"
	"github.com/swr-conformance/swr-conformance/internal/report"
	"github.com/swr-conformance/swr-conformance/internal/swrclient"
	"github.com/swr-conformance/swr-conformance/internal/transport"
	"github.com/swr-conformance/swr-conformance/internal/version"
)

// reportMeta is what every report says besides the specs. noRun says why
// a run stopped before its first spec.
func (r *Run) reportMeta(rep types.Report, noRun string) report.Meta {
	cfg := r.config
	meta := report.Meta{SuiteVersion: version.Version, Commit: version.Commit, Endpoint: cfg.Target(),
		Secrets: append([]string{cfg.Token, cfg.IAM.Password}, swrclient.NearMissSecrets(cfg.Token)...), RequireComplete: cfg.RequireComplete,
		Warnings: r.warnings, NoRun: noRun}
	suiteConfig, _ := ginkgo.GinkgoConfiguration()
	meta.Seed = suiteConfig.RandomSeed
	for _, kv := range cfg.Settings() {
		meta.Config = append(meta.Config, report.KV{Key: kv[0], Value: kv[1]})
	}
	if suiteConfig.ParallelTotal > 1 {
		meta.Config = append(meta.Config, report.KV{Key: "parallel processes", Value: fmt.Sprint(suiteConfig.ParallelTotal)})
	}
	if tgt := r.target; tgt != nil {
		st, paced, ok := mergedRetries(rep)
		if !ok {
			st, paced = tgt.Retries(), r.gate.stats()
		}
		meta.Config = append(meta.Config, report.KV{Key: slowDownsKey, Value: retryText(st)})
		meta.Traffic = traffic(st, paced, cfg)
		if ex := tgt.ShowMissing; ex != nil && ex.Answered() {
			choice := fmt.Sprintf("%d %s", ex.Status, http.StatusText(ex.Status))
			if _, exists, err := swrclient.DecodeShow(ex); err == nil && !exists {
				choice += ` with {"exist": false}`
			}
			meta.Observations = append(meta.Observations, report.Observation{Point: "show of a share that does not exist", Choice: choice, Example: ex.Method + " " + ex.Path})
		}
	}
	return meta
}

// writeReports writes the four reports; noRun says why a run stopped
// before its first spec.
func (r *Run) writeReports(rep types.Report, noRun string) {
	cfg := r.config
	if err := report.Write(cfg.ReportDir, r.reportMeta(rep, noRun), contract.All(), rep); err != nil {
		fmt.Fprintf(os.Stderr, "swr-conformance: writing reports to %s (SWR_REPORT_DIR) failed: %v\n", cfg.ReportDir, err)
		return
	}
	dir, err := filepath.Abs(cfg.ReportDir)
	if err != nil {
		dir = cfg.ReportDir
	}
	deliverToSonobuoy(dir)
	switch {
	case r.display.sender != nil:
		// Under the Ginkgo CLI, the process that started it says where
		// they are, after the CLI's output.
	case noRun == "":
		// After Ginkgo's last lines, as under the CLI: Main says it.
		r.display.reports = dir
	default:
		fmt.Fprintln(os.Stderr, reportsLine(dir))
	}
}

// writeNoRunReports writes the four reports of a run that a wrong
// configuration or command line stopped before anything else: verdict no
// run, the message, no requirement checked. A CI job's upload step finds
// them, as after any other run. The report directory is read on its own
// (its setting may be the only right one); when it cannot be written, the
// message on the console is all there is, and it says so.
func (r *Run) writeNoRunReports(message string) {
	dir := r.settings.ReportDir(os.LookupEnv)
	now := time.Now()
	meta := report.Meta{SuiteVersion: version.Version, Commit: version.Commit, Endpoint: "no target (the configuration is wrong)",
		NoRun: message, Secrets: []string{os.Getenv(config.EnvToken), os.Getenv(config.EnvPassword)}}
	rep := types.Report{SuiteDescription: SuiteDescription, StartTime: now, EndTime: now}
	if err := report.Write(dir, meta, contract.All(), rep); err != nil {
		fmt.Fprintf(os.Stderr, "swr-conformance: writing reports to %s (SWR_REPORT_DIR) failed too: %v\n", dir, err)
		return
	}
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	fmt.Fprintln(os.Stderr, reportsLine(dir))
}

// reportsLine names the four reports in dir, an absolute path.
func reportsLine(dir string) string {
	return "reports: " + filepath.Join(dir, "{report.html,summary.md,results.json,junit.xml}")
}

// slowDownsKey names, in the reports' configuration, how often the target
// asked the suite to slow down.
const slowDownsKey = "slow-downs (429/503, retried, no verdict)"

// retryText says how often the target asked the suite to slow down.
func retryText(st transport.Stats) string {
	return fmt.Sprintf("%d × 429, %d × 503, waited %s, gave up %d times", st.Retries429, st.Retries503, st.Waited.Round(time.Millisecond), st.GaveUp)
}

// entryProcessStats is the report entry of a process's counts, on its
// AfterSuite node.
const entryProcessStats = "swr.process-stats"

type processStats struct {
	Process  int             `json:"process"`
	Retries  transport.Stats `json:"retries"`
	Requests int64           `json:"requests"`
	Pace     pace.Stats      `json:"pace"`
}

// mergedRetries adds up the requests and slow-downs of every process of
// the run, and what their limiter did; false when no process recorded them
// (the run did not reach AfterSuite).
func mergedRetries(rep types.Report) (transport.Stats, pace.Stats, bool) {
	var sum transport.Stats
	var paced pace.Stats
	found := false
	for _, s := range rep.SpecReports {
		for _, e := range s.ReportEntries {
			var ps processStats
			if e.Name != entryProcessStats || decodeEntry(e, &ps) != nil {
				continue
			}
			found = true
			sum.Requests += ps.Retries.Requests
			sum.Sent += ps.Retries.Sent
			sum.Refused429 += ps.Retries.Refused429
			sum.Refused503 += ps.Retries.Refused503
			sum.Retries429 += ps.Retries.Retries429
			sum.Retries503 += ps.Retries.Retries503
			sum.GaveUp += ps.Retries.GaveUp
			sum.Waited += ps.Retries.Waited
			// One limiter for the run: the processes see the same rate.
			paced.Learned = max(paced.Learned, ps.Pace.Learned)
			paced.Cuts = max(paced.Cuts, ps.Pace.Cuts)
			paced.Paced += ps.Pace.Paced
		}
	}
	return sum, paced, found
}

// traffic is the run's Traffic for the reports.
func traffic(st transport.Stats, paced pace.Stats, cfg config.Config) *report.Traffic {
	return &report.Traffic{
		Requests:         st.Requests,
		Sent:             st.Sent,
		Refused429:       st.Refused429,
		Refused503:       st.Refused503,
		WaitedSeconds:    st.Waited.Seconds(),
		PacedSeconds:     paced.Paced.Seconds(),
		RateCap:          cfg.Rate,
		LearnedRate:      paced.Learned,
		ExpectedRequests: int64(expectedRequests(cfg)),
	}
}

// decodeEntry reads a report entry's value into v, in this process or sent
// from another (as JSON).
func decodeEntry(e types.ReportEntry, v any) error {
	raw := e.Value.AsJSON
	if raw == "" {
		b, err := json.Marshal(e.Value.GetRawValue())
		if err != nil {
			return err
		}
		raw = string(b)
	}
	return json.Unmarshal([]byte(raw), v)
}
