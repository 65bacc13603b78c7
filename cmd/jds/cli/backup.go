package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/openjds/jds/config"
	"github.com/openjds/jds/internal/backup"
	"github.com/openjds/jds/internal/store/backupfile"
	"github.com/openjds/jds/internal/store/badgerstore"
	"github.com/openjds/jds/server"
	"github.com/openjds/jds/server/service"
)

// backupCmd takes a backup from a running jds into a file (jds backup), or checks
// backup files (jds backup verify).
func backupCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "verify" {
		return verifyCmd(args[1:], stdout, stderr)
	}
	fs := flags("backup", "--out FILE [--url URL] [--token TOKEN] [--since FILE|VERSION]\n       jds backup verify FILE...", stderr)
	base := fs.String("url", "http://"+localAddr(), "base URL of the running jds")
	tok := fs.String("token", os.Getenv("JDS_ADMIN_TOKEN"), "an instance admin's token: admin, every workspace (sn=*), an organization of config admins (default $JDS_ADMIN_TOKEN)")
	out := fs.String("out", "", "the backup file to write (atomically: nothing is left there on failure)")
	since := fs.String("since", "", "an incremental backup on this earlier backup FILE (or on the VERSION a backup ends at, its until)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *out == "" {
		fmt.Fprintln(stderr, "jds backup: --out is required")
		return errUsage
	}
	if *tok == "" {
		return errors.New("no token: pass --token or set $JDS_ADMIN_TOKEN (jds token --workspace '*' mints one)")
	}
	q := url.Values{}
	if *since != "" {
		if n, err := strconv.ParseUint(*since, 10, 64); err == nil {
			q.Set("since", strconv.FormatUint(n, 10))
		} else {
			h, err := backupfile.ReadHeader(*since)
			if err != nil {
				return fmt.Errorf("--since %s: %w", *since, err)
			}
			q.Set("since", strconv.FormatUint(h.Until, 10))
			q.Set("store", h.Store)
		}
	}
	u := strings.TrimSuffix(*base, "/") + "/admin/v1/api/backup"
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", *tok)
	start := time.Now()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("asking %s for a backup: %w", *base, err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("%s answered %s: %s", u, res.Status, errorMessage(res.Body))
	}
	approx, _ := strconv.ParseInt(res.Header.Get(server.HeaderBackupApprox), 10, 64)
	p := newProgress(stderr, approx)
	var h backupfile.Header
	var t backupfile.Trailer
	var sum string
	size, err := backup.WriteFile(*out, func(w io.Writer) error {
		// The file is checked as it is written: a backup cut short or damaged on the way
		// is not renamed into place.
		var err error
		h, t, sum, err = backupfile.Verify(io.TeeReader(res.Body, io.MultiWriter(w, p)))
		return err
	})
	p.stop()
	if err != nil {
		return fmt.Errorf("backup not written to %s: %w", *out, err)
	}
	kind := "full backup"
	if !h.Full() {
		kind = fmt.Sprintf("incremental backup on version %d", h.Since)
	}
	fmt.Fprintf(stdout, "wrote %s: %s of store %s up to version %d (last sequence %d): %s; %s in %s; sha256 %s\n",
		*out, kind, h.Store, h.Until, h.LastSeq, describeCounts(t.Counts), bytesText(size), time.Since(start).Round(time.Millisecond), sum)
	return nil
}

// localAddr is the address of a jds on this machine ($JDS_ADDR, else the default).
func localAddr() string {
	addr := os.Getenv("JDS_ADDR")
	if addr == "" {
		addr = config.Default().Addr
	}
	if strings.HasPrefix(addr, ":") {
		addr = "127.0.0.1" + addr
	}
	return addr
}

// errorMessage reads the message of an error envelope, or the start of the body.
func errorMessage(r io.Reader) string {
	raw, _ := io.ReadAll(io.LimitReader(r, 4096))
	var env struct {
		Message string `json:"message"`
	}
	if json.Unmarshal(raw, &env) == nil && env.Message != "" {
		return env.Message
	}
	return strings.TrimSpace(string(raw))
}

// verifyCmd reads backup files through and reports what each holds; it fails when any
// is damaged.
func verifyCmd(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || isHelp(args[0]) {
		fmt.Fprintln(stderr, "usage: jds backup verify FILE...")
		fmt.Fprintln(stderr, "reads backup files through, checking their layout, counts and checksums, and says what each holds")
		if len(args) > 0 {
			return flag.ErrHelp
		}
		return errUsage
	}
	bad := 0
	for _, path := range args {
		h, t, sum, err := backupfile.VerifyFile(path)
		if err != nil {
			bad++
			fmt.Fprintf(stdout, "%s: BAD: %v\n", path, err)
			continue
		}
		kind := "full"
		if !h.Full() {
			kind = fmt.Sprintf("incremental since version %d", h.Since)
		}
		fmt.Fprintf(stdout, "%s: OK: %s, store %s, until version %d, last sequence %d, jds %s, store format %d, taken %s\n    %s; %d keys, %d values; sha256 %s\n",
			path, kind, h.Store, h.Until, h.LastSeq, h.JDSVersion, h.StoreFormat, h.Created.Format(time.RFC3339), describeCounts(t.Counts), t.Keys, t.Values, sum)
	}
	if bad > 0 {
		return fmt.Errorf("%d of %d backup files are damaged", bad, len(args))
	}
	return nil
}

