package badgerstore

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/openjds/jds/internal/identity"
)

// A merge that cannot fit is refused at the first person past the bound, without
// reading the rest of the list: a long list costs the committer only what it reads.
// The person named after that point does not exist, and no ErrNotFound comes back.
// Naming the same person twice, or the primary among the others, takes it once.
func TestMergeStopsAtTheFirstPersonPastTheBound(t *testing.T) {
	guard := identity.NewGuard(nil, 3)
	s := openWith(t, Options{InMemory: true, Guard: guard})
	ctx := context.Background()
	var ids []string
	for i := range 5 {
		p, err := s.CreatePerson(ctx, ws, "", "", []identity.Alias{phone(fmt.Sprintf("+1555000000%d", i))})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	others := []string{ids[1], ids[1], ids[0], ids[2], ids[3], "00000000-0000-0000-0000-000000000000"}
	if _, err := s.Merge(ctx, ws, ids[0], others); !errors.Is(err, identity.ErrTooManyAliases) {
		t.Fatalf("merge past the bound = %v, want ErrTooManyAliases", err)
	}
	if n := guard.TooMany.Load(); n != 1 {
		t.Errorf("the refusal was counted %d times, want once", n)
	}
	p, err := s.Merge(ctx, ws, ids[0], []string{ids[1], ids[1], ids[0], ids[2]})
	if err != nil || len(p.Aliases()) != 3 || len(p.Merges) != 2 {
		t.Fatalf("merge within the bound: %v, %+v", err, p)
	}
}
