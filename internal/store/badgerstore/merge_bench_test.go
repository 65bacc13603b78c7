package badgerstore

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/openjds/jds/internal/identity"
)

// mergeBench opens an in-memory store holding n persons of one phone alias each and
// returns it with their ids.
func mergeBench(b *testing.B, n int) (*Store, []string) {
	b.Helper()
	s, err := Open(Options{InMemory: true, Guard: identity.NewGuard(nil, 100)})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	ctx := context.Background()
	evs := benchEvents(b, "m", n, n)
	appendAll(b, s, evs)
	ps, err := s.Persons(ctx, ws, 0, n)
	if err != nil || len(ps) != n {
		b.Fatalf("persons: %d, %v", len(ps), err)
	}
	ids := make([]string, n)
	for i, p := range ps {
		ids[i] = p.ID
	}
	return s, ids
}

// BenchmarkMergeRefused is the merge of issue 17: n persons into one, more aliases than
// a person may own, so the store refuses it — after how much work in the committer.
func BenchmarkMergeRefused(b *testing.B) {
	for _, n := range []int{1_000, 20_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			s, ids := mergeBench(b, n+1)
			ctx := context.Background()
			b.ResetTimer()
			for range b.N {
				if _, err := s.Merge(ctx, ws, ids[0], ids[1:]); !errors.Is(err, identity.ErrTooManyAliases) {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkMerge100 merges 99 persons into one (100 aliases: the most a person may
// own by default), from scratch each time.
func BenchmarkMerge100(b *testing.B) {
	ctx := context.Background()
	for range b.N {
		b.StopTimer()
		s, ids := mergeBench(b, 100)
		b.StartTimer()
		if _, err := s.Merge(ctx, ws, ids[0], ids[1:]); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		s.Close()
		b.StartTimer()
	}
}
