// Package ruledir manages the directories admins write definitions in (rule files, IVR
// flow files): it loads every file, compiles the whole set, and swaps it in only when
// all of it is good — on start, when a file changes, on SIGHUP and on request. A broken
// file never replaces the working set; the errors are kept for the API, the logs and the
// metrics (Prometheus's rule manager is the model).
package ruledir

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/openjds/jds/connectors"
	"github.com/openjds/jds/rules"
)

// Set is what a rule directory compiles to.
type Set struct {
	Files     []string
	Templates []*rules.Compiled
	Actions   []*rules.CompiledAction
	Policies  []*rules.CompiledPolicy
}

// Load parses and compiles every rule file of dir; a directory that does not exist is an
// empty set. Every problem of every file is reported, with its file, line and column.
// It checks the files on their own: LoadWith also checks them against the
// configuration.
func Load(dir string) (*Set, error) { return LoadWith(rules.Options{}, dir) }

// LoadFiles is Load for rule files and directories named one by one.
func LoadFiles(paths ...string) (*Set, error) { return LoadFilesWith(rules.Options{}, paths...) }

// LoadWith is Load with the checks o asks for: what jds serve and jds check run, with
// the connectors of the configuration (see Connectors).
func LoadWith(o rules.Options, dir string) (*Set, error) {
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return &Set{}, nil
	}
	return LoadFilesWith(o, dir)
}

// LoadFilesWith is LoadWith for rule files and directories named one by one (jds check).
func LoadFilesWith(o rules.Options, paths ...string) (*Set, error) {
	files, err := o.LoadFiles(paths...)
	if err != nil {
		return nil, err
	}
	set := &Set{}
	for _, f := range files {
		set.Files = append(set.Files, f.Path)
		set.Templates = append(set.Templates, f.Compiled...)
		set.Actions = append(set.Actions, f.CompiledActions...)
		set.Policies = append(set.Policies, f.Policies...)
	}
	return set, nil
}

// Connectors describes the connector instances of a configuration for the actions that
// name them: each instance's kind, and the delivery attributes that kind reads and
// requires (none listed: any), and the organizations it serves (nil: every one). An
// instance of an unknown kind is left out: the
// configuration's own check reports it. The result is never nil, so that with no
// instance configured every Connector trigger is an error.
func Connectors(instances []connectors.Instance) rules.Connectors {
	out := rules.Connectors{}
	for _, in := range instances {
		k, ok := connectors.Lookup(in.Kind)
		if !ok {
			continue
		}
		c := rules.Connector{Kind: k.Name, Organizations: in.Organizations}
		for _, f := range k.Attributes {
			c.Attributes = append(c.Attributes, f.Name)
			if f.Required {
				c.Required = append(c.Required, f.Name)
			}
		}
		out[in.Name] = c
	}
	return out
}

// Status is the outcome of the latest reload.
type Status struct {
	Dir       string    `json:"dir"`
	LoadedAt  time.Time `json:"loadedAt"`  // when the working set was swapped in
	CheckedAt time.Time `json:"checkedAt"` // when the directory was last read
	OK        bool      `json:"ok"`        // the latest reload succeeded
	Files     []string  `json:"files"`
	// Counts says how many definitions of each kind the working set holds
	// ({"templates": 3, "actions": 1}).
	Counts   map[string]int `json:"counts"`
	Errors   []string       `json:"errors"`
	Reloads  uint64         `json:"reloads"`
	Failures uint64         `json:"failures"`
}

// Loaded is what a Loader put into force.
type Loaded struct {
	Files  []string
	Counts map[string]int
}

// Loader reads every definition file of dir and, only when all of them are good, puts
// them into force. It returns every problem of every file otherwise.
type Loader func(ctx context.Context, dir string) (Loaded, error)

// Rules is the Loader of a rule directory, checked as o asks: apply receives the
// compiled set.
func Rules(o rules.Options, apply func(context.Context, *Set) error) Loader {
	return func(ctx context.Context, dir string) (Loaded, error) {
		set, err := LoadWith(o, dir)
		if err == nil {
			err = apply(ctx, set)
		}
		if err != nil {
			return Loaded{}, err
		}
		return Loaded{Files: set.Files, Counts: map[string]int{"templates": len(set.Templates), "actions": len(set.Actions), "policies": len(set.Policies)}}, nil
	}
}

