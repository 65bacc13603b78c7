package identity

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/google/uuid"
)

// Rules applies the identity rules (docs/IDENTITY.md) to a Graph: who an event belongs
// to, and the changes admins and flows make to persons. Each method runs inside one unit
// of work and must be repeatable from scratch (a store may apply a unit again); a change
// refused on its merits returns a *Refused before its first write.
type Rules struct {
	// Guard holds the guardrails; nil means none.
	Guard *Guard
	// Region is where phone numbers without a country code are dialled.
	Region string
}

// Sighting is who an event says it is about: the alias it was posted under (normalised,
// of kind Kind, as written in Identity) and the previous identity it may name.
type Sighting struct {
	Kind     Kind
	Alias    string
	Identity string
	Previous string
}

// Owner applies the identity rules of ingest and returns the live person an event
// belongs to:
//
//  1. the event's alias is looked up; an unknown alias becomes a new person owning it;
//  2. with a previous identity owned by person P: an unknown alias is added to P; an
//     alias owned by another person Q makes P merge into Q (the newer, identified one
//     survives); an unknown previous identity is ignored.
//
// Guardrails: a blocked previous identity never links, and a link or merge that would
// give a person more aliases than allowed does not happen; the guard counts both, and
// the event is still filed under its own alias.
func (r Rules) Owner(g Graph, s Sighting) (uuid.UUID, error) {
	cur, known, err := r.sightedAlias(g, s)
	if err != nil {
		return uuid.UUID{}, err
	}
	if s.Previous != "" && r.Guard.Check(s.Previous) == nil {
		prev, found, err := Find(g, s.Previous, r.Region)
		if err != nil {
			return uuid.UUID{}, err
		}
		switch {
		case !found:
			// Unknown previous identity: ignored.
		case !known:
			p, err := g.Person(prev)
			if err != nil {
				return uuid.UUID{}, err
			}
			if r.Guard.Fits(len(p.Aliases())+1) != nil {
				break
			}
			p = p.Clone()
			if err := addAlias(g, p, Alias{Kind: s.Kind, Value: s.Alias}); err != nil {
				return uuid.UUID{}, err
			}
			return prev, g.PutPerson(p)
		case prev != cur:
			if _, err := r.merge(g, cur, prev); err != nil {
				return uuid.UUID{}, err
			}
		}
	}
	if known {
		return cur, nil
	}
	p, err := newPerson(g, "", "", []Alias{{Kind: s.Kind, Value: s.Alias}})
	if err != nil {
		return uuid.UUID{}, err
	}
	return parseID(p.ID)
}

// sightedAlias looks up the owner of an event's alias. A phone is also looked up under
// its legacy form (LegacyPhone) when that differs: an alias stored before phones were
// E.164 keeps finding its person, so the event joins that person instead of starting a
// new one. Only the lookup changes; a new alias is stored in canonical form.
func (r Rules) sightedAlias(g Lookup, s Sighting) (uuid.UUID, bool, error) {
	owner, _, ok, err := g.Alias(s.Alias)
	if err != nil || ok || s.Kind != Phone {
		return owner, ok, err
	}
	if old, valid := LegacyPhone(s.Identity, r.Region); valid && old != s.Alias {
		owner, _, ok, err = g.Alias(old)
	}
	return owner, ok, err
}

// newPerson creates a person owning aliases that nobody owns (callers check). A person
// owning only temporaryIds enters the expiry index.
func newPerson(g Graph, first, last string, aliases []Alias) (*Person, error) {
	id, now := uuid.New(), g.Now()
	p := &Person{ID: id.String(), FirstName: first, LastName: last, CreatedAt: now, UpdatedAt: now}
	for _, a := range aliases {
		if err := addAlias(g, p, a); err != nil {
			return nil, err
		}
	}
	if p.OnlyTemporary() {
		if err := g.IndexTemporary(id, now); err != nil {
			return nil, err
		}
	}
	return p, g.PutPerson(p)
}

