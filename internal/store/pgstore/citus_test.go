package pgstore_test

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/openjds/jds/internal/event"
	"github.com/openjds/jds/internal/identity"
	"github.com/openjds/jds/internal/pgtest"
	"github.com/openjds/jds/internal/store"
	"github.com/openjds/jds/internal/store/pgstore"
	"github.com/openjds/jds/internal/store/storetest"
)

// Citus distributes every table by workspace_id and co-locates them, so a transaction
// that stays in one workspace runs on one worker, in one local transaction. The schema
// promises it (migrations/0001_init.sql); this test checks it from what the store sends.

// statement is one statement a connection ran, with its arguments.
type statement struct {
	sql  string
	args []any
}

// transaction is the statements of one transaction, explicit (BEGIN … COMMIT) or the
// implicit one of a statement or a batch sent alone.
type transaction struct {
	stmts    []statement
	explicit bool
	batch    bool // begun by a batch sent outside an explicit transaction
}

// txRecorder is a pgx tracer that groups every statement of every connection into the
// transactions they ran in.
type txRecorder struct {
	mu   sync.Mutex
	open map[*pgx.Conn]*transaction
	done []*transaction
}

func newTxRecorder() *txRecorder { return &txRecorder{open: map[*pgx.Conn]*transaction{}} }

func (r *txRecorder) TraceQueryStart(ctx context.Context, conn *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	r.add(conn, d.SQL, d.Args)
	return ctx
}

func (r *txRecorder) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (r *txRecorder) TraceBatchStart(ctx context.Context, conn *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.open[conn] == nil {
		r.open[conn] = &transaction{batch: true}
	}
	return ctx
}

func (r *txRecorder) TraceBatchQuery(_ context.Context, conn *pgx.Conn, d pgx.TraceBatchQueryData) {
	r.add(conn, d.SQL, d.Args)
}

func (r *txRecorder) TraceBatchEnd(_ context.Context, conn *pgx.Conn, _ pgx.TraceBatchEndData) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if t := r.open[conn]; t != nil && t.batch {
		r.done = append(r.done, t)
		delete(r.open, conn)
	}
}

func (r *txRecorder) TraceCopyFromStart(ctx context.Context, conn *pgx.Conn, d pgx.TraceCopyFromStartData) context.Context {
	// The rows are not told: a COPY names no workspace, which the check reports.
	r.add(conn, "COPY "+d.TableName.Sanitize(), nil)
	return ctx
}

func (r *txRecorder) TraceCopyFromEnd(context.Context, *pgx.Conn, pgx.TraceCopyFromEndData) {}

// add records a statement in its connection's transaction.
func (r *txRecorder) add(conn *pgx.Conn, sql string, args []any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	verb := strings.ToLower(strings.Fields(sql + " x")[0])
	t := r.open[conn]
	switch {
	case verb == "begin":
		t = &transaction{explicit: true}
		r.open[conn] = t
	case t == nil:
		r.done = append(r.done, &transaction{stmts: []statement{{sql, args}}})
		return
	}
	t.stmts = append(t.stmts, statement{sql, args})
	if t.explicit && (verb == "commit" || verb == "rollback") {
		r.done = append(r.done, t)
		delete(r.open, conn)
	}
}

// take returns the transactions ended so far and forgets them.
func (r *txRecorder) take() []*transaction {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.done
	r.done = nil
	return out
}

var (
	// workspaceTables are distributed by workspace_id; clusterTables hold only the
	// pseudo-workspace '' (reference tables under Citus).
	workspaceTables = regexp.MustCompile(`(?i)\b(workspaces|events|aliases|persons|states|deliveries|documents)\b`)
	clusterTables   = regexp.MustCompile(`(?i)\b(job_runs|node_loads)\b`)
	writes          = regexp.MustCompile(`(?i)\b(insert|update|delete)\b`)
)

