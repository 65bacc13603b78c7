package cli

import (
	"runtime"
	"testing"

	"github.com/openjds/jds/config"
)

// readerProcs adds Go processors beyond the CPUs, unless $GOMAXPROCS fixed them, and an
// automatic ingest.maxConcurrent is resolved from the CPUs, not from the raised count.
func TestReserveReaderProcs(t *testing.T) {
	cpus := runtime.GOMAXPROCS(0)
	defer runtime.GOMAXPROCS(cpus)

	cfg := config.Default()
	reserveReaderProcs(&cfg, true)
	if got := runtime.GOMAXPROCS(0); got != cpus || cfg.Ingest.MaxConcurrent != max(1, cpus-1) {
		t.Errorf("with $GOMAXPROCS set: GOMAXPROCS %d (want %d), ingest.maxConcurrent %d (want %d)", got, cpus, cfg.Ingest.MaxConcurrent, max(1, cpus-1))
	}

	cfg = config.Default()
	cfg.ReaderProcs = 2
	reserveReaderProcs(&cfg, false)
	if got := runtime.GOMAXPROCS(0); got != cpus+2 || cfg.Ingest.MaxConcurrent != max(1, cpus-1) {
		t.Errorf("readerProcs 2: GOMAXPROCS %d (want %d), ingest.maxConcurrent %d (want %d)", got, cpus+2, cfg.Ingest.MaxConcurrent, max(1, cpus-1))
	}
	runtime.GOMAXPROCS(cpus)

	cfg = config.Default()
	cfg.ReaderProcs, cfg.Ingest.MaxConcurrent = 0, 5
	reserveReaderProcs(&cfg, false)
	if got := runtime.GOMAXPROCS(0); got != cpus || cfg.Ingest.MaxConcurrent != 5 {
		t.Errorf("readerProcs 0, maxConcurrent 5: GOMAXPROCS %d (want %d), ingest.maxConcurrent %d", got, cpus, cfg.Ingest.MaxConcurrent)
	}
}
