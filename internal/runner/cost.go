package runner

import (
	"fmt"
	"time"

	"github.com/swr-conformance/swr-conformance/internal/config"
)

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
