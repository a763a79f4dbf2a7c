package sonobuoy

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// unpack reads a gzip tarball as Sonobuoy's aggregator does: name to content.
func unpack(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("%s is not gzip, but the worker sends it as application/gzip (its name ends in .gz): %v", path, err)
	}
	files := map[string]string{}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return files
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		files[h.Name] = string(b)
	}
}

func TestDeliverWritesTheArchiveAndThenDoneNamingIt(t *testing.T) {
	reports, results := t.TempDir(), filepath.Join(t.TempDir(), "results")
	want := map[string]string{}
	for _, name := range Reports {
		want[name] = "content of " + name
		if err := os.WriteFile(filepath.Join(reports, name), []byte(want[name]), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(reports, "unrelated.txt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	archive, err := Deliver(reports, results, Reports)
	if err != nil {
		t.Fatal(err)
	}
	done, err := os.ReadFile(filepath.Join(results, DoneFile))
	if err != nil {
		t.Fatalf("no done file: the worker would wait until Sonobuoy's timeout: %v", err)
	}
	if string(done) != archive || archive != filepath.Join(results, Archive) || !filepath.IsAbs(archive) {
		t.Fatalf("done holds %q, Deliver returned %q: want the absolute path of %s in %s (the worker stats it from its own container)", done, archive, Archive, results)
	}
	if got := unpack(t, archive); !reflect.DeepEqual(got, want) {
		t.Fatalf("the archive holds %v, want exactly the four reports %v", got, want)
	}
	if _, err := os.Stat(filepath.Join(results, DoneFile+".tmp")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("the done file's temporary copy is left behind: %v", err)
	}
}

func TestDeliverWithoutAReportWritesNoDoneFile(t *testing.T) {
	reports, results := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(reports, "junit.xml"), []byte("<testsuites/>"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Deliver(reports, results, Reports); err == nil {
		t.Fatal("Deliver succeeded with three reports missing")
	}
	if _, err := os.Stat(filepath.Join(results, DoneFile)); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("a done file was written for an incomplete delivery (%v): Sonobuoy would collect a partial result as the run's", err)
	}
}

func TestResultsDirOnlyInsideSonobuoy(t *testing.T) {
	env := map[string]string{}
	if dir, ok := ResultsDir(func(k string) string { return env[k] }); ok {
		t.Fatalf("outside Sonobuoy ResultsDir says %q", dir)
	}
	env[EnvResultsDir] = DefaultResultsDir
	if dir, ok := ResultsDir(func(k string) string { return env[k] }); !ok || dir != DefaultResultsDir {
		t.Fatalf("ResultsDir = %q, %v; want %q, true", dir, ok, DefaultResultsDir)
	}
}