// addAlias gives p (a clone being changed) an alias and points the alias at p.
func addAlias(g Graph, p *Person, a Alias) error {
	id, err := parseID(p.ID)
	if err != nil {
		return err
	}
	p.AddAlias(a)
	p.UpdatedAt = g.Now()
	return g.SetAlias(a.Value, id, a.Kind)
}

// merge folds person from into person into: from's aliases move to into, and both
// record the merge. No event is rewritten; reads of into merge from's stream in. It
// reports false, changing nothing, when the merged person would own more aliases than
// the guard allows.
func (r Rules) merge(g Graph, into, from uuid.UUID) (bool, error) {
	q, err := g.Person(into)
	if err != nil {
		return false, err
	}
	p, err := g.Person(from)
	if err != nil {
		return false, err
	}
	moved := p.Aliases()
	if r.Guard.Fits(len(q.Aliases())+len(moved)) != nil {
		return false, nil
	}
	q, p = q.Clone(), p.Clone()
	for _, a := range moved {
		p.RemoveAlias(a.Value)
		if err := addAlias(g, q, a); err != nil {
			return false, err
		}
	}
	now := g.Now()
	p.MergedInto = q.ID
	p.UpdatedAt = now
	q.Merges = append(q.Merges, Merge{PersonID: p.ID, Aliases: moved, At: now, Seq: g.Seq()})
	if err := g.PutPerson(p); err != nil {
		return false, err
	}
	return true, g.PutPerson(q)
}

// fits refuses a person of n aliases when the guard does.
func (r Rules) fits(n int) error {
	if err := r.Guard.Fits(n); err != nil {
		return &Refused{Err: err}
	}
	return nil
}

// checkFree refuses an alias that belongs to a person other than owner ("" for nobody).
func checkFree(g Lookup, a Alias, owner string) error {
	id, _, ok, err := g.Alias(a.Value)
	if err != nil || !ok {
		return err
	}
	if id.String() != owner {
		return refuse("%w: alias %q belongs to person %s", ErrConflict, a.Value, id)
	}
	return nil
}

// Create creates a person owning aliases, refused with ErrConflict when one belongs to
// someone already.
func (r Rules) Create(g Graph, first, last string, aliases []Alias) (*Person, error) {
	aliases = uniqueAliases(aliases)
	for _, a := range aliases {
		if err := checkFree(g, a, ""); err != nil {
			return nil, err
		}
	}
	if err := r.fits(len(aliases)); err != nil {
		return nil, err
	}
	return newPerson(g, first, last, aliases)
}

// Update changes a live person with change, which edits names and alias lists of the
// copy it is given (aliases normalised) and returns an error to refuse. Aliases added
// must be free, removed ones are released. Nothing is written when nothing changed. id
// may name a merged person: the live one is changed.
func (r Rules) Update(g Graph, id string, change func(p *Person) error) (*Person, error) {
	p, err := LiveByID(g, id)
	if err != nil {
		return nil, err
	}
	q := p.Clone()
	if err := change(q); err != nil {
		return nil, &Refused{Err: err}
	}
	return r.rewrite(g, p, q)
}

// rewrite stores q as the new state of p: aliases follow the difference. It refuses
// before writing when an added alias is taken or q owns too many.
func (r Rules) rewrite(g Graph, p, q *Person) (*Person, error) {
	before, after := p.Aliases(), uniqueAliases(q.Aliases())
	added := minus(after, before)
	removed := minus(before, after)
	for _, a := range added {
		if err := checkFree(g, a, p.ID); err != nil {
			return nil, err
		}
	}
	if err := r.fits(len(after)); err != nil {
		return nil, err
	}
	if len(added) == 0 && len(removed) == 0 && p.FirstName == q.FirstName && p.LastName == q.LastName {
		return p, nil
	}
	id, err := parseID(q.ID)
	if err != nil {
		return nil, err
	}
	for _, a := range removed {
		if err := g.DeleteAlias(a.Value); err != nil {
			return nil, err
		}
	}
	for _, a := range added {
		if err := g.SetAlias(a.Value, id, a.Kind); err != nil {
			return nil, err
		}
	}
	q.UpdatedAt = g.Now()
	return q, g.PutPerson(q)
}

