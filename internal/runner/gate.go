package runner

import (
	"fmt"
	"os"

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
