package server

import (
	"bufio"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/openjds/jds/internal/backup"
	"github.com/openjds/jds/internal/store"
)

// Backups (ext): GET /admin/v1/api/backup streams an online backup of the whole store,
// every organization's, taken from one read snapshot: an instance admin's operation
// (scope.go). A read-only instance admin token (sp=r) may take one, so that the
// backup tool's token can do nothing else. ?since=<version> (the until of an earlier
// backup, X-JDS-Backup-Until) makes an incremental on it; &store=<id> (its
// X-JDS-Backup-Store) has it refused when that backup was of another store. The file
// format is in docs/OPERATIONS.md, Backups.

// Response headers of a backup: known before its first byte.
const (
	HeaderVersion       = "X-JDS-Version"
	HeaderStoreFormat   = "X-JDS-Store-Format"
	HeaderBackupStore   = "X-JDS-Backup-Store"
	HeaderBackupSince   = "X-JDS-Backup-Since"
	HeaderBackupUntil   = "X-JDS-Backup-Until"
	HeaderBackupLastSeq = "X-JDS-Backup-Last-Seq"
	HeaderBackupApprox  = "X-JDS-Backup-Approx-Bytes"
)

func (s *Server) backupRoutes() {
	s.app.Get("/admin/v1/api/backup", s.instanceAdmin(false), s.backup)
}

func (s *Server) backup(c *fiber.Ctx) error {
	if _, err := s.adminMeta(c); err != nil {
		return err
	}
	b, ok := s.store.(store.Backuper)
	if !ok {
		return newError(http.StatusNotImplemented, "this store backend is not backed up through jds: use the database's own tools (PostgreSQL: pg_basebackup and point-in-time recovery)")
	}
	o := store.BackupOptions{JDSVersion: s.version, Store: c.Query("store")}
	if v := c.Query("since"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return newError(http.StatusBadRequest, fmt.Sprintf("since must be the version an earlier backup ends at (its %s header, or the until of jds backup verify), got %q", HeaderBackupUntil, v), "since: not a version")
		}
		o.Since = n
	}
	snap, err := b.OpenBackup(c.UserContext(), o)
	switch {
	case errors.Is(err, store.ErrBackupBase):
		return newError(http.StatusConflict, err.Error(), "since: "+err.Error())
	case errors.Is(err, store.ErrClosed):
		return newError(http.StatusServiceUnavailable, "shutting down")
	case err != nil:
		return err
	}
	h := snap.Header()
	c.Set(fiber.HeaderContentType, "application/octet-stream")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf("attachment; filename=%q", backup.Name(h)))
	c.Set(HeaderVersion, h.JDSVersion)
	c.Set(HeaderStoreFormat, strconv.Itoa(h.StoreFormat))
	c.Set(HeaderBackupStore, h.Store)
	c.Set(HeaderBackupSince, strconv.FormatUint(h.Since, 10))
	c.Set(HeaderBackupUntil, strconv.FormatUint(h.Until, 10))
	c.Set(HeaderBackupLastSeq, strconv.FormatUint(h.LastSeq, 10))
	c.Set(HeaderBackupApprox, strconv.FormatInt(h.ApproxBytes, 10))
	if c.Method() == http.MethodHead {
		return snap.Close() // the headers alone: no body will be written
	}
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		defer snap.Close()
		// A failure mid-way cuts the response short: the file has no trailer, and the
		// client (jds backup, verify) refuses it.
		t, err := snap.WriteTo(s.ctx, w)
		if err == nil {
			err = w.Flush()
		}
		if err != nil {
			s.log.Warn("backup cut short", "since", h.Since, "until", h.Until, "err", err)
			return
		}
		s.log.Info("backup sent", "since", h.Since, "until", h.Until, "lastSeq", h.LastSeq,
			"keys", t.Keys, "bytes", t.Bytes, "events", t.Counts["events"])
	})
	return nil
}