// MarshalJSON writes the times as the API writes every time: RFC 3339, UTC,
// milliseconds; null before the first reload.
func (s Status) MarshalJSON() ([]byte, error) {
	type plain Status // the same fields, without this method
	at := func(t time.Time) *string {
		if t.IsZero() {
			return nil
		}
		v := t.UTC().Format("2006-01-02T15:04:05.000Z")
		return &v
	}
	return json.Marshal(struct {
		plain
		LoadedAt  *string `json:"loadedAt"`
		CheckedAt *string `json:"checkedAt"`
	}{plain(s), at(s.LoadedAt), at(s.CheckedAt)})
}

// Manager reloads a directory through its Loader.
type Manager struct {
	what  string // "rule files", "flow files": for logs
	dir   string
	log   *slog.Logger
	load  Loader
	watch func(name string) bool

	mu     sync.Mutex // serialises reloads
	status Status
}

// NewManager returns a manager of the rule directory dir, whose files are checked as o
// asks; nothing is read until Reload.
func NewManager(dir string, o rules.Options, log *slog.Logger, apply func(context.Context, *Set) error) *Manager {
	return NewDirManager("rule files", dir, log, Rules(o, apply), func(name string) bool { return !rules.IsTestFile(name) })
}

// NewDirManager returns a manager of any definition directory: what names the files in
// logs, load reads them, and Watch reloads when a YAML file that watched accepts
// changes.
func NewDirManager(what, dir string, log *slog.Logger, load Loader, watched func(name string) bool) *Manager {
	return &Manager{what: what, dir: dir, log: log, load: load, watch: watched,
		status: Status{Dir: dir, Files: []string{}, Errors: []string{}, Counts: map[string]int{}}}
}

// Reload loads the directory; when every file is good the new set replaces the old,
// otherwise the old set stays and the error is returned and kept in Status.
func (m *Manager) Reload(ctx context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.status.CheckedAt = time.Now().UTC()
	loaded, err := m.load(ctx, m.dir)
	if err != nil {
		m.status.OK = false
		m.status.Failures++
		m.status.Errors = strings.Split(err.Error(), "\n")
		m.log.Error(m.what+" not reloaded; the previous set stays in force", "dir", m.dir, "err", err)
		return err
	}
	m.status.OK, m.status.Errors = true, []string{}
	m.status.Reloads++
	m.status.LoadedAt = m.status.CheckedAt
	m.status.Files = append([]string{}, loaded.Files...)
	sort.Strings(m.status.Files)
	m.status.Counts = maps.Clone(loaded.Counts)
	args := []any{"dir", m.dir, "files", len(loaded.Files)}
	for _, k := range slices.Sorted(maps.Keys(loaded.Counts)) {
		args = append(args, k, loaded.Counts[k])
	}
	m.log.Info(m.what+" loaded", args...)
	return nil
}

// Status returns the outcome of the latest reload.
func (m *Manager) Status() Status {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.status
	s.Files = append([]string{}, s.Files...)
	s.Errors = append([]string{}, s.Errors...)
	s.Counts = maps.Clone(s.Counts)
	return s
}

// Watch reloads when files of the directory change, waiting for writes to settle
// (editors write in several steps). It returns when ctx ends. A directory that does not
// exist is not watched.
func (m *Manager) Watch(ctx context.Context, settle time.Duration) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watching %s: %w", m.dir, err)
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
			return fmt.Errorf("watching %s: %w", m.dir, err)
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
			if name := filepath.Base(ev.Name); isYAML(name) && m.watch(name) {
				timer.Reset(settle)
			}
		case err, ok := <-w.Errors:
			if !ok {
				return nil
			}
			m.log.Warn("watching "+m.what, "dir", m.dir, "err", err)
		case <-timer.C:
			m.Reload(ctx)
		}
	}
}

func isYAML(name string) bool {
	ext := filepath.Ext(name)
	return ext == ".yaml" || ext == ".yml"
}
