package main

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/openjds/jds/internal/pgtest"
)

// rawpg inserts the ingest bodies into PostgreSQL, a group per durable transaction, by
// one writer or many, prints the RESULT line bench.sh reads, and leaves no table behind.
func TestRawPG(t *testing.T) {
	url := pgtest.Database(t, "jds_test_jdsload_rawpg")
	for _, c := range []struct {
		args             []string
		events, requests float64
	}{
		{[]string{"--events", "1000", "--group", "256"}, 1000, 4},
		{[]string{"--events", "200", "--group", "1", "--clients", "8"}, 200, 200},
	} {
		out, code := runCmd(t, append([]string{"rawpg", "--url", url, "--progress", "0"}, c.args...)...)
		m := resultOf(t, out)
		if code != 0 || m["scenario"] != "rawpg" || m["events"] != c.events || m["requests"] != c.requests ||
			m["errors"] != 0.0 || m["stopped_by"] != "count" || m["avg_event_bytes"].(float64) < 400 {
			t.Errorf("rawpg %v: code %d, result %v\n%s", c.args, code, m, out)
		}
	}
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var left int
	if err := conn.QueryRow(context.Background(), "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'jdsload_rawpg_%'").Scan(&left); err != nil || left != 0 {
		t.Errorf("scratch tables left: %d, %v", left, err)
	}
}

// rawpg refuses, as a usage error, a database that is not on this machine, or no URL.
func TestRawPGRefusesBadURLs(t *testing.T) {
	t.Setenv("JDS_STORE_URL", "")
	for _, args := range [][]string{
		{"rawpg"},
		{"rawpg", "--url", "postgres://jds:jds@db.example.com:5432/jds"},
		{"rawpg", "--url", "http://127.0.0.1:5432/jds"},
	} {
		if out, code := runCmd(t, args...); code != 2 {
			t.Errorf("jdsload %v: code %d, want 2\n%s", args, code, out)
		}
	}
}
