package pgstore

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/openjds/jds/internal/event"
	"github.com/openjds/jds/internal/identity"
	"github.com/openjds/jds/internal/store"
)

// Append: see store.Events. Appends to one workspace that wait together are one unit of
// work (group.go): one transaction, one WAL flush.
func (s *Store) Append(ctx context.Context, w store.Workspace, evs []*event.Event) ([]store.AppendResult, error) {
	if len(evs) == 0 {
		return nil, nil
	}
	results, err := s.appendGrouped(ctx, w, evs)
	if err != nil {
		return nil, fmt.Errorf("appending %d events to %s: %w", len(evs), w, err)
	}
	return results, nil
}

// appendAll stores the events of several requests in one unit, in order, and returns
// each request's results.
func (u *unit) appendAll(reqs [][]*event.Event) ([][]store.AppendResult, error) {
	var all []*event.Event
	for _, evs := range reqs {
		all = append(all, evs...)
	}
	dups, err := u.stored(all)
	if err != nil {
		return nil, err
	}
	if err := u.prefetch(all); err != nil {
		return nil, err
	}
	out := make([][]store.AppendResult, len(reqs))
	for i, evs := range reqs {
		for _, ev := range evs {
			res, err := u.appendEvent(ev, dups)
			if err != nil {
				return nil, fmt.Errorf("event %q: %w", ev.ID, err)
			}
			out[i] = append(out[i], res)
		}
	}
	return out, nil
}

// The reads of a group (prefetch, prefetchPersons, prefetchStates, stored) look up each
// key through the table's primary key, one lookup per key (the LATERAL subquery, kept
// apart from the join by OFFSET 0). Written as "key = ANY(...)" or a join, PostgreSQL
// chose its plan from the table's statistics, and from the statistics at the time it
// first planned the statement for a connection: a table that has since grown, or a new
// workspace in a large table, was then scanned whole for its workspace (every alias,
// every event) on every group, as a fresh installation's benchmark found.

