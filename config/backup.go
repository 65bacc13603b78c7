package config

// Backup configures the scheduled backups of the store (docs/OPERATIONS.md, Backups):
// a full backup every FullEvery runs, incrementals on the previous file in between,
// written into Dir; the newest Keep fulls and the incrementals after them are kept.
type Backup struct {
	// Schedule is the cron schedule of the backup job; empty (the default) takes none.
	Schedule string `yaml:"schedule"`
	// Dir is where backup files go: best on another disk than dataDir.
	Dir string `yaml:"dir"`
	// Keep is how many full backups to keep, each with the incrementals after it.
	Keep int `yaml:"keep"`
	// FullEvery makes every FullEvery-th run a full backup (1: only fulls).
	FullEvery int `yaml:"fullEvery"`
}

func (b Backup) problems(ps *problems, storeURL string) {
	if b.Schedule != "" && storeURL != "" {
		ps.add("backup.schedule", "must be empty with store.url: jds backs up its embedded store; back PostgreSQL up with pg_basebackup and WAL archiving")
	}
	if b.Schedule != "" {
		if err := checkSchedule(b.Schedule); err != nil {
			ps.add("backup.schedule", "%v", err)
		}
		ps.nonEmpty("backup.dir", b.Dir)
	}
	ps.intRange("backup.keep", b.Keep, 1, 1000)
	ps.intRange("backup.fullEvery", b.FullEvery, 1, 1000)
}
