package service

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/openjds/jds/internal/backup"
	"github.com/openjds/jds/internal/store"
)

// StoreDir is where the store of a data directory lives: what backups copy and
// restore makes.
func StoreDir(dataDir string) string { return filepath.Join(dataDir, "ledger") }

// JobBackup is the scheduled backup job (config backup.*), absent when backup.schedule
// is empty.
const JobBackup = "backup"

// addBackupJob schedules the backups of the store into backup.dir, and exports when the
// last one was written and its size.
func (s *Service) addBackupJob(reg prometheus.Registerer, version string) error {
	c := s.cfg.Backup
	if c.Schedule == "" {
		return nil
	}
	b, ok := s.store.(store.Backuper)
	if !ok {
		return fmt.Errorf("backup.schedule: this store is not backed up by jds (PostgreSQL: use pg_basebackup and WAL archiving); leave backup.schedule empty")
	}
	sched := &backup.Schedule{Dir: c.Dir, Keep: c.Keep, FullEvery: c.FullEvery, JDSVersion: version, Logger: s.log}
	reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "jds_backup_last_success_timestamp_seconds",
			Help: "When the last scheduled backup was written (Unix time); 0 before the first.",
		}, func() float64 {
			if t := sched.LastSuccess(); !t.IsZero() {
				return float64(t.UnixMilli()) / 1e3
			}
			return 0
		}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "jds_backup_last_size_bytes",
			Help: "Size of the last scheduled backup file (a full or an incremental one).",
		}, func() float64 { return float64(sched.LastSize()) }),
	)
	return s.jobs.Add(JobBackup, c.Schedule, func(ctx context.Context) error {
		if _, err := sched.Run(ctx, b); err != nil {
			return fmt.Errorf("backup into %s: %w", c.Dir, err)
		}
		return nil
	})
}
