package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/openjds/jds/config"
	"github.com/openjds/jds/internal/event"
	"github.com/openjds/jds/internal/identity"
	"github.com/openjds/jds/internal/store"
	"github.com/openjds/jds/internal/store/badgerstore"
)

// The UK number of issue 16 written three ways is one alias, "+442079460958", and one
// person, whatever the default region.
func TestPhonesWrittenAnyWayAreOnePerson(t *testing.T) {
	e := start(t, nil) // identity.defaultRegion: US
	var person string
	for i, form := range []string{"+44 (0)20 7946 0958", "+442079460958", "0044 20 7946 0958"} {
		r := e.post(ev("uk"+string(rune('1'+i)), "Call", form, "phone", map[string]any{}))
		if r.Status != 202 {
			t.Fatalf("posting %q: %d %s", form, r.Status, r.Body)
		}
		id := r.JSON(t)["meta"].(map[string]any)["personId"].(string)
		if person == "" {
			person = id
		} else if id != person {
			t.Fatalf("%q landed on person %s, not %s", form, id, person)
		}
	}
	p := personOf(t, e.idmt("GET", "/workspace-id/"+ws+"?personId="+person, nil))
	if len(p.Phone) != 1 || p.Phone[0] != "+442079460958" {
		t.Fatalf("phones %q, want [+442079460958]", p.Phone)
	}
	if got := eventIDs(t, e.Do("GET", historyPath("020 7946 0958", ""), admin, nil)); len(got) != 0 {
		t.Errorf("a national number read in the US found %v", got) // +1 020..., not a UK number
	}
	if got := eventIDs(t, e.Do("GET", historyPath("+44 20 7946 0958", ""), admin, nil)); len(got) != 3 {
		t.Errorf("history by another notation: %v", got)
	}

	// In a GB deployment the national notation is the same number.
	gb := start(t, func(c *config.Config) { c.Identity.DefaultRegion = "GB" })
	a := gb.post(ev("gb1", "Call", "020 7946 0958", "phone", map[string]any{})).JSON(t)
	b := gb.post(ev("gb2", "Call", "+44 (0)20 7946 0958", "phone", map[string]any{})).JSON(t)
	if a["meta"].(map[string]any)["personId"] != b["meta"].(map[string]any)["personId"] {
		t.Fatalf("national and international notations in GB: %v, %v", a, b)
	}
}

// A ledger written before phones were E.164 holds "+44 (0)20 7946 0958" as the alias
// "+4402079460958". Events in that notation, and lookups by it, still find its person.
func TestPhoneAliasesStoredBeforeE164StayFound(t *testing.T) {
	dir := t.TempDir()
	const written, legacy = "+44 (0)20 7946 0958", "+4402079460958"
	if got, _ := identity.LegacyPhone(written, "US"); got != legacy {
		t.Fatalf("LegacyPhone(%q) = %q: the test no longer builds the previous release's state", written, got)
	}
	// The previous release's state: the event stored by the ledger under its alias as
	// that release normalised it.
	st, err := badgerstore.Open(badgerstore.Options{Dir: filepath.Join(dir, "ledger")})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(ev("old", "Call", written, "phone", map[string]any{}))
	old, bad := event.Decode(raw, time.Now(), event.Limits{DefaultRegion: "US"})
	if bad != nil {
		t.Fatal(bad)
	}
	old.Alias = legacy
	res, err := st.Append(context.Background(), store.Workspace{Org: org, Name: ws}, []*event.Event{old})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	owner := res[0].PersonID

	e := start(t, func(c *config.Config) { c.DataDir = dir })
	for i, form := range []string{written, legacy} {
		r := e.post(ev("new"+string(rune('1'+i)), "Call", form, "phone", map[string]any{}))
		if id := r.JSON(t)["meta"].(map[string]any)["personId"]; id != owner {
			t.Fatalf("%q after the upgrade landed on %v, want the person of the legacy alias %s", form, id, owner)
		}
	}
	if got := eventIDs(t, e.Do("GET", historyPath(written, ""), admin, nil)); len(got) != 3 {
		t.Errorf("history by the notation of the legacy alias: %v", got)
	}
	var found struct{ Data []person }
	r := e.idmt("GET", "/workspace-id/"+ws+"/aliases/"+legacy, nil)
	if err := json.Unmarshal(r.Body, &found); err != nil || len(found.Data) != 1 {
		t.Fatalf("find by the legacy alias: %d %s", r.Status, r.Body)
	}
	if p := found.Data[0]; p.ID != owner || len(p.Phone) != 1 || p.Phone[0] != legacy {
		t.Errorf("person %+v: the legacy alias is kept as it is", p)
	}

	// The legacy alias's person merges into an identified one, an event in the old
	// notation follows it there, and unmerging takes that event back with the alias.
	e.post(ev("signup", "Signup", "ann@example.com", "email", map[string]any{}))
	if r := e.post(ev("login", "Login", "ann@example.com", "email", map[string]any{}, "previousidentity", written)); r.Status != 202 {
		t.Fatalf("merging: %d %s", r.Status, r.Body)
	}
	ann := e.post(ev("after", "Call", written, "phone", map[string]any{})).JSON(t)["meta"].(map[string]any)["personId"].(string)
	if ann == owner {
		t.Fatal("the event after the merge stayed with the merged-away person")
	}
	if r := e.idmt("POST", "/unmerge/workspace-id/"+ws+"/person-id/"+ann, nil); r.Status != 200 {
		t.Fatalf("unmerge: %d %s", r.Status, r.Body)
	}
	if got := fmt.Sprint(eventIDs(t, e.Do("GET", historyPath(written, ""), admin, nil))); got != "[after new2 new1 old]" {
		t.Errorf("history of the legacy alias after unmerge: %s", got)
	}
	if got := fmt.Sprint(eventIDs(t, e.Do("GET", historyPath("ann@example.com", ""), admin, nil))); got != "[login signup]" {
		t.Errorf("history of the identified person after unmerge: %s", got)
	}
}