// Merge merges persons into primary: their aliases move to it, their events are read
// with its history, and each merge is recorded so that Unmerge can undo it.
func (r Rules) Merge(g Graph, primary string, others []string) (*Person, error) {
	p, err := LiveByID(g, primary)
	if err != nil {
		return nil, err
	}
	// This runs in the commit: linear in the persons named (a set, not a search of the
	// victims so far), and refused as soon as the aliases cannot fit, so that a long
	// list costs no more than the part of it that is read.
	var victims []*Person
	seen := map[string]bool{p.ID: true}
	total := len(p.Aliases())
	for _, o := range others {
		v, err := LiveByID(g, o)
		if err != nil {
			return nil, err
		}
		if seen[v.ID] {
			continue
		}
		seen[v.ID] = true
		victims = append(victims, v)
		total += len(v.Aliases())
		if err := r.fits(total); err != nil {
			return nil, err
		}
	}
	return r.mergeAll(g, p, victims)
}

// mergeAll merges victims into p (all live, checked to fit) and returns p's new state.
func (r Rules) mergeAll(g Graph, p *Person, victims []*Person) (*Person, error) {
	into, err := parseID(p.ID)
	if err != nil {
		return nil, err
	}
	for _, v := range victims {
		from, err := parseID(v.ID)
		if err != nil {
			return nil, err
		}
		if _, err := r.merge(g, into, from); err != nil {
			return nil, err
		}
	}
	return g.Person(into)
}

// IdentifyRequest is the body of merge-identities: the aliases a caller knows for one
// customer, and the names to set.
type IdentifyRequest struct {
	FirstName, LastName string // empty: leave as is
	Aliases             []Alias
	// Override also removes the aliases the person owns that are not listed.
	Override bool
}