// acrossWorkspaces are the statements that read every workspace on purpose, each
// alone in a read-only transaction: the queue of deliveries due (claims are then made
// per workspace), its size for metrics, the anonymous persons old enough to expire
// (erased then per workspace), every document of a collection at start, and the list of
// workspaces. Under Citus they are multi-shard reads, which write nothing.
var acrossWorkspaces = []string{
	"SELECT id, due, record FROM deliveries WHERE state = 'pending' AND due <= $1",
	"SELECT count(*), min(due) FROM deliveries WHERE state = 'pending'",
	"SELECT w.org, w.name, p.person_id FROM persons p JOIN workspaces w USING (workspace_id)",
	"SELECT w.org, w.name, d.id, d.value FROM documents d JOIN workspaces w USING (workspace_id)",
	"SELECT org, name FROM workspaces ORDER BY workspace_id",
}

// named returns the workspace ids among a statement's arguments.
func named(args []any, ids []string) []string {
	var out []string
	for _, a := range args {
		switch v := a.(type) {
		case string:
			if slices.Contains(ids, v) {
				out = append(out, v)
			}
		case []string:
			for _, s := range v {
				if slices.Contains(ids, s) {
					out = append(out, s)
				}
			}
		}
	}
	return out
}

// checkOneWorkspace returns what is wrong with a transaction: one touching workspace
// tables must name exactly one workspace, or be a read across workspaces of
// acrossWorkspaces alone; one touching cluster tables must touch nothing else.
func checkOneWorkspace(t *transaction, ids []string) string {
	var wsTables, cluster, wrote, across, other bool
	names := map[string]bool{}
	for _, s := range t.stmts {
		for _, n := range named(s.args, ids) {
			names[n] = true
		}
		touches := workspaceTables.MatchString(s.sql)
		wsTables = wsTables || touches
		cluster = cluster || clusterTables.MatchString(s.sql)
		wrote = wrote || writes.MatchString(s.sql)
		if slices.ContainsFunc(acrossWorkspaces, func(q string) bool { return strings.Contains(s.sql, q) }) {
			across = true
		} else if touches {
			other = true
		}
	}
	switch {
	case cluster && (wsTables || len(names) > 0):
		return "touches a cluster table and a workspace"
	case !wsTables:
		return ""
	case len(names) > 1:
		return fmt.Sprintf("names %d workspaces", len(names))
	case len(names) == 1:
		return ""
	case across && !other && !wrote:
		return ""
	}
	return "touches workspace tables without naming a workspace"
}

