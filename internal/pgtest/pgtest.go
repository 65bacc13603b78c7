// Package pgtest gives tests a PostgreSQL database of their own on the server that
// $JDS_TEST_POSTGRES_URL names (a role that may create databases; scripts/postgres.sh
// starts one and sets it). Without it the tests skip.
package pgtest

import (
	"context"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvURL names the PostgreSQL server of the tests.
const EnvURL = "JDS_TEST_POSTGRES_URL"

// ServerURL returns the server's URL, or skips t with a message naming EnvURL.
func ServerURL(t testing.TB) string {
	u := os.Getenv(EnvURL)
	if u == "" {
		t.Skipf("PostgreSQL tests skipped: set %s (e.g. postgres://jds:jds@127.0.0.1:5432/postgres?sslmode=disable; scripts/postgres.sh does) to run them", EnvURL)
	}
	return u
}

// Database returns the URL of the database name on the server, creating it when it does
// not exist; one it created is dropped when the test ends (with the connections left to
// it: register it before starting what connects).
func Database(t testing.TB, name string) string {
	t.Helper()
	base := ServerURL(t)
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
		if _, err := admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			c, err := pgx.Connect(context.Background(), base)
			if err != nil {
				t.Error(err)
				return
			}
			defer c.Close(context.Background())
			// What used it is closed by now; an autovacuum worker may still be there for
			// a moment (DROP waits for it, briefly), and FORCE would need the right to
			// terminate it, which a role that only creates databases lacks.
			for try := 0; ; try++ {
				_, err := c.Exec(context.Background(), "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize())
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
	return u.String()
}
