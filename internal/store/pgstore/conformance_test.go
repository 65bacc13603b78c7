package pgstore_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"testing"

	"github.com/openjds/jds/internal/pgtest"
	"github.com/openjds/jds/internal/store"
	"github.com/openjds/jds/internal/store/pgstore"
	"github.com/openjds/jds/internal/store/storetest"
)

// serverURL returns the test server's URL, or skips t (pgtest.EnvURL).
func serverURL(t testing.TB) string { return pgtest.ServerURL(t) }

// openAt opens a store in a database of its own for place, created on first use and
// dropped when the test ends.
func openAt(t testing.TB, place string, o storetest.Options) store.Store {
	t.Helper()
	url := pgtest.Database(t, databaseName(place))
	s, err := pgstore.Open(context.Background(), pgstore.Options{URL: url, Deriver: o.Deriver, Guard: o.Guard, Now: o.Now, Region: o.Region,
		MaxConns: 8, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// databaseName is the test database of place.
func databaseName(place string) string {
	sum := sha256.Sum256([]byte(place))
	return "jds_test_" + hex.EncodeToString(sum[:8])
}

func TestConformance(t *testing.T) {
	serverURL(t)
	storetest.Run(t, storetest.Backend{Name: "postgres", Open: openAt})
}
