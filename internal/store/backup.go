package store

import (
	"context"
	"errors"
	"io"

	"github.com/openjds/jds/internal/store/backupfile"
)

// Backups. A backend that can copy itself online, from one consistent read snapshot,
// while writes go on, implements Backuper; one that cannot (a PostgreSQL backend, which
// pg_basebackup and point-in-time recovery serve better) does not, and the API says so.
// The file written is a backupfile: its header and trailer are backend-neutral, its
// records are the backend's own keys, restored by the backend's own Restore.

// ErrBackupBase says an incremental backup cannot be made on the base asked for: a
// version this store has not reached, or a backup of another store.
var ErrBackupBase = errors.New("not a base for an incremental backup of this store")

// BackupOptions say what to back up.
type BackupOptions struct {
	// Since is the Until of the backup this one builds on; 0 for a full backup.
	Since uint64
	// Store, when set, is the store id of that base backup: a backup of another store
	// is refused (ErrBackupBase).
	Store string
	// JDSVersion is written in the header.
	JDSVersion string
}

// Backuper is a store that writes online backups of itself.
type Backuper interface {
	// OpenBackup takes the read snapshot of a backup: it holds every write acknowledged
	// before the call. The header is known at once (for HTTP headers); Backup.WriteTo
	// writes the file. The caller must Close it.
	OpenBackup(ctx context.Context, o BackupOptions) (Backup, error)
}

// Backup is an open backup snapshot.
type Backup interface {
	Header() backupfile.Header
	// WriteTo writes the whole backup file to w, once.
	WriteTo(ctx context.Context, w io.Writer) (backupfile.Trailer, error)
	// Close releases the snapshot.
	Close() error
}
