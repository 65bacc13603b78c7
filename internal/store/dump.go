package store

import (
	"context"
	"fmt"
	"sort"
	"strings"
)

// A whole installation moves from one backend to another (jds migrate-store) as a
// stream of Records: a backend that can be read wholesale is a Dumper, one that can be
// written in bulk a Loader. The records are engine-neutral: what the domain stores, not
// how a backend keys it.

// The kinds of Record, in the order a Dumper emits them (workspaces first).
const (
	KindWorkspace = "workspaces"
	KindEvent     = "events"
	KindPerson    = "persons"
	KindAlias     = "aliases"
	KindState     = "states"
	KindDelivery  = "deliveries"
	KindDocument  = "documents"
)

// Kinds lists every kind of Record.
var Kinds = []string{KindWorkspace, KindEvent, KindPerson, KindAlias, KindState, KindDelivery, KindDocument}

// Record is one thing an installation holds. Kind says which fields are set.
type Record struct {
	Kind      string
	Workspace Workspace
	// Seq: an event's sequence number; for a workspace, the last of its events'.
	Seq uint64
	// PersonID: the person of an event, person, alias, state or delivery.
	PersonID string
	// Time: an event's time in Unix nanoseconds; for a person created owning only
	// temporaryIds, when (the anonymous-expiry index), else 0.
	Time int64
	// Name: an alias (normalised), a state's name, a document's collection.
	Name string
	// AliasKind: an alias's identity.Kind.
	AliasKind uint8
	// ID: a document's id.
	ID string
	// Value: an event's canonical JSON, a person's JSON record, a state's value, a
	// delivery's record (EncodeDelivery), a document.
	Value []byte
}

// Dumper reads a whole installation, from one snapshot, record by record.
type Dumper interface {
	Dump(ctx context.Context, fn func(Record) error) error
}

// Loader writes records in bulk. Load is idempotent: a record already there (an event
// by workspace and sequence, a person by id, …) is left as it is, so that a copy
// interrupted may be run again. Counts says how many records of each kind it holds.
type Loader interface {
	Load(ctx context.Context, batch []Record) error
	Counts(ctx context.Context) (map[string]int64, error)
}

// Copy copies everything from into to, in batches of batchSize, telling progress what it
// has read so far (by kind) after each batch; then it checks that to holds as many
// records of each kind as from gave. It returns the counts read.
func Copy(ctx context.Context, from Dumper, to Loader, batchSize int, progress func(read map[string]int64)) (map[string]int64, error) {
	if batchSize <= 0 {
		batchSize = 5000
	}
	read := map[string]int64{}
	batch := make([]Record, 0, batchSize)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := to.Load(ctx, batch); err != nil {
			return err
		}
		batch = batch[:0]
		if progress != nil {
			progress(read)
		}
		return nil
	}
	err := from.Dump(ctx, func(r Record) error {
		read[r.Kind]++
		batch = append(batch, r)
		if len(batch) < batchSize {
			return nil
		}
		return flush()
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return read, err
	}
	held, err := to.Counts(ctx)
	if err != nil {
		return read, fmt.Errorf("counting what was copied: %w", err)
	}
	var diffs []string
	for _, k := range Kinds {
		if held[k] != read[k] {
			diffs = append(diffs, fmt.Sprintf("%s: read %d, the target holds %d", k, read[k], held[k]))
		}
	}
	if len(diffs) > 0 {
		sort.Strings(diffs)
		return read, fmt.Errorf("the counts differ (is the target empty but for an earlier copy of the same source?):\n  %s", strings.Join(diffs, "\n  "))
	}
	return read, nil
}
