// Package sonobuoy hands the suite's reports to Sonobuoy when the suite runs
// as a Sonobuoy plugin (deploy/sonobuoy). Sonobuoy's side of the contract
// (its plugin documentation, and pkg/worker of github.com/vmware-tanzu/sonobuoy):
// the plugin's container shares a results directory with Sonobuoy's worker
// (/tmp/sonobuoy/results unless configured otherwise; `sonobuoy run` sets
// SONOBUOY_RESULTS_DIR to it), and the worker waits for a file named done
// there, which holds the path of the results file; it then sends that file
// to Sonobuoy's aggregator, unpacking it there if its name ends in .gz.
package sonobuoy

import (
	"archive/tar"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

const (
	// EnvResultsDir names the results directory; `sonobuoy run` sets it in
	// every plugin's container. Its presence is how the suite knows it runs
	// as a plugin.
	EnvResultsDir = "SONOBUOY_RESULTS_DIR"
	// DefaultResultsDir is Sonobuoy's default results directory, where the
	// plugin definition mounts the shared volume.
	DefaultResultsDir = "/tmp/sonobuoy/results"
	// DoneFile is the file the worker waits for, in the results directory.
	DoneFile = "done"
	// Archive is the results file: the four reports in a gzip tarball. The
	// plugin definition names junit.xml in it as the file Sonobuoy reads
	// for pass and fail (result-format junit).
	Archive = "swr-conformance.tar.gz"
)

// Reports are the files a run writes to SWR_REPORT_DIR (internal/report).
var Reports = []string{"junit.xml", "results.json", "summary.md", "report.html"}

// ResultsDir is the results directory when the process runs as a Sonobuoy
// plugin: the value of SONOBUOY_RESULTS_DIR, if set.
func ResultsDir(getenv func(string) string) (string, bool) {
	dir := getenv(EnvResultsDir)
	return dir, dir != ""
}

// Deliver puts the files of reportDir named by names into Archive in
// resultsDir, and then writes resultsDir/done holding the archive's path.
// The done file comes last and whole (written aside, then renamed), since
// the worker sends whatever the done file names as soon as it appears.
// It returns the archive's path.
func Deliver(reportDir, resultsDir string, names []string) (string, error) {
	resultsDir, err := filepath.Abs(resultsDir)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(resultsDir, 0o755); err != nil {
		return "", err
	}
	archive := filepath.Join(resultsDir, Archive)
	if err := writeArchive(archive, reportDir, names); err != nil {
		return "", err
	}
	done := filepath.Join(resultsDir, DoneFile)
	if err := os.WriteFile(done+".tmp", []byte(archive), 0o644); err != nil {
		return "", err
	}
	return archive, os.Rename(done+".tmp", done)
}

// writeArchive writes the named files of dir, at the archive's top level,
// into a gzip tarball at path.
func writeArchive(path, dir string, names []string) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	zw := gzip.NewWriter(f)
	tw := tar.NewWriter(zw)
	for _, name := range names {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return fmt.Errorf("report %s: %w", name, err)
		}
		h := &tar.Header{Name: name, Mode: 0o644, Size: int64(len(data)), ModTime: time.Now().Truncate(time.Second), Typeflag: tar.TypeReg}
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if _, err := tw.Write(data); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return zw.Close()
}
