package pgstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/openjds/jds/internal/identity"
	"github.com/openjds/jds/internal/store"
)

// A unit is one transaction of one workspace: the writes of a group of requests. Reads go
// to the database through the transaction, after what the unit itself wrote (held in
// memory until flush); writes are flushed in a few multi-row statements before the
// commit, or before a statement that must see them.
type unit struct {
	s   *Store
	ctx context.Context
	tx  pgx.Tx
	w   store.Workspace
	ws  string // wsID(w)
	now time.Time
	seq uint64 // the workspace's last sequence, this unit's events included

	aliases map[string]*aliasRow     // by alias; nil: deleted
	absent  map[string]bool          // aliases read and found owned by nobody
	persons map[uuid.UUID]*personRow // records read or written
	states  map[uuid.UUID]*stateRow  // derived state of the persons read or written
	// stateOwners are the persons owning the group's aliases, whose rows of derived state
	// the first read of one not in states reads, all in one statement.
	stateOwners []uuid.UUID
	events      []eventRow // to insert
	// seen maps (id, source) of the events this unit stored to their person.
	seen       map[[2]string]uuid.UUID
	deliveries []*store.Delivery // to upsert
	committed  []store.Committed
	// queued is the earliest pending delivery the unit wrote, told to the queue scan
	// after the commit (queueScan.noteQueued); nil: none.
	queued *queuePos
	// batch holds the writes staged for the next send, one round trip for all of them;
	// labels says what each is, for its error.
	batch  pgx.Batch
	labels []string

	identityChanged bool
}

type aliasRow struct {
	person uuid.UUID
	kind   identity.Kind
	dirty  bool
}

type personRow struct {
	p         *identity.Person // nil: deleted
	dirty     bool
	temporary bool // enter the expiry index
	// fresh: made in this unit (by the identity rules, with a new id), never read from
	// the database, so that nothing of it is stored yet, derived state included.
	fresh bool
}

// stateRow is a person's derived state as the unit sees it: every value of the person,
// by name (the row of states, read whole, with the unit's changes).
type stateRow struct {
	values map[string][]byte
	dirty  bool
}

type eventRow struct {
	seq    uint64
	person uuid.UUID
	timeNS int64
	id     string
	source string
	typ    string
	raw    []byte
}

// run runs fn in a unit of work of workspace w, holding the workspace's row lock, and
// commits it, retrying from the start when a concurrent writer made the transaction fail
// (see inTx). After the commit the listeners are told what it stored.
func (s *Store) run(ctx context.Context, w store.Workspace, fn func(u *unit) error) error {
	return s.runUnit(ctx, w, true, fn)
}

// runOnDelivery runs fn in a unit that only reads and writes delivery records, each
// under its own row lock (unit.delivery), without the workspace's lock: settling the
// sends of a busy workspace, one transaction each, would otherwise queue behind its group
// commits and hold them up in turn (a group waited behind hundreds of settles). Such a
// unit appends no event.
func (s *Store) runOnDelivery(ctx context.Context, w store.Workspace, fn func(u *unit) error) error {
	return s.runUnit(ctx, w, false, fn)
}

func (s *Store) runUnit(ctx context.Context, w store.Workspace, lock bool, fn func(u *unit) error) error {
	start := time.Now()
	var committed []store.Committed
	var changed bool
	var queued *queuePos
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		u := &unit{s: s, ctx: ctx, tx: tx, w: w, ws: wsID(w), now: s.opts.Now().UTC(),
			aliases: map[string]*aliasRow{}, persons: map[uuid.UUID]*personRow{},
			states: map[uuid.UUID]*stateRow{}, seen: map[[2]string]uuid.UUID{}}
		if lock {
			// Takes the workspace's row lock until the commit: its units commit in order.
			err := tx.QueryRow(ctx, `INSERT INTO workspaces (workspace_id, org, name) VALUES ($1, $2, $3)
				ON CONFLICT (workspace_id) DO UPDATE SET seq = workspaces.seq RETURNING seq`, u.ws, w.Org, w.Name).Scan(&u.seq)
			if err != nil {
				return fmt.Errorf("locking workspace %s: %w", w, err)
			}
		}
		first := u.seq
		if err := fn(u); err != nil {
			return err
		}
		if !lock && u.seq != first {
			return fmt.Errorf("workspace %s: a unit without the workspace's lock appended events", w)
		}
		if err := u.stage(); err != nil {
			return err
		}
		if u.seq != first {
			u.queue("advancing the workspace's sequence", "UPDATE workspaces SET seq = $2 WHERE workspace_id = $1", u.ws, u.seq)
			if err := u.notify(notice{From: first, To: u.seq}); err != nil {
				return err
			}
		}
		if err := u.send(); err != nil {
			return err
		}
		committed, changed, queued = u.committed, u.identityChanged, u.queued
		return nil
	})
	if err != nil {
		return err
	}
	// After the commit, with the connection given back: a Pick holds the queue scan's
	// lock while it queries, and a unit waiting for that lock with a connection held
	// could leave it none.
	if queued != nil {
		s.queue.noteQueued(queued.due, queued.id)
	}
	if changed {
		s.identityVersion.Add(1)
	}
	if s.opts.Observe != nil && len(committed) > 0 {
		s.opts.Observe(len(committed), time.Since(start))
	}
	s.Publish(committed)
	return nil
}

