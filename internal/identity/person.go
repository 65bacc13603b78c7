package identity

import (
	"slices"
	"time"
)

// Alias is one normalised identifier of a person.
type Alias struct {
	Kind  Kind
	Value string
}

// Person is a customer: the owner of a set of aliases, and of every event posted under them.
//
// Persons merged into another are not rewritten: the survivor lists them in Merges and each
// merged person names its survivor in MergedInto, so history reads merge their event
// streams and an unmerge can restore them exactly.
type Person struct {
	ID          string    `json:"id"`
	FirstName   string    `json:"firstName"`
	LastName    string    `json:"lastName"`
	Phone       []string  `json:"phone"`
	Email       []string  `json:"email"`
	CustomerID  []string  `json:"customerId"`
	SocialID    []string  `json:"socialId"`
	TemporaryID []string  `json:"temporaryId"`
	CreatedAt   time.Time `json:"createdAt"`
	UpdatedAt   time.Time `json:"updatedAt"`
	// MergedInto is the id of the person this one was merged into; empty for a live person.
	MergedInto string `json:"mergedInto,omitempty"`
	// Merges records, oldest first, every person merged into this one.
	Merges []Merge `json:"merges,omitempty"`
}

// Merge records one merge into a person: who was merged, which aliases moved, and when.
type Merge struct {
	PersonID string    `json:"personId"`
	Aliases  []Alias   `json:"aliases"`
	At       time.Time `json:"at"`
	// Seq is the ledger sequence at the time of the merge: events stored after it under
	// a moved alias go back with the alias on unmerge.
	Seq uint64 `json:"seq"`
}

// list returns the slice holding aliases of kind k.
func (p *Person) list(k Kind) *[]string {
	switch k {
	case Phone:
		return &p.Phone
	case Email:
		return &p.Email
	case CustomerID:
		return &p.CustomerID
	case SocialID:
		return &p.SocialID
	case TemporaryID:
		return &p.TemporaryID
	}
	return nil
}

// AddAlias adds a normalised alias; it reports false when the person already had it.
func (p *Person) AddAlias(a Alias) bool {
	l := p.list(a.Kind)
	if l == nil || slices.Contains(*l, a.Value) {
		return false
	}
	*l = append(*l, a.Value)
	return true
}

// RemoveAlias removes an alias of any kind; it reports whether the person had it.
func (p *Person) RemoveAlias(value string) bool {
	for _, k := range Kinds {
		l := p.list(k)
		if i := slices.Index(*l, value); i >= 0 {
			*l = slices.Delete(*l, i, i+1)
			return true
		}
	}
	return false
}

// Aliases returns every alias of the person, by kind in the order of Kinds.
func (p *Person) Aliases() []Alias {
	var out []Alias
	for _, k := range Kinds {
		for _, v := range *p.list(k) {
			out = append(out, Alias{Kind: k, Value: v})
		}
	}
	return out
}

// Clone returns a deep copy, so that a cached person is never changed in place.
func (p *Person) Clone() *Person {
	c := *p
	c.Phone = slices.Clone(p.Phone)
	c.Email = slices.Clone(p.Email)
	c.CustomerID = slices.Clone(p.CustomerID)
	c.SocialID = slices.Clone(p.SocialID)
	c.TemporaryID = slices.Clone(p.TemporaryID)
	c.Merges = slices.Clone(p.Merges)
	return &c
}

// MergedIDs returns the ids of every person merged into p, directly or through persons
// merged into them, oldest merge first. lookup resolves an id to its stored person.
func (p *Person) MergedIDs(lookup func(id string) *Person) []string {
	var out []string
	seen := map[string]bool{p.ID: true}
	var walk func(q *Person)
	walk = func(q *Person) {
		for _, m := range q.Merges {
			if seen[m.PersonID] {
				continue
			}
			seen[m.PersonID] = true
			out = append(out, m.PersonID)
			if r := lookup(m.PersonID); r != nil {
				walk(r)
			}
		}
	}
	walk(p)
	return out
}

// OnlyTemporary reports whether p owns temporaryIds and nothing else: an anonymous
// visitor, who expires unless identified (identity.temporaryHold).
func (p *Person) OnlyTemporary() bool {
	return len(p.TemporaryID) > 0 && len(p.Phone)+len(p.Email)+len(p.CustomerID)+len(p.SocialID) == 0
}