// prefetch reads, in two statements, every alias the identity rules may look up for evs
// (the event's, its legacy phone form, the candidates of its previous identity) and the
// persons owning them, so that the rules find them in the unit instead of asking the
// database an event at a time; the deriver's first read of a value then reads those
// persons' derived state, all of it in one statement (stateOwners). The unit holds the
// workspace's lock: nobody else changes them meanwhile.
func (u *unit) prefetch(evs []*event.Event) error {
	seen := map[string]bool{}
	var keys []string
	add := func(a string) {
		if a != "" && !seen[a] {
			seen[a] = true
			keys = append(keys, a)
		}
	}
	for _, ev := range evs {
		add(ev.Alias)
		if ev.IdentityType == identity.Phone {
			if old, ok := identity.LegacyPhone(ev.Identity, u.s.opts.Region); ok {
				add(old)
			}
		}
		if ev.PreviousIdentity != "" {
			for _, c := range identity.Candidates(ev.PreviousIdentity, u.s.opts.Region) {
				add(c)
			}
		}
	}
	rows, err := u.tx.Query(u.ctx, `SELECT k.alias, a.person_id, a.kind FROM unnest($2::text[]) AS k(alias),
		LATERAL (SELECT person_id, kind FROM aliases x WHERE x.workspace_id = $1 AND x.alias = k.alias OFFSET 0) a`, u.ws, keys)
	if err != nil {
		return fmt.Errorf("reading aliases: %w", err)
	}
	owners := map[uuid.UUID]bool{}
	found := map[string]bool{}
	for rows.Next() {
		var a string
		var r aliasRow
		var k int16
		if err := rows.Scan(&a, &r.person, &k); err != nil {
			rows.Close()
			return err
		}
		r.kind = identity.Kind(k)
		found[a] = true
		if _, ok := u.aliases[a]; !ok {
			u.aliases[a] = &r
		}
		owners[r.person] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if u.absent == nil {
		u.absent = map[string]bool{}
	}
	for _, a := range keys {
		if !found[a] {
			u.absent[a] = true
		}
	}
	var ids []uuid.UUID
	for id := range owners {
		if _, ok := u.persons[id]; !ok {
			ids = append(ids, id)
		}
	}
	if err := u.prefetchPersons(ids); err != nil {
		return err
	}
	if u.s.opts.Deriver != nil {
		u.stateOwners = slices.Collect(maps.Keys(owners))
	}
	return nil
}

// prefetchPersons reads the records of persons ids in one statement.
func (u *unit) prefetchPersons(ids []uuid.UUID) error {
	if len(ids) == 0 {
		return nil
	}
	rows, err := u.tx.Query(u.ctx, `SELECT k.id, p.record FROM unnest($2::uuid[]) AS k(id),
		LATERAL (SELECT record FROM persons x WHERE x.workspace_id = $1 AND x.person_id = k.id OFFSET 0) p`, u.ws, ids)
	if err != nil {
		return fmt.Errorf("reading persons: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id uuid.UUID
		var raw []byte
		if err := rows.Scan(&id, &raw); err != nil {
			return err
		}
		p, err := decodePerson(raw)
		if err != nil {
			return err
		}
		u.persons[id] = &personRow{p: p}
	}
	return rows.Err()
}

// prefetchStates reads the derived state of persons ids in one statement, so that the
// deriver finds it in the unit instead of asking the database a person at a time. Persons
// made in the unit, and persons merged into these, are read when first asked for. A
// deriver that reads nothing (no template) costs no statement.
func (u *unit) prefetchStates(ids []uuid.UUID) error {
	ids = slices.DeleteFunc(ids, func(id uuid.UUID) bool { return u.states[id] != nil })
	if len(ids) == 0 {
		return nil
	}
	for _, id := range ids {
		u.states[id] = &stateRow{values: map[string][]byte{}}
	}
	rows, err := u.tx.Query(u.ctx, `SELECT k.id, s.names, s.vals FROM unnest($2::uuid[]) AS k(id),
		LATERAL (SELECT names, vals FROM states x WHERE x.workspace_id = $1 AND x.person_id = k.id OFFSET 0) s`, u.ws, ids)
	if err != nil {
		return fmt.Errorf("reading derived state: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id uuid.UUID
		var names []string
		var vals [][]byte
		if err := rows.Scan(&id, &names, &vals); err != nil {
			return fmt.Errorf("reading derived state: %w", err)
		}
		if err := u.states[id].fill(names, vals); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("reading derived state: %w", err)
	}
	return nil
}

// stored reads, in one statement, the persons of the events of evs the workspace holds.
func (u *unit) stored(evs []*event.Event) (map[[2]string]uuid.UUID, error) {
	ids, sources := make([]string, len(evs)), make([]string, len(evs))
	for i, ev := range evs {
		ids[i], sources[i] = ev.ID, ev.Source
	}
	rows, err := u.tx.Query(u.ctx, `SELECT k.id, k.source, e.person_id FROM unnest($2::text[], $3::text[]) AS k(id, source),
		LATERAL (SELECT person_id FROM events x WHERE x.workspace_id = $1 AND x.id = k.id AND x.source = k.source OFFSET 0) e`,
		u.ws, ids, sources)
	if err != nil {
		return nil, fmt.Errorf("reading dedupe keys: %w", err)
	}
	defer rows.Close()
	out := map[[2]string]uuid.UUID{}
	for rows.Next() {
		var id, source string
		var p uuid.UUID
		if err := rows.Scan(&id, &source, &p); err != nil {
			return nil, err
		}
		out[[2]string{id, source}] = p
	}
	return out, rows.Err()
}

// appendEvent stores one event unless the workspace holds its source and id; see
// identity.Rules.Owner for whom it is filed under.
func (u *unit) appendEvent(ev *event.Event, stored map[[2]string]uuid.UUID) (store.AppendResult, error) {
	key := [2]string{ev.ID, ev.Source}
	p, dup := u.seen[key]
	if !dup {
		p, dup = stored[key]
	}
	if dup {
		live, err := identity.Live(u, p)
		if err != nil {
			return store.AppendResult{}, err
		}
		return store.AppendResult{PersonID: live.ID, Duplicate: true}, nil
	}
	owner, err := u.s.rules.Owner(u, identity.Sighting{Kind: ev.IdentityType, Alias: ev.Alias, Identity: ev.Identity, Previous: ev.PreviousIdentity})
	if err != nil {
		return store.AppendResult{}, err
	}
	u.seq++
	u.events = append(u.events, eventRow{seq: u.seq, person: owner, timeNS: ev.Time.UnixNano(), id: ev.ID, source: ev.Source, typ: ev.Type, raw: ev.Raw})
	u.seen[key] = owner
	if err := u.derive(owner, store.StoredEvent{Time: ev.Time, Seq: u.seq, Type: ev.Type, Raw: ev.Raw, Prepared: ev.Prepared}); err != nil {
		return store.AppendResult{}, fmt.Errorf("deriving state: %w", err)
	}
	id := owner.String()
	u.committed = append(u.committed, store.Committed{Workspace: u.w, PersonID: id, EventID: ev.ID, Seq: u.seq, Raw: ev.Raw})
	return store.AppendResult{PersonID: id}, nil
}

// personIDs are the person and every person merged into it.
func personIDs(l identity.Lookup, p *identity.Person) []string {
	return append([]string{p.ID}, p.MergedIDs(identity.ByID(l))...)
}

// History: see store.Events. Events are read newest first (newestFirst), filtered, and
// skipped until the page is full.
func (s *Store) History(ctx context.Context, w store.Workspace, p *identity.Person, q store.Query) ([][]byte, error) {
	var out [][]byte
	if q.Limit <= 0 {
		return nil, nil
	}
	err := s.view(ctx, func(tx pgx.Tx) error {
		r := reader{ctx: ctx, tx: tx, ws: wsID(w)}
		skip := q.Offset
		return newestFirst(ctx, tx, r.ws, personIDs(r, p), q.Types, q.Offset+q.Limit, func(raw []byte) bool {
			switch {
			case q.Match != nil && !q.Match(raw):
			case skip > 0:
				skip--
			default:
				out = append(out, raw)
			}
			return len(out) < q.Limit
		})
	})
	if err != nil {
		return nil, fmt.Errorf("reading history of person %s in %s: %w", p.ID, w, err)
	}
	return out, nil
}

// pageRows is how many events newestFirst reads of one person at a time.
const pageRows = 256

// newestFirst hands fn the events of persons ids, newest first (by event time, then
// commit order), until fn returns false or there are none left. Each person's events are
// read a page at a time from the events_person index, in order (a keyset after the last
// one read), and merged here: a page of history costs what it reads, however long the
// history. types, when not empty, are the only event types read (the database passes
// over the others without sending them). hint is how many events the caller expects to
// need, at most.
func newestFirst(ctx context.Context, tx pgx.Tx, ws string, ids, types []string, hint int, fn func(raw []byte) bool) error {
	type row struct {
		raw    []byte
		timeNS int64
		seq    int64
	}
	size := min(max(hint, 1), pageRows)
	heads := make([][]row, len(ids)) // each person's rows read and not yet handed out
	more := make([]bool, len(ids))
	last := make([]*row, len(ids))
	fetch := func(i int) error {
		q := `SELECT raw, time_ns, seq FROM events WHERE workspace_id = $1 AND person_id = $2::uuid`
		args := []any{ws, ids[i], size}
		if l := last[i]; l != nil {
			q += " AND (time_ns, seq) < ($4, $5)"
			args = append(args, l.timeNS, l.seq)
		}
		if len(types) > 0 {
			q += fmt.Sprintf(" AND type = ANY($%d::text[])", len(args)+1)
			args = append(args, types)
		}
		rows, err := tx.Query(ctx, q+" ORDER BY time_ns DESC, seq DESC LIMIT $3", args...)
		if err != nil {
			return err
		}
		got, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (row, error) {
			var x row
			err := r.Scan(&x.raw, &x.timeNS, &x.seq)
			return x, err
		})
		if err != nil {
			return err
		}
		heads[i], more[i] = got, len(got) == size
		if len(got) > 0 {
			last[i] = &got[len(got)-1]
		}
		return nil
	}
	for i := range ids {
		if err := fetch(i); err != nil {
			return err
		}
	}
	for {
		best := -1
		for i := range ids {
			if len(heads[i]) == 0 {
				continue
			}
			h := heads[i][0]
			if best < 0 || h.timeNS > heads[best][0].timeNS || h.timeNS == heads[best][0].timeNS && h.seq > heads[best][0].seq {
				best = i
			}
		}
		if best < 0 {
			return nil
		}
		r := heads[best][0]
		heads[best] = heads[best][1:]
		if !fn(r.raw) {
			return nil
		}
		if len(heads[best]) == 0 && more[best] {
			size = pageRows // past the hint: the caller filters, read on in full pages
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := fetch(best); err != nil {
				return err
			}
		}
	}
}

// After: see store.Events. With several sources using the id, it resumes after the
// earliest of them: a client may see an event twice, never miss one.
func (s *Store) After(ctx context.Context, w store.Workspace, p *identity.Person, afterID string) ([]store.Committed, error) {
	var out []store.Committed
	err := s.view(ctx, func(tx pgx.Tx) error {
		r := reader{ctx: ctx, tx: tx, ws: wsID(w)}
		var from *int64
		if err := tx.QueryRow(ctx, "SELECT min(seq) FROM events WHERE workspace_id = $1 AND id = $2", r.ws, afterID).Scan(&from); err != nil {
			return err
		}
		if from == nil {
			return fmt.Errorf("event %q: %w", afterID, store.ErrNotFound)
		}
		rows, err := tx.Query(ctx, `SELECT seq, raw FROM events WHERE workspace_id = $1 AND person_id = ANY($2::uuid[]) AND seq > $3
			ORDER BY seq`, r.ws, personIDs(r, p), *from)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var seq int64
			var raw []byte
			if err := rows.Scan(&seq, &raw); err != nil {
				return err
			}
			out = append(out, store.Committed{Workspace: w, PersonID: p.ID, EventID: event.ID(raw), Seq: uint64(seq), Raw: raw})
		}
		return rows.Err()
	})
	return out, err
}

// Event: see store.Events.
func (s *Store) EventsByRef(ctx context.Context, w store.Workspace, refs []store.EventRef) ([][]byte, error) {
	out := make([][]byte, len(refs))
	if len(refs) == 0 {
		return out, nil
	}
	seqs := make([]int64, len(refs))
	for i, r := range refs {
		seqs[i] = int64(r.Seq)
	}
	type row struct {
		person string
		timeNS int64
		raw    []byte
	}
	found := make(map[uint64]row, len(refs))
	err := s.view(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, "SELECT seq, person_id::text, time_ns, raw FROM events WHERE workspace_id = $1 AND seq = ANY($2)", wsID(w), seqs)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var seq int64
			var r row
			if err := rows.Scan(&seq, &r.person, &r.timeNS, &r.raw); err != nil {
				return err
			}
			found[uint64(seq)] = r
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	// An event moved to another person since (a merge) is not the one referred to.
	for i, ref := range refs {
		if r, ok := found[ref.Seq]; ok && r.person == ref.PersonID && r.timeNS == ref.Time.UnixNano() {
			out[i] = r.raw
		}
	}
	return out, nil
}

// Export: see store.Events.
func (s *Store) Export(ctx context.Context, w store.Workspace, id string, person func(*identity.Person) error, emit func(raw []byte) error) error {
	k, err := uuid.Parse(id)
	if err != nil {
		return fmt.Errorf("person %q: %w", id, store.ErrNotFound)
	}
	return s.view(ctx, func(tx pgx.Tx) error {
		r := reader{ctx: ctx, tx: tx, ws: wsID(w)}
		p, err := identity.Live(r, k)
		if err != nil {
			return err
		}
		if err := person(p); err != nil {
			return err
		}
		var emitErr error
		err = newestFirst(ctx, tx, r.ws, personIDs(r, p), nil, pageRows, func(raw []byte) bool {
			emitErr = emit(raw)
			return emitErr == nil
		})
		if err != nil {
			return err
		}
		return emitErr
	})
}

// expireChunk bounds the events one unit of retention deletes.
const expireChunk = 5000

// ExpireEvents: see store.Events. Each chunk is a unit of work that deletes events
// older than cutoff and rebuilds the derived state of the persons that lost some.
func (s *Store) ExpireEvents(ctx context.Context, w store.Workspace, cutoff time.Time, progress func(store.Expired)) (store.Expired, error) {
	var total store.Expired
	var known bool
	err := s.view(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM workspaces WHERE workspace_id = $1)", wsID(w)).Scan(&known)
	})
	if err != nil || !known {
		return total, err // an unknown workspace has nothing to expire
	}
	lost := map[uuid.UUID]bool{}
	for {
		if err := ctx.Err(); err != nil {
			return total, err
		}
		n := 0
		err := s.run(ctx, w, func(u *unit) error {
			rows, err := u.tx.Query(u.ctx, `DELETE FROM events WHERE workspace_id = $1 AND seq IN (
				SELECT seq FROM events WHERE workspace_id = $1 AND time_ns < $2 LIMIT $3) RETURNING person_id`,
				u.ws, cutoff.UnixNano(), expireChunk)
			if err != nil {
				return err
			}
			persons, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
			if err != nil {
				return err
			}
			n = len(persons)
			var rebuild []uuid.UUID
			seen := map[uuid.UUID]bool{}
			for _, p := range persons {
				if !seen[p] {
					seen[p] = true
					rebuild = append(rebuild, p)
				}
			}
			if d := u.s.opts.Deriver; d != nil {
				for _, p := range rebuild {
					if err := d.Rebuild(u.state(p), u.eventsOf(p)); err != nil {
						return fmt.Errorf("rebuilding derived state of person %s: %w", p, err)
					}
				}
			}
			for p := range seen {
				lost[p] = true
			}
			return nil
		})
		if err != nil {
			return total, err
		}
		if n == 0 {
			return total, nil
		}
		total.Events += n
		total.Persons = len(lost)
		total.Chunks++
		if progress != nil {
			progress(total)
		}
	}
}
