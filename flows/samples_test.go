package flows

import (
	"os"
	"path/filepath"
	"testing"
)

// The sample flows are the three use cases; their test files say what each caller must
// hear. They run here so that a change that breaks a use case fails `go test`.
func TestSampleFlows(t *testing.T) {
	files, err := filepath.Glob("../samples/flows/*.test.yaml")
	if err != nil || len(files) < 3 {
		t.Fatalf("sample flow tests: %v %v", files, err)
	}
	for _, f := range files {
		report, err := RunTestFile(f, Options{})
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
