//go:build !race

package generators

// raceDetector: this test binary runs under the race detector (go test -race).
const raceDetector = false