// TestNoTransactionSpansWorkspaces: a workload on two workspaces at once (appends in
// concurrent groups, identity merges and their undo, erasure, profile reads, history,
// outbox scans, claims and settling, documents, retention and expiry, the cluster's jobs
// and loads) runs no transaction that reads or writes two workspaces: each names exactly
// one workspace_id, or is one of the named reads across workspaces, or touches only the
// cluster's tables.
func TestNoTransactionSpansWorkspaces(t *testing.T) {
	ctx := context.Background()
	url := pgtest.Database(t, databaseName(t.Name()))
	rec := newTxRecorder()
	s, err := pgstore.Open(ctx, pgstore.Options{URL: url, Deriver: tallyAndNotify{}, MaxConns: 8, Tracer: rec,
		Node: "citus-test", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rec.take() // the schema's migration

	ws := []store.Workspace{{Org: "citus", Name: "one"}, {Org: "citus", Name: "two"}}
	ids := []string{"citus/one", "citus/two"}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for _, w := range ws {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := workspaceWorkload(ctx, t, s, w); err != nil {
				errs <- fmt.Errorf("%s: %w", w, err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if err := installationWorkload(ctx, s, ws); err != nil {
		t.Fatal(err)
	}

	txs := rec.take()
	perWS := map[string]int{}
	for _, tx := range txs {
		if problem := checkOneWorkspace(tx, ids); problem != "" {
			var b strings.Builder
			for _, st := range tx.stmts {
				fmt.Fprintf(&b, "\n    %s %v", strings.Join(strings.Fields(st.sql), " "), st.args)
			}
			t.Errorf("a transaction %s:%s", problem, b.String())
		}
		names := map[string]bool{}
		for _, st := range tx.stmts {
			for _, n := range named(st.args, ids) {
				names[n] = true
			}
		}
		for n := range names {
			perWS[n]++
		}
	}
	// The check saw the workload: many transactions in each workspace.
	for _, id := range ids {
		if perWS[id] < 50 {
			t.Errorf("%d transactions recorded in %s, want the workload's (50 or more)", perWS[id], id)
		}
	}
	t.Logf("%d transactions checked; by workspace: %v", len(txs), perWS)

	// And the check does see a transaction that spans two workspaces.
	const spanning = "SELECT count(*) FROM events WHERE workspace_id = ANY($1)"
	err = pgx.BeginFunc(ctx, s.Pool(), func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, spanning, ids)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	caught := false
	for _, tx := range rec.take() {
		if slices.ContainsFunc(tx.stmts, func(st statement) bool { return st.sql == spanning }) {
			caught = checkOneWorkspace(tx, ids) == "names 2 workspaces"
		}
	}
	if !caught {
		t.Error("a transaction reading two workspaces was not caught by the check")
	}
}

// workspaceWorkload is what one workspace's callers do, while the other workspace's do
// the same.
func workspaceWorkload(ctx context.Context, t *testing.T, s *pgstore.Store, w store.Workspace) error {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	// Appends from concurrent callers: group commits.
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for c := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 12 {
				typ := "Queued Caller"
				if i%4 == 0 {
					typ = "Closed Queue"
				}
				var evs []*event.Event
				for j := range 1 + i%3 {
					id := fmt.Sprintf("%s-%d-%d-%d", w.Name, c, i, j)
					evs = append(evs, storetest.Event(t, id, typ, fmt.Sprintf("+1555010%04d", (c*7+i)%10), "phone", "", at.Add(time.Duration(i)*time.Minute)))
				}
				if _, err := s.Append(ctx, w, evs); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	// A link of two identities merges their persons; an anonymous visitor.
	if _, err := s.Append(ctx, w, []*event.Event{
		storetest.Event(t, w.Name+"-link", "Login", "+15550100001", "phone", "+15550100002", at),
		storetest.Event(t, w.Name+"-anon", "webvisit", "anon-"+w.Name, "temporaryId", "", at),
	}); err != nil {
		return err
	}
	p, err := s.Resolve(ctx, w, "+15550100001")
	if err != nil {
		return err
	}
	if _, err := s.Person(ctx, w, p.ID); err != nil {
		return err
	}
	if _, err := s.Find(ctx, w, []string{"+15550100001", "+15550100003"}); err != nil {
		return err
	}
	if _, err := s.Persons(ctx, w, 0, 100); err != nil {
		return err
	}
	if _, err := s.History(ctx, w, p, store.Query{Limit: 5}); err != nil {
		return err
	}
	if _, err := s.After(ctx, w, p, w.Name+"-0-0-0"); err != nil && !strings.Contains(err.Error(), "not found") {
		return err
	}
	if _, err := s.States(ctx, w, p, []string{"n", "first"}); err != nil {
		return err
	}
	if err := s.Export(ctx, w, p.ID, func(*identity.Person) error { return nil }, func([]byte) error { return nil }); err != nil {
		return err
	}
	// Identity by hand: create, identify, merge, update, undo, erase.
	a, err := s.CreatePerson(ctx, w, "Ann", "Lee", []identity.Alias{{Kind: identity.Email, Value: "ann@example.com"}})
	if err != nil {
		return err
	}
	b, _, err := s.Identify(ctx, w, identity.IdentifyRequest{FirstName: "Bo", Aliases: []identity.Alias{{Kind: identity.Email, Value: "bo@example.com"}}})
	if err != nil {
		return err
	}
	m, err := s.Merge(ctx, w, a.ID, []string{b.ID})
	if err != nil {
		return err
	}
	if _, err := s.UpdatePerson(ctx, w, m.ID, func(p *identity.Person) error { p.LastName = "Moe"; return nil }); err != nil {
		return err
	}
	restored, _, err := s.Unmerge(ctx, w, m.ID)
	if err != nil {
		return err
	}
	if _, err := s.Erase(ctx, w, restored.ID); err != nil {
		return err
	}
	// Documents.
	if err := s.PutDoc(ctx, w, "profile-templates", "t1", []byte(`{"name":"T"}`)); err != nil {
		return err
	}
	if _, err := s.GetDoc(ctx, w, "profile-templates", "t1"); err != nil {
		return err
	}
	if err := s.PutDoc(ctx, w, "markers", "m", []byte(`{}`)); err != nil {
		return err
	}
	if err := s.DeleteDoc(ctx, w, "markers", "m"); err != nil {
		return err
	}
	// The outbox of one workspace, and its derived state rebuilt.
	if _, err := s.Deliveries(ctx, w, p.ID, ""); err != nil {
		return err
	}
	if _, err := s.Deliveries(ctx, w, "", store.Pending); err != nil {
		return err
	}
	if err := s.Backfill(ctx, w, storetest.Tally{}.Rebuild, nil); err != nil {
		return err
	}
	_, err = s.ExpireEvents(ctx, w, at.Add(2*time.Minute), nil)
	return err
}

// installationWorkload is what the nodes do across workspaces: outbox scans, claims and
// settling, metrics, expiry of anonymous persons, listing, the cluster's jobs and loads.
func installationWorkload(ctx context.Context, s *pgstore.Store, ws []store.Workspace) error {
	now := time.Now()
	if _, err := s.Due(ctx, now.Add(time.Hour), 10, nil); err != nil {
		return err
	}
	picked, err := s.Pick(ctx, now.Add(time.Hour), 100, store.Picker{})
	if err != nil {
		return err
	}
	if len(picked) == 0 {
		return fmt.Errorf("no delivery picked")
	}
	if _, err := s.PickNew(ctx, now.Add(time.Hour), 100, store.Picker{}); err != nil {
		return err
	}
	for i, d := range picked {
		o := store.Outcome{Sent: true, Attempted: now}
		if i%2 == 1 {
			o = store.Outcome{Error: "503", Attempted: now} // dead: no more attempts
		}
		if err := s.Settle(ctx, d, o); err != nil {
			return err
		}
		if i == 1 {
			if err := s.Requeue(ctx, d.Workspace, d.PersonID, d.ID); err != nil {
				return err
			}
		}
		if i == 3 {
			if err := s.Discard(ctx, d.Workspace, d.PersonID, d.ID); err != nil {
				return err
			}
		}
	}
	if _, err := s.OutboxStats(ctx); err != nil {
		return err
	}
	if _, err := s.ExpireTemporary(ctx, now.Add(time.Hour)); err != nil {
		return err
	}
	if _, err := s.Workspaces(ctx); err != nil {
		return err
	}
	if err := s.AllDocs(ctx, "profile-templates", func(store.Workspace, string, []byte) error { return nil }); err != nil {
		return err
	}
	if _, err := s.ClaimJob(ctx, "retention", now.Truncate(time.Hour)); err != nil {
		return err
	}
	if err := s.JobRan(ctx, "retention", now, time.Second, ""); err != nil {
		return err
	}
	if _, err := s.JobRuns(ctx); err != nil {
		return err
	}
	if err := s.SetLoaded(ctx, "rules", store.NodeLoad{Version: "v1", OK: true, LoadedAt: now, CheckedAt: now}); err != nil {
		return err
	}
	if _, err := s.Loaded(ctx, "rules"); err != nil {
		return err
	}
	return s.Broadcast(ctx, "reload rules")
}
