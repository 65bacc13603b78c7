package flows

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/openjds/jds/internal/store/badgerstore"
)

// The sample flows are the three use cases; their test files say what each caller must
// hear. They run here so that a change that breaks a use case fails `go test`.
func TestSampleFlows(t *testing.T) {
	files, err := filepath.Glob("../samples/flows/*.test.yaml")
	if err != nil || len(files) < 3 {
		t.Fatalf("sample flow tests: %v %v", files, err)
	}
	for _, f := range files {
		report, err := RunTestFile(f, Options{Scratch: badgerstore.Scratch})
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, tc := range report.Tests {
			for _, msg := range tc.Failures {
				t.Errorf("%s: %s: %s", f, tc.Name, msg)
			}
		}
		if len(report.Tests) == 0 {
			t.Errorf("%s: no tests", f)
		}
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// The test runner passes what holds and reports, with its line, what does not.
func TestRunTestFileReportsFailures(t *testing.T) {
	report, err := RunTestFile("testdata/opening-hours.test.yaml", Options{Scratch: badgerstore.Scratch})
	if err != nil {
		t.Fatal(err)
	}
	if len(report.Tests) != 2 || report.Failed() != 1 {
		t.Fatalf("report: %+v", report)
	}
	if f := report.Tests[0].Failures; len(f) != 0 {
		t.Errorf("the first test fails: %v", f)
	}
	f := report.Tests[1].Failures
	if len(f) != 1 || !strings.Contains(f[0], "opening-hours.test.yaml:11: answer: got {\"open\":false,\"visits\":0}, want {\"open\":true}") {
		t.Errorf("failure message: %v", f)
	}
}
