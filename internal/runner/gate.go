package runner

import (
	"fmt"
	"os"
	"time"

	"github.com/swr-conformance/swr-conformance/internal/config"
	"github.com/swr-conformance/swr-conformance/internal/pace"
)

// gate is what paces this process's requests: the run's one limiter, with
// the hard cap SWR_RATE and the rate a gateway's answers show. A run in
// one process has it here; under the Ginkgo CLI the launcher serves it
// (launch) and each process takes its slots from there.
type gate struct {
	pace.Gate
	local  *pace.Limiter // this process's own limiter; nil when it is the launcher's
	remote *pace.Remote
	cap    float64 // SWR_RATE
}

// openGate connects to the launcher's limiter when there is one, or makes
// this process's own. A process of several without the launcher's (a
// launcher that cannot be reached, or a Ginkgo CLI the user started
// directly) paces its requests alone at its share of the cap (SWR_RATE ÷
// processes), so that the run as a whole never goes above it.
func openGate(cfg config.Config, procs int) gate {
	procs = max(1, procs)
	if addr := os.Getenv(pace.EnvAddress); addr != "" {
		rm, err := pace.Dial(addr, procs)
		if err == nil {
			return gate{Gate: rm, remote: rm, cap: cfg.Rate}
		}
		fmt.Fprintf(os.Stderr, "swr-conformance: warning: this process paces its requests alone (%v)\n", err)
	}
	l := pace.NewLimiter(cfg.Rate/float64(procs), nil)
	return gate{Gate: &pace.Local{L: l}, local: l, cap: cfg.Rate}
}

// paceText says what the run's limiter did, for the console: "" when no
// rate was ever learned.
func paceText(st pace.Stats) string {
	if st.Cuts == 0 {
		return ""
	}
	return fmt.Sprintf("the target's rate limit, as its slow-downs showed: about %.1f requests per second (lowered %d times, probed upwards in between)", st.Learned, st.Cuts)
}

// rate is the rate in force: the cap, or the rate learned; 0: none.
func (g gate) rate() float64 {
	switch {
	case g.remote != nil:
		return g.remote.Rate()
	case g.local != nil:
		return g.local.Rate()
	}
	return 0
}

// stats are this process's limiter's; under the Ginkgo CLI the launcher's
// limiter keeps them for the run (launch prints them), and a process
// knows only the rate in force: learned, when it is not the cap.
func (g gate) stats() pace.Stats {
	if g.local != nil {
		return g.local.Stats()
	}
	st := pace.Stats{}
	if g.remote != nil {
		st.Paced = g.remote.Paced()
	}
	if r := g.rate(); r != g.cap {
		st.Learned = r
	}
	return st
}

func (g gate) close() {
	if g.remote != nil {
		g.remote.Close()
	}
}

// expectedRequests is what a run with cfg is expected to send to a
// conforming target: a fixed part (set-up, the specs of single requests,
// cleanup) and a part per case of each property (SWR_CASES), each measured
// on the embedded reference server in both modes. A target without show
// and list is read back less; one that fails sends fewer. TestExpectedRequests
// (internal/e2e) keeps the figures in step with the specs.
func expectedRequests(cfg config.Config) int {
	if cfg.Provision {
		return 1215 + 67*cfg.Cases
	}
	return 857 + 55*cfg.Cases
}

// costLine says up front what the run will cost the target: the requests,
// and at the cap the least time they take.
func costLine(cfg config.Config) string {
	n := expectedRequests(cfg)
	line := fmt.Sprintf("this run sends about %d requests (%s=%d cases per property)", n, config.EnvCases, cfg.Cases)
	if cfg.Rate > 0 {
		at := time.Duration(float64(n) / cfg.Rate * float64(time.Second)).Round(time.Second)
		return line + fmt.Sprintf("; at %s=%g they take at least %s", config.EnvRate, cfg.Rate, at)
	}
	return line + "; a gateway that slows it down sets the pace, which the run then keeps to"
}
