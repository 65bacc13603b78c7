package ruledir

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/openjds/jds/rules"
)

// TestVersionFollowsTheFiles: the status's version is a hash of the files in force, the
// same for the same files in another directory (another node's copy), another when a
// file changes; OnReload hears of every reload, failed ones too.
func TestVersionFollowsTheFiles(t *testing.T) {
	const tpl = "templates:\n  - name: T\n    attributes:\n      - {name: n, displayName: N, event: E, aggregationMode: Count, lookBack: 1d}\n"
	manager := func(dir string) (*Manager, *[]Status) {
		var told []Status
		m := NewManager(dir, rules.Options{}, slog.New(slog.DiscardHandler), func(context.Context, *Set) error { return nil })
		m.OnReload(func(s Status) { told = append(told, s) })
		return m, &told
	}
	write := func(dir, body string) {
		if err := os.WriteFile(filepath.Join(dir, "t.yaml"), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	one, two := t.TempDir(), t.TempDir()
	write(one, tpl)
	write(two, tpl)
	m1, told := manager(one)
	m2, _ := manager(two)
	ctx := context.Background()
	if err := m1.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	if err := m2.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	v1 := m1.Status().Version
	if v1 == "" || v1 != m2.Status().Version {
		t.Fatalf("versions of the same files: %q and %q", v1, m2.Status().Version)
	}
	write(one, tpl+"# a comment\n")
	m1.Reload(ctx)
	if v := m1.Status().Version; v == v1 {
		t.Errorf("a changed file kept version %s", v)
	}
	write(one, "templates: [{")
	if err := m1.Reload(ctx); err == nil {
		t.Fatal("a broken file loaded")
	}
	if len(*told) != 3 || !(*told)[1].OK || (*told)[2].OK || (*told)[2].Version != (*told)[1].Version {
		t.Errorf("told of %d reloads: %+v; want 3, the last failed and keeping the version in force", len(*told), *told)
	}
}
