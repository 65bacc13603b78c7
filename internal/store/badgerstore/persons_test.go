package badgerstore

import (
	"testing"

	"github.com/openjds/jds/internal/store/storetest"
)

// Erasure of a person with more events than one transaction takes.
func TestEraseInChunks(t *testing.T) {
	storetest.EraseRemovesEverything(t, openTest(t, ""), eraseChunk+10)
}