// restoreCmd makes a data directory from backup files.
func restoreCmd(args []string, stdout, stderr io.Writer) error {
	fs := flags("restore", "--data-dir DIR FULL_BACKUP [INCREMENTAL...]", stderr)
	dataDir := fs.String("data-dir", "", "the data directory to make: empty or absent (jds serve's dataDir)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	files := fs.Args()
	if *dataDir == "" || len(files) == 0 {
		fs.Usage()
		return errUsage
	}
	if entries, err := os.ReadDir(*dataDir); err == nil && len(entries) > 0 {
		return fmt.Errorf("%s is not empty (it holds %s): restore only into an empty or new directory; jds never restores over a store", *dataDir, entries[0].Name())
	}
	// Every file is checked, and the chain, before anything is loaded.
	var prev backupfile.Header
	for i, path := range files {
		h, _, _, err := backupfile.VerifyFile(path)
		if err == nil {
			err = badgerstore.Chains(prev, h, i)
		}
		if err != nil {
			return fmt.Errorf("%s: %w; nothing restored", path, err)
		}
		prev = h
	}
	if err := os.MkdirAll(*dataDir, 0o750); err != nil {
		return err
	}
	var readers []io.Reader
	for _, path := range files {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		readers = append(readers, f)
	}
	start := time.Now()
	dir := service.StoreDir(*dataDir)
	info, err := badgerstore.Restore(dir, readers...)
	if err != nil {
		return fmt.Errorf("restoring into %s: %w; nothing restored", dir, err)
	}
	fmt.Fprintf(stdout, "restored %d backup files into %s in %s: %s; up to version %d of store %s, last sequence %d\n",
		info.Files, dir, time.Since(start).Round(time.Millisecond), describeCounts(info.Trailer.Counts), info.Header.Until, info.Header.Store, info.Header.LastSeq)
	fmt.Fprintf(stdout, "start it with dataDir: %s (signing keys come from the configuration; a development key is not in backups)\n", filepath.Clean(*dataDir))
	return nil
}

// describeCounts says what a backup holds, the counts people look for first.
func describeCounts(c map[string]int64) string {
	named := []struct{ key, name string }{
		{"events", "events"}, {"persons", "persons"}, {"aliases", "aliases"},
		{"documents/profile-templates", "templates"}, {"documents/journey-actions", "actions"},
		{"deliveries", "deliveries"}, {"workspaces", "workspaces"},
	}
	var parts []string
	seen := map[string]bool{}
	for _, n := range named {
		parts = append(parts, fmt.Sprintf("%d %s", c[n.key], n.name))
		seen[n.key] = true
	}
	for _, k := range slices.Sorted(maps.Keys(c)) {
		if !seen[k] {
			parts = append(parts, fmt.Sprintf("%d %s", c[k], k))
		}
	}
	return strings.Join(parts, ", ")
}

func bytesText(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.2f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// progress shows how far a download has got on stderr: a bar redrawn in place on a
// terminal, a plain line every few seconds otherwise.
type progress struct {
	w      io.Writer
	tty    bool
	approx int64
	start  time.Time
	mu     sync.Mutex
	n      int64
	done   chan struct{}
	wg     sync.WaitGroup
}

func newProgress(w io.Writer, approx int64) *progress {
	p := &progress{w: w, tty: isTerminal(w), approx: approx, start: time.Now(), done: make(chan struct{})}
	every := 5 * time.Second
	if p.tty {
		every = 200 * time.Millisecond
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			select {
			case <-p.done:
				return
			case <-tick.C:
				p.show(false)
			}
		}
	}()
	return p
}

func (p *progress) Write(b []byte) (int, error) {
	p.mu.Lock()
	p.n += int64(len(b))
	p.mu.Unlock()
	return len(b), nil
}

func (p *progress) show(final bool) {
	p.mu.Lock()
	n := p.n
	p.mu.Unlock()
	took := time.Since(p.start)
	rate := float64(n) / max(took.Seconds(), 1e-3)
	text := fmt.Sprintf("%s, %s/s, %s", bytesText(n), bytesText(int64(rate)), took.Round(time.Second))
	if !p.tty {
		fmt.Fprintf(p.w, "backup: %s\n", text)
		return
	}
	// The store's size on disk is only an estimate of the file's: the bar stops short
	// of full until the end.
	frac := 0.0
	if p.approx > 0 {
		frac = min(float64(n)/float64(p.approx), 0.99)
	}
	if final {
		frac = 1
	}
	const width = 30
	fill := int(frac * width)
	fmt.Fprintf(p.w, "\r[%s%s] %3.0f%% %s   ", strings.Repeat("#", fill), strings.Repeat(" ", width-fill), frac*100, text)
	if final {
		fmt.Fprintln(p.w)
	}
}

func (p *progress) stop() {
	close(p.done)
	p.wg.Wait()
	p.show(true)
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