// flush writes what the unit holds in memory: before a read that must see it.
func (u *unit) flush() error {
	if err := u.stage(); err != nil {
		return err
	}
	return u.send()
}

// stage copies the unit's events into the table and stages its other writes for the
// next send.
func (u *unit) stage() error {
	if err := u.flushEvents(); err != nil {
		return err
	}
	if err := u.flushPersons(); err != nil {
		return err
	}
	u.flushAliases()
	u.flushStates()
	if err := u.queueDeliveries(u.deliveries); err != nil {
		return err
	}
	u.deliveries = u.deliveries[:0]
	return nil
}

// queue stages a write for the next send; label names it in its error.
func (u *unit) queue(label, sql string, args ...any) {
	u.batch.Queue(sql, args...)
	u.labels = append(u.labels, label)
}

// send runs the staged writes in one round trip, in order.
func (u *unit) send() error {
	if len(u.labels) == 0 {
		return nil
	}
	b, labels := u.batch, u.labels
	u.batch, u.labels = pgx.Batch{}, nil
	br := u.tx.SendBatch(u.ctx, &b)
	for _, l := range labels {
		if _, err := br.Exec(); err != nil {
			br.Close()
			return fmt.Errorf("%s: %w", l, err)
		}
	}
	return br.Close()
}

func (u *unit) flushEvents() error {
	if len(u.events) == 0 {
		return nil
	}
	rows := make([][]any, len(u.events))
	for i, e := range u.events {
		rows[i] = []any{u.ws, int64(e.seq), e.person, e.timeNS, e.id, e.source, e.typ, e.raw}
	}
	_, err := u.tx.CopyFrom(u.ctx, pgx.Identifier{"events"},
		[]string{"workspace_id", "seq", "person_id", "time_ns", "id", "source", "type", "raw"}, pgx.CopyFromRows(rows))
	if err != nil {
		return fmt.Errorf("writing %d events: %w", len(u.events), err)
	}
	u.events = u.events[:0]
	return nil
}

func (u *unit) flushAliases() {
	var setA []string
	var setP []uuid.UUID
	var setK []int16
	var del []string
	for a, r := range u.aliases {
		switch {
		case r == nil:
			del = append(del, a)
		case r.dirty:
			setA, setP, setK = append(setA, a), append(setP, r.person), append(setK, int16(r.kind))
			r.dirty = false
		}
	}
	if len(del) > 0 {
		u.queue("deleting aliases", "DELETE FROM aliases WHERE workspace_id = $1 AND alias = ANY($2)", u.ws, del)
		for _, a := range del {
			delete(u.aliases, a)
		}
	}
	if len(setA) > 0 {
		u.queue("writing aliases", `INSERT INTO aliases (workspace_id, alias, person_id, kind)
		SELECT $1, a, p, k FROM unnest($2::text[], $3::uuid[], $4::smallint[]) AS t(a, p, k)
		ON CONFLICT (workspace_id, alias) DO UPDATE SET person_id = excluded.person_id, kind = excluded.kind`,
			u.ws, setA, setP, setK)
	}
}

func (u *unit) flushPersons() error {
	var ids []uuid.UUID
	var recs [][]byte
	var temps []bool
	var del []uuid.UUID
	for id, r := range u.persons {
		switch {
		case r.p == nil && r.dirty:
			del = append(del, id)
		case r.dirty:
			raw, err := json.Marshal(r.p)
			if err != nil {
				return fmt.Errorf("encoding person %s: %w", id, err)
			}
			ids, recs, temps = append(ids, id), append(recs, raw), append(temps, r.temporary)
		}
		r.dirty = false
	}
	if len(del) > 0 {
		u.queue("deleting persons", "DELETE FROM persons WHERE workspace_id = $1 AND person_id = ANY($2)", u.ws, del)
	}
	if len(ids) > 0 {
		u.queue("writing persons", `INSERT INTO persons (workspace_id, person_id, record, temporary_since)
		SELECT $1, p, r, CASE WHEN t THEN $5::timestamptz END FROM unnest($2::uuid[], $3::jsonb[], $4::bool[]) AS x(p, r, t)
		ON CONFLICT (workspace_id, person_id) DO UPDATE SET record = excluded.record`,
			u.ws, ids, recs, temps, u.now)
	}
	return nil
}

// --- identity.Graph over the unit ---

