package badgerstore

import (
	"testing"

	"github.com/openjds/jds/internal/store"
	"github.com/openjds/jds/internal/store/storetest"
)

// TestConformance runs the behaviour every backend must have on real Badger, on disk,
// with every commit synced.
func TestConformance(t *testing.T) {
	storetest.Run(t, storetest.Backend{
		Name: "badger",
		Open: func(t testing.TB, place string, o storetest.Options) store.Store {
			t.Helper()
			s, err := Open(Options{
				Dir: place, SyncWrites: true,
				Deriver: o.Deriver, Guard: o.Guard, Now: o.Now, Region: o.Region,
			})
			if err != nil {
				t.Fatal(err)
			}
			return s
		},
	})
}
