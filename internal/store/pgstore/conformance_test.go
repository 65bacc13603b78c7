package pgstore_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/openjds/jds/internal/store"
	"github.com/openjds/jds/internal/store/pgstore"
	"github.com/openjds/jds/internal/store/storetest"
)

// EnvURL names the PostgreSQL server the tests of this package use: a URL of a role
// that may create databases. scripts/test.sh starts one and sets it; without it the
// tests skip.
const EnvURL = "JDS_TEST_POSTGRES_URL"

// serverURL returns the test server's URL, or skips t.
func serverURL(t testing.TB) string {
	u := os.Getenv(EnvURL)
	if u == "" {
		t.Skipf("PostgreSQL tests skipped: set %s (e.g. postgres://jds:jds@127.0.0.1:5432/postgres?sslmode=disable) to run them", EnvURL)
	}
	return u
}

// openAt opens a store in a database of its own for place, created on first use and
// dropped when the test ends.
func openAt(t testing.TB, place string, o storetest.Options) store.Store {
	t.Helper()
	base := serverURL(t)
	name := databaseName(place)
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	var exists bool
	if err := admin.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		t.Fatal(err)
	}
	if !exists {
		if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			c, err := pgx.Connect(context.Background(), base)
			if err != nil {
				t.Error(err)
				return
			}
			defer c.Close(context.Background())
			// The stores on it are closed by now; an autovacuum worker may still be
			// there for a moment (DROP waits for it, briefly), and FORCE would need the
			// right to terminate it, which this role lacks.
			for try := 0; ; try++ {
				_, err := c.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name)
				if err == nil {
					return
				}
				if try == 10 {
					t.Errorf("dropping the test database %s: %v", name, err)
					return
				}
				time.Sleep(200 * time.Millisecond)
			}
		})
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	s, err := pgstore.Open(ctx, pgstore.Options{URL: u.String(), Deriver: o.Deriver, Guard: o.Guard, Now: o.Now, Region: o.Region,
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