// Identify is merge-identities, the one call that identifies: every person owning any
// listed alias is merged into the one created earliest (one is created when none
// exists), missing aliases are added and names set. Repeating a call changes nothing.
func (r Rules) Identify(g Graph, req IdentifyRequest) (p *Person, created bool, err error) {
	aliases := uniqueAliases(req.Aliases)
	var owners []*Person
	isOwner := map[string]bool{}
	for _, a := range aliases {
		id, _, ok, err := g.Alias(a.Value)
		if err != nil {
			return nil, false, err
		}
		if !ok {
			continue
		}
		o, err := Live(g, id)
		if err != nil {
			return nil, false, err
		}
		if !isOwner[o.ID] {
			isOwner[o.ID] = true
			owners = append(owners, o)
		}
	}
	if len(owners) == 0 {
		if err := r.fits(len(aliases)); err != nil {
			return nil, false, err
		}
		p, err := newPerson(g, req.FirstName, req.LastName, aliases)
		return p, true, err
	}
	slices.SortFunc(owners, func(x, y *Person) int {
		if c := x.CreatedAt.Compare(y.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(x.ID, y.ID)
	})
	// The result must fit before anything is written.
	all := slices.Clone(aliases)
	if !req.Override {
		for _, o := range owners {
			all = append(all, o.Aliases()...)
		}
	}
	if err := r.fits(len(uniqueAliases(all))); err != nil {
		return nil, false, err
	}
	primary := owners[0]
	if len(owners) > 1 {
		if primary, err = r.mergeAll(g, primary, owners[1:]); err != nil {
			return nil, false, err
		}
	}
	q := primary.Clone()
	for _, a := range aliases {
		q.AddAlias(a)
	}
	if req.Override {
		for _, a := range minus(q.Aliases(), aliases) {
			q.RemoveAlias(a.Value)
		}
	}
	if req.FirstName != "" {
		q.FirstName = req.FirstName
	}
	if req.LastName != "" {
		q.LastName = req.LastName
	}
	p, err = r.rewrite(g, primary, q)
	return p, false, err
}

// Unmerge undoes the most recent merge into person id: the merged person comes back
// with the aliases it brought (those the survivor still owns) and its events. Events
// stored after the merge under one of those aliases go back with the alias, and both
// persons' derived state is rebuilt. It returns the restored person and the survivor.
func (r Rules) Unmerge(g Graph, id string) (restored, survivor *Person, err error) {
	q, err := LiveByID(g, id)
	if err != nil {
		return nil, nil, err
	}
	if q.ID != id {
		return nil, nil, refuse("%w: person %s was merged into %s; unmerge from %s", ErrConflict, id, q.ID, q.ID)
	}
	if len(q.Merges) == 0 {
		return nil, nil, refuse("%w: nothing was merged into person %s", ErrConflict, id)
	}
	m := q.Merges[len(q.Merges)-1]
	pk, err := parseID(m.PersonID)
	if err != nil {
		return nil, nil, err
	}
	p, err := g.Person(pk)
	if err != nil {
		return nil, nil, err
	}
	qk, err := parseID(q.ID)
	if err != nil {
		return nil, nil, err
	}
	q, p = q.Clone(), p.Clone()
	q.Merges = q.Merges[:len(q.Merges)-1]
	back := map[string]bool{}
	for _, a := range m.Aliases {
		if owner, _, ok, err := g.Alias(a.Value); err != nil {
			return nil, nil, err
		} else if !ok || owner != qk {
			continue // removed or moved since the merge: it stays where it is
		}
		q.RemoveAlias(a.Value)
		if err := addAlias(g, p, a); err != nil {
			return nil, nil, err
		}
		back[a.Value] = true
	}
	if len(back) > 0 {
		err := g.MoveEvents(qk, pk, m.Seq, func(raw []byte) bool {
			alias, legacy := r.postedUnder(raw)
			return back[alias] || legacy != "" && back[legacy]
		})
		if err != nil {
			return nil, nil, err
		}
	}
	if err := g.Rebuild(qk, pk); err != nil {
		return nil, nil, err
	}
	now := g.Now()
	p.MergedInto = ""
	p.UpdatedAt, q.UpdatedAt = now, now
	if err := g.PutPerson(p); err != nil {
		return nil, nil, err
	}
	return p, q, g.PutPerson(q)
}

// postedUnder returns the normalised alias a stored event was posted under and, for a
// phone whose legacy form (LegacyPhone) differs, that form too: the event may be filed
// under an alias stored before phones were E.164.
func (r Rules) postedUnder(raw []byte) (alias, legacy string) {
	var ev struct {
		Identity     string `json:"identity"`
		IdentityType string `json:"identitytype"`
	}
	if json.Unmarshal(raw, &ev) != nil {
		return "", ""
	}
	k, _ := ParseKind(ev.IdentityType)
	alias, _ = Normalize(k, ev.Identity, r.Region)
	if k == Phone {
		if old, ok := LegacyPhone(ev.Identity, r.Region); ok && old != alias {
			legacy = old
		}
	}
	return alias, legacy
}

// uniqueAliases drops repeated values, keeping the first kind given.
func uniqueAliases(as []Alias) []Alias {
	seen := map[string]bool{}
	out := as[:0:0]
	for _, a := range as {
		if !seen[a.Value] {
			seen[a.Value] = true
			out = append(out, a)
		}
	}
	return out
}

// minus returns the aliases of a whose value is not in b.
func minus(a, b []Alias) []Alias {
	in := make(map[string]bool, len(b))
	for _, y := range b {
		in[y.Value] = true
	}
	var out []Alias
	for _, x := range a {
		if !in[x.Value] {
			out = append(out, x)
		}
	}
	return out
}