func (u *unit) Alias(alias string) (uuid.UUID, identity.Kind, bool, error) {
	if r, ok := u.aliases[alias]; ok {
		if r == nil {
			return uuid.UUID{}, 0, false, nil
		}
		return r.person, r.kind, true, nil
	}
	if u.absent[alias] {
		return uuid.UUID{}, 0, false, nil
	}
	var p uuid.UUID
	var k int16
	err := u.tx.QueryRow(u.ctx, "SELECT person_id, kind FROM aliases WHERE workspace_id = $1 AND alias = $2", u.ws, alias).Scan(&p, &k)
	if errors.Is(err, pgx.ErrNoRows) {
		return uuid.UUID{}, 0, false, nil
	}
	if err != nil {
		return uuid.UUID{}, 0, false, fmt.Errorf("reading alias: %w", err)
	}
	u.aliases[alias] = &aliasRow{person: p, kind: identity.Kind(k)}
	return p, identity.Kind(k), true, nil
}

func (u *unit) SetAlias(alias string, owner uuid.UUID, kind identity.Kind) error {
	u.aliases[alias] = &aliasRow{person: owner, kind: kind, dirty: true}
	u.identityChanged = true
	return nil
}

func (u *unit) DeleteAlias(alias string) error {
	u.aliases[alias] = nil
	u.identityChanged = true
	return nil
}

func (u *unit) Person(id uuid.UUID) (*identity.Person, error) {
	if r, ok := u.persons[id]; ok {
		if r.p == nil {
			return nil, fmt.Errorf("person %s: %w", id, store.ErrNotFound)
		}
		return r.p, nil
	}
	var raw []byte
	err := u.tx.QueryRow(u.ctx, "SELECT record FROM persons WHERE workspace_id = $1 AND person_id = $2", u.ws, id).Scan(&raw)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("person %s: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("reading person %s: %w", id, err)
	}
	p := new(identity.Person)
	if err := json.Unmarshal(raw, p); err != nil {
		return nil, fmt.Errorf("decoding person %s: %w", id, err)
	}
	u.persons[id] = &personRow{p: p}
	return p, nil
}

func (u *unit) PutPerson(p *identity.Person) error {
	id, err := uuid.Parse(p.ID)
	if err != nil {
		return fmt.Errorf("person id %q: %w", p.ID, err)
	}
	r := u.persons[id]
	if r == nil { // the rules read a person before they change it: this one is new
		r = &personRow{fresh: true}
		u.persons[id] = r
	}
	r.p, r.dirty = p, true
	return nil
}

func (u *unit) IndexTemporary(id uuid.UUID, created time.Time) error {
	r := u.persons[id]
	if r == nil { // only a new person enters the index, before PutPerson
		r = &personRow{fresh: true}
		u.persons[id] = r
	}
	r.temporary = true
	return nil
}

func (u *unit) MoveEvents(from, to uuid.UUID, after uint64, take func(raw []byte) bool) error {
	if err := u.flush(); err != nil {
		return err
	}
	rows, err := u.tx.Query(u.ctx, `SELECT seq, raw FROM events WHERE workspace_id = $1 AND person_id = $2 AND seq > $3`, u.ws, from, int64(after))
	if err != nil {
		return err
	}
	var moved []int64
	for rows.Next() {
		var seq int64
		var raw []byte
		if err := rows.Scan(&seq, &raw); err != nil {
			rows.Close()
			return err
		}
		if take(raw) {
			moved = append(moved, seq)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if len(moved) == 0 {
		return nil
	}
	_, err = u.tx.Exec(u.ctx, "UPDATE events SET person_id = $2 WHERE workspace_id = $1 AND seq = ANY($3)", u.ws, to, moved)
	return err
}

func (u *unit) Rebuild(ids ...uuid.UUID) error {
	d := u.s.opts.Deriver
	if d == nil {
		return nil
	}
	if err := u.flush(); err != nil {
		return err
	}
	for _, id := range ids {
		st := u.state(id)
		if err := st.Clear(); err != nil {
			return err
		}
		if err := d.Rebuild(st, u.eventsOf(id)); err != nil {
			return fmt.Errorf("rebuilding derived state of person %s: %w", id, err)
		}
	}
	return nil
}

func (u *unit) Now() time.Time { return u.now }

func (u *unit) Seq() uint64 { return u.seq }

var _ identity.Graph = (*unit)(nil)

// eventsOf is the EventSource of one person in this unit (flushed first).
func (u *unit) eventsOf(p uuid.UUID) store.EventSource {
	return func(since time.Time, fn func(store.StoredEvent) error) error {
		if err := u.flushEvents(); err != nil {
			return err
		}
		rows, err := u.tx.Query(u.ctx, `SELECT time_ns, seq, type, raw FROM events
			WHERE workspace_id = $1 AND person_id = $2 AND time_ns >= $3 ORDER BY time_ns, seq`, u.ws, p, since.UnixNano())
		if err != nil {
			return err
		}
		var evs []store.StoredEvent
		for rows.Next() {
			var ns, seq int64
			var ev store.StoredEvent
			if err := rows.Scan(&ns, &seq, &ev.Type, &ev.Raw); err != nil {
				rows.Close()
				return err
			}
			ev.Time, ev.Seq = time.Unix(0, ns).UTC(), uint64(seq)
			evs = append(evs, ev)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, ev := range evs {
			if err := fn(ev); err != nil {
				return err
			}
		}
		return nil
	}
}
