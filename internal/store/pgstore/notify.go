package pgstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/openjds/jds/internal/event"
	"github.com/openjds/jds/internal/store"
)

// Nodes tell each other what they committed through PostgreSQL's LISTEN/NOTIFY: a unit
// of work that stored events or changed a document sends, inside its transaction (so
// at its commit, in commit order), a small notice on the channel "jds" naming
// its node, the workspace and the sequence range or the document. Every other node
// listening reads what the notice names from the database, the source of truth, and
// tells its own commit and document listeners. A node that loses its listening
// connection reconnects; what was committed meanwhile reaches its live streams only
// through Last-Event-ID, which reads the database too.

const notifyChannel = "jds"

// notice is the payload of a notification (at most 8000 bytes: names only).
type notice struct {
	Node string `json:"n"`
	WS   string `json:"w"`
	Org  string `json:"o"`
	Name string `json:"m"`
	// Events: the sequence range (From, To] of the events a commit stored.
	From uint64 `json:"a,omitempty"`
	To   uint64 `json:"b,omitempty"`
	// A document changed (written or deleted).
	Collection string `json:"c,omitempty"`
	Doc        string `json:"d,omitempty"`
	// Topic: a broadcast to every node (store.Nodes), of no workspace.
	Topic string `json:"t,omitempty"`
}

// notify sends a notice in the unit's transaction.
func (u *unit) notify(n notice) error {
	n.Node, n.WS, n.Org, n.Name = u.s.opts.Node, u.ws, u.w.Org, u.w.Name
	raw, err := json.Marshal(n)
	if err != nil {
		return err
	}
	u.queue("notifying the other nodes", "SELECT pg_notify($1, $2)", notifyChannel, string(raw))
	return nil
}

// OnDocument adds a listener told when another node wrote or deleted a document: so that
// a node keeps the templates and actions made through another node's API in force.
func (s *Store) OnDocument(fn func(w store.Workspace, collection, id string)) {
	s.docMu.Lock()
	defer s.docMu.Unlock()
	s.docListeners = append(s.docListeners, fn)
}

// listen follows the other nodes' notices until ctx ends. ready is told once of the
// outcome of the first attempt to listen.
func (s *Store) listen(ctx context.Context, ready chan<- error) {
	defer close(s.listening)
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		err := s.listenOnce(ctx, ready)
		ready = nil
		if ctx.Err() != nil {
			return
		}
		s.log.Warn("store: lost the notifications of the other nodes; reconnecting", "err", err, "in", backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 10*time.Second)
	}
}

func (s *Store) listenOnce(ctx context.Context, ready chan<- error) error {
	conn, err := s.listenConn(ctx)
	if ready != nil {
		ready <- err
	}
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		var msg notice
		if err := json.Unmarshal([]byte(n.Payload), &msg); err != nil || msg.Node == s.opts.Node {
			continue // not ours to read, or our own commit (told at once)
		}
		if msg.Topic != "" {
			s.docMu.Lock()
			ls := s.topicListeners
			s.docMu.Unlock()
			for _, fn := range ls {
				fn(msg.Topic)
			}
			continue
		}
		w := store.Workspace{Org: msg.Org, Name: msg.Name}
		if msg.Collection != "" {
			s.docMu.Lock()
			ls := s.docListeners
			s.docMu.Unlock()
			for _, fn := range ls {
				fn(w, msg.Collection, msg.Doc)
			}
			continue
		}
		if err := s.relay(ctx, w, msg.From, msg.To); err != nil {
			s.log.Error("store: reading events another node committed", "workspace", w.String(), "err", err)
		}
	}
}

// listenConn opens a connection of its own that listens on the channel.
func (s *Store) listenConn(ctx context.Context) (*pgx.Conn, error) {
	conn, err := pgx.ConnectConfig(ctx, s.pool.Config().ConnConfig.Copy())
	if err != nil {
		return nil, err
	}
	if _, err := conn.Exec(ctx, "LISTEN "+notifyChannel); err != nil {
		conn.Close(context.WithoutCancel(ctx))
		return nil, err
	}
	return conn, nil
}

// relay tells the commit listeners of the events another node committed in w with
// sequence numbers in (from, to].
func (s *Store) relay(ctx context.Context, w store.Workspace, from, to uint64) error {
	if !s.Any() {
		return nil
	}
	rows, err := s.pool.Query(ctx, `SELECT person_id::text, seq, raw FROM events
		WHERE workspace_id = $1 AND seq > $2 AND seq <= $3 ORDER BY seq`, wsID(w), int64(from), int64(to))
	if err != nil {
		return err
	}
	var out []store.Committed
	for rows.Next() {
		c := store.Committed{Workspace: w}
		var seq int64
		if err := rows.Scan(&c.PersonID, &seq, &c.Raw); err != nil {
			rows.Close()
			return err
		}
		c.Seq, c.EventID = uint64(seq), event.ID(c.Raw)
		out = append(out, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("events %d..%d: %w", from+1, to, err)
	}
	s.Publish(out)
	return nil
}
