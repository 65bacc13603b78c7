// Package ruledir manages the admins' rule directory: it loads every rule file, compiles
// the whole set, and swaps it in only when all of it is good — on start, when a file
// changes, on SIGHUP and on request. A broken file never replaces the working set; the
// errors are kept for the API, the logs and the metrics (Prometheus's rule manager is
// the model).
package ruledir

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/openjds/jds/rules"
)

// Set is what a rule directory compiles to.
type Set struct {
	Files     []string
	Templates []*rules.Compiled
	Actions   []*rules.CompiledAction
}

// Load parses and compiles every rule file of dir; a directory that does not exist is an
// empty set. Every problem of every file is reported, with its file, line and column.
func Load(dir string) (*Set, error) {
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return &Set{}, nil
	}
	return LoadFiles(dir)
}

// LoadFiles is Load for rule files and directories named one by one (jds check).
func LoadFiles(paths ...string) (*Set, error) {
	files, err := rules.LoadFiles(paths...)
	if err != nil {
		return nil, err
	}
	set := &Set{}
	for _, f := range files {
		set.Files = append(set.Files, f.Path)
		set.Templates = append(set.Templates, f.Compiled...)
		set.Actions = append(set.Actions, f.CompiledActions...)
	}
	return set, nil
}

// Status is the outcome of the latest reload.
type Status struct {
	Dir       string    `json:"dir"`
	LoadedAt  time.Time `json:"loadedAt"`  // when the working set was swapped in
	CheckedAt time.Time `json:"checkedAt"` // when the directory was last read
	OK        bool      `json:"ok"`        // the latest reload succeeded
	Files     []string  `json:"files"`
	Templates int       `json:"templates"`
	Errors    []string  `json:"errors"`
	Reloads   uint64    `json:"reloads"`
	Failures  uint64    `json:"failures"`
}

// Manager reloads a rule directory into apply.
type Manager struct {
	dir   string
	log   *slog.Logger
	apply func(context.Context, *Set) error

	mu     sync.Mutex // serialises reloads
	status Status
}

// NewManager returns a manager; nothing is read until Reload.
func NewManager(dir string, log *slog.Logger, apply func(context.Context, *Set) error) *Manager {
	return &Manager{dir: dir, log: log, apply: apply, status: Status{Dir: dir, Files: []string{}, Errors: []string{}}}
}

// Reload loads the directory; when every file is good the new set replaces the old,
// otherwise the old set stays and the error is returned and kept in Status.
func (m *Manager) Reload(ctx context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.status.CheckedAt = time.Now().UTC()
	set, err := Load(m.dir)
	if err == nil {
		err = m.apply(ctx, set)
	}
	if err != nil {
		m.status.OK = false
		m.status.Failures++
		m.status.Errors = strings.Split(err.Error(), "\n")
		m.log.Error("rule files not reloaded; the previous set stays in force", "dir", m.dir, "err", err)
		return err
	}
	m.status.OK, m.status.Errors = true, []string{}
	m.status.Reloads++
	m.status.LoadedAt = m.status.CheckedAt
	m.status.Files = append([]string{}, set.Files...)
	sort.Strings(m.status.Files)
	m.status.Templates = len(set.Templates)
	m.log.Info("rule files loaded", "dir", m.dir, "files", len(set.Files), "templates", len(set.Templates))
	return nil
}

// Status returns the outcome of the latest reload.
func (m *Manager) Status() Status {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.status
	s.Files = append([]string{}, s.Files...)
	s.Errors = append([]string{}, s.Errors...)
	return s
}

// Watch reloads when files of the directory change, waiting for writes to settle
// (editors write in several steps). It returns when ctx ends. A directory that does not
// exist is not watched.
func (m *Manager) Watch(ctx context.Context, settle time.Duration) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watching rule directory: %w", err)
	}
	defer w.Close()
	// A directory made after the start is watched once it appears, and loaded then.
	watching := false
	watch := func() error {
		err := w.Add(m.dir)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("watching rule directory %s: %w", m.dir, err)
		}
		watching = true
		return nil
	}
	if err := watch(); err != nil {
		return err
	}
	appear := time.NewTicker(2 * time.Second)
	defer appear.Stop()
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-appear.C:
			if watching {
				continue
			}
			if err := watch(); err != nil {
				return err
			}
			if watching {
				m.Reload(ctx)
			}
		case ev, ok := <-w.Events:
			if !ok {
				return nil
			}
			if name := filepath.Base(ev.Name); isYAML(name) && !rules.IsTestFile(name) {
				timer.Reset(settle)
			}
		case err, ok := <-w.Errors:
			if !ok {
				return nil
			}
			m.log.Warn("watching rule directory", "dir", m.dir, "err", err)
		case <-timer.C:
			m.Reload(ctx)
		}
	}
}

func isYAML(name string) bool {
	ext := filepath.Ext(name)
	return ext == ".yaml" || ext == ".yml"
}
