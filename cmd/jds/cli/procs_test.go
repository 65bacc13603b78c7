package cli

import (
	"runtime"
	"testing"

	"github.com/openjds/jds/config"
)

// An automatic ingest.maxConcurrent is the CPUs - 1 (at least 1), and $GOMAXPROCS
// turns readerProcs off; GOMAXPROCS itself is left to the server.
func TestResolveProcs(t *testing.T) {
	cpus := runtime.GOMAXPROCS(0)
	cfg := config.Default()
	resolveProcs(&cfg, false)
	if cfg.Ingest.MaxConcurrent != max(1, cpus-1) || cfg.ReaderProcs != 2 || runtime.GOMAXPROCS(0) != cpus {
		t.Errorf("defaults: ingest.maxConcurrent %d (want %d), readerProcs %d (want 2), GOMAXPROCS %d (want %d)",
			cfg.Ingest.MaxConcurrent, max(1, cpus-1), cfg.ReaderProcs, runtime.GOMAXPROCS(0), cpus)
	}
	cfg = config.Default()
	cfg.Ingest.MaxConcurrent = 5
	resolveProcs(&cfg, true)
	if cfg.Ingest.MaxConcurrent != 5 || cfg.ReaderProcs != 0 {
		t.Errorf("with $GOMAXPROCS set and maxConcurrent 5: %d, readerProcs %d (want 5, 0)", cfg.Ingest.MaxConcurrent, cfg.ReaderProcs)
	}
}
