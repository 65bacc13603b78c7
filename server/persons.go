package server

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	jsonpatch "github.com/evanphx/json-patch/v5"
	"github.com/gofiber/fiber/v2"

	"github.com/openjds/jds/internal/event"
	"github.com/openjds/jds/internal/filter"
	"github.com/openjds/jds/internal/identity"
	"github.com/openjds/jds/internal/store"
)

// personView is a person as the API shows it: alias lists by kind (never null), every
// alias flattened, times with milliseconds, and the merges it absorbed (ext).
type personView struct {
	ID          string      `json:"id"`
	FirstName   string      `json:"firstName"`
	LastName    string      `json:"lastName"`
	Phone       []string    `json:"phone"`
	Email       []string    `json:"email"`
	CustomerID  []string    `json:"customerId"`
	SocialID    []string    `json:"socialId"`
	TemporaryID []string    `json:"temporaryId"`
	Aliases     []string    `json:"aliases"`
	CreatedAt   string      `json:"createdAt"`
	UpdatedAt   string      `json:"updatedAt"`
	Merges      []mergeView `json:"merges"`

	// The person's workspace, as the live service names it on every person.
	OrganizationID string `json:"organizationId"`
	WorkspaceID    string `json:"workspaceId"`
}

type mergeView struct {
	PersonID string   `json:"personId"`
	Aliases  []string `json:"aliases"`
	At       string   `json:"at"`
}

func viewPerson(ws store.Workspace, p *identity.Person) personView {
	v := personView{
		ID: p.ID, OrganizationID: ws.Org, WorkspaceID: ws.Name, FirstName: p.FirstName, LastName: p.LastName,
		Phone: nonNil(p.Phone), Email: nonNil(p.Email), CustomerID: nonNil(p.CustomerID),
		SocialID: nonNil(p.SocialID), TemporaryID: nonNil(p.TemporaryID),
		Aliases:   []string{},
		CreatedAt: p.CreatedAt.UTC().Format(event.TimeLayout),
		UpdatedAt: p.UpdatedAt.UTC().Format(event.TimeLayout),
		Merges:    []mergeView{},
	}
	for _, a := range p.Aliases() {
		v.Aliases = append(v.Aliases, a.Value)
	}
	for _, m := range p.Merges {
		mv := mergeView{PersonID: m.PersonID, Aliases: []string{}, At: m.At.UTC().Format(event.TimeLayout)}
		for _, a := range m.Aliases {
			mv.Aliases = append(mv.Aliases, a.Value)
		}
		v.Merges = append(v.Merges, mv)
	}
	return v
}

func viewPersons(ws store.Workspace, ps []*identity.Person) []personView {
	out := make([]personView, len(ps))
	for i, p := range ps {
		out[i] = viewPerson(ws, p)
	}
	return out
}

// aliasLists is the alias part of request bodies: values by kind, as the client wrote them.
type aliasLists struct {
	Phone       []string `json:"phone"`
	Email       []string `json:"email"`
	CustomerID  []string `json:"customerId"`
	SocialID    []string `json:"socialId"`
	TemporaryID []string `json:"temporaryId"`
}

func (l aliasLists) byKind() map[identity.Kind][]string {
	return map[identity.Kind][]string{
		identity.Phone: l.Phone, identity.Email: l.Email, identity.CustomerID: l.CustomerID,
		identity.SocialID: l.SocialID, identity.TemporaryID: l.TemporaryID,
	}
}

// normalize validates and normalises every alias, naming each bad one ("email[1]: ...").
func (s *Server) normalize(l aliasLists) ([]identity.Alias, []string) {
	var out []identity.Alias
	var errs []string
	lists := l.byKind()
	for _, k := range identity.Kinds {
		for i, v := range lists[k] {
			a, err := identity.Normalize(k, v, s.limits.DefaultRegion)
			if err == nil {
				err = s.limits.Guard.Check(v)
			}
			if err != nil {
				errs = append(errs, fmt.Sprintf("%s[%d]: %v", k, i, err))
				continue
			}
			out = append(out, identity.Alias{Kind: k, Value: a})
		}
	}
	return out, errs
}

// decodeAliases reads a body that holds alias lists (lists points into body) and
// normalises them.
func (s *Server) decodeAliases(c *fiber.Ctx, body any, lists *aliasLists) ([]identity.Alias, error) {
	if err := decodeBody(c, body); err != nil {
		return nil, err
	}
	if err := s.checkAliasCount(*lists); err != nil {
		return nil, err
	}
	aliases, errs := s.normalize(*lists)
	if len(errs) > 0 {
		return nil, badRequest("invalid aliases", errs...)
	}
	return aliases, nil
}

// decodeBody reads a JSON request body into v, strictly.
func decodeBody(c *fiber.Ctx, v any) error {
	dec := json.NewDecoder(strings.NewReader(string(c.Body())))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return badRequest("the body is not valid: "+err.Error(), "body: "+err.Error())
	}
	return nil
}

func (s *Server) personRoutes() {
	const base = "/admin/v1/api/person"
	r, w := s.auth("idmt", false), s.auth("idmt", true)
	a := s.app
	a.Post(base+"/workspace-id/:ws", w, s.createPerson)
	a.Get(base+"/workspace-id/:ws", r, s.getPersons)
	a.Get(base+"/workspace-id/:ws/aliases/:aliases", r, s.findPersons)
	a.Patch(base+"/workspace-id/:ws/person-id/:pid", w, s.patchPerson)
	a.Delete(base+"/workspace-id/:ws/person-id/:pid", w, s.erasePerson)
	a.Patch(base+"/add-identities/workspace-id/:ws/person-id/:pid", w, s.addIdentities)
	a.Patch(base+"/remove-identities/workspace-id/:ws/person-id/:pid", w, s.removeIdentities)
	a.Post(base+"/merge/workspace-id/:ws/primary-person-id/:pid", w, s.mergePersons)
	a.Post(base+"/merge-identities/workspace-id/:ws", w, s.identify)
	a.Post(base+"/unmerge/workspace-id/:ws/person-id/:pid", w, s.unmerge)
	a.Get(base+"/export/workspace-id/:ws/person-id/:pid", r, s.export)
}

func (s *Server) sendPerson(c *fiber.Ctx, status int, ws store.Workspace, p *identity.Person) error {
	return c.Status(status).JSON(envelope{Meta: meta(ws), Data: viewPerson(ws, p)})
}

func (s *Server) createPerson(c *fiber.Ctx) error {
	ws, err := s.workspace(c)
	if err != nil {
		return err
	}
	var body struct {
		FirstName string `json:"firstName"`
		LastName  string `json:"lastName"`
		aliasLists
	}
	aliases, err := s.decodeAliases(c, &body, &body.aliasLists)
	if err != nil {
		return err
	}
	ctx, cancel := s.requestContext()
	defer cancel()
	p, err := s.store.CreatePerson(ctx, ws, body.FirstName, body.LastName, aliases)
	if err != nil {
		return err
	}
	return s.sendPerson(c, http.StatusCreated, ws, p)
}

func (s *Server) getPersons(c *fiber.Ctx) error {
	ws, err := s.workspace(c)
	if err != nil {
		return err
	}
	ctx, cancel := s.requestContext()
	defer cancel()
	if id := c.Query("personId"); id != "" {
		p, err := s.store.Person(ctx, ws, strings.Clone(id))
		if err != nil {
			return err
		}
		return s.sendPerson(c, http.StatusOK, ws, p)
	}
	page, size, err := paging(c)
	if err != nil {
		return err
	}
	q, err := parsePersonQuery(c)
	if err != nil {
		return err
	}
	m := meta(ws)
	if q.filter == nil && q.sortBy == "" {
		ps, err := s.store.Persons(ctx, ws, page*size, size)
		if err != nil {
			return err
		}
		m["page"], m["pageSize"], m["resultCount"] = page, size, len(ps)
		return c.JSON(envelope{Meta: m, Data: viewPersons(ws, ps)})
	}
	// Filtered or sorted: the whole workspace is read, so it is bounded.
	ps, err := s.store.Persons(ctx, ws, 0, maxScanPersons+1)
	if err != nil {
		return err
	}
	if len(ps) > maxScanPersons {
		return badRequest(fmt.Sprintf("filter and sortBy read every person, and the workspace has more than %d: page without them, or look persons up by alias", maxScanPersons),
			fmt.Sprintf("%s: not available in a workspace of more than %d persons", firstGiven(c, "filter", "sortBy"), maxScanPersons))
	}
	all, err := q.apply(viewPersons(ws, ps))
	if err != nil {
		return err
	}
	out := pageOf(all, page, size)
	m["page"], m["pageSize"], m["resultCount"], m["total"] = page, size, len(out), len(all)
	return c.JSON(envelope{Meta: m, Data: out})
}

// maxScanPersons bounds the reads that take every person of a workspace: a person
// list filtered or sorted, and the workspace's tape.
const maxScanPersons = 10_000

// personSortFields are what a person list may be sorted by.
var personSortFields = []string{"id", "firstName", "lastName", "createdAt", "updatedAt"}

// personQuery is what a person list asks for besides its page: filter (RSQL or OData
// over the person's fields, names in any letter case), sortBy and sort.
type personQuery struct {
	filter *filter.Filter
	sortBy string // one of personSortFields, "" for id order
	desc   bool
}

func parsePersonQuery(c *fiber.Ctx) (personQuery, error) {
	var q personQuery
	var errs []string
	var err error
	if q.filter, err = compileFilter("filter", c.Query("filter")); err != nil {
		errs = append(errs, err.Error())
	}
	if v := c.Query("sortBy"); v != "" {
		i := slices.IndexFunc(personSortFields, func(f string) bool { return strings.EqualFold(f, v) })
		if i < 0 {
			errs = append(errs, fmt.Sprintf("sortBy: must be one of %s, got %.64q", strings.Join(personSortFields, ", "), v))
		} else {
			q.sortBy = personSortFields[i]
		}
	}
	switch v := strings.ToLower(c.Query("sort")); v {
	case "", "asc":
	case "desc":
		q.desc = true
	default:
		errs = append(errs, fmt.Sprintf("sort: must be asc or desc, got %.64q", c.Query("sort")))
	}
	if q.desc && q.sortBy == "" {
		q.sortBy = "id"
	}
	if len(errs) > 0 {
		return q, badRequest(strings.Join(errs, "; "), errs...)
	}
	return q, nil
}

// apply filters and sorts persons (given in id order); the sort is stable.
func (q personQuery) apply(vs []personView) ([]personView, error) {
	type row struct {
		v    personView
		m    map[string]any
		sort string
	}
	rows := make([]row, 0, len(vs))
	for _, v := range vs {
		raw, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			return nil, err
		}
		if !q.filter.Match(foldedFields(m)) {
			continue
		}
		key, _ := m[q.sortBy].(string)
		rows = append(rows, row{v: v, m: m, sort: key})
	}
	if q.sortBy != "" {
		slices.SortStableFunc(rows, func(a, b row) int {
			if q.desc {
				return strings.Compare(b.sort, a.sort)
			}
			return strings.Compare(a.sort, b.sort)
		})
	}
	out := make([]personView, len(rows))
	for i, r := range rows {
		out[i] = r.v
	}
	return out, nil
}

// foldedFields serves an object's members to a filter by name, in any letter case
// (firstname, FirstName), the exact spelling first.
func foldedFields(m map[string]any) filter.Getter {
	return func(name string) (any, bool) {
		if v, ok := m[name]; ok {
			return v, true
		}
		for k, v := range m {
			if strings.EqualFold(k, name) {
				return v, true
			}
		}
		return nil, false
	}
}

// pageOf returns page (0-based) of size items of all, never nil.
func pageOf[T any](all []T, page, size int) []T {
	start := min(page*size, len(all))
	return append(make([]T, 0, min(size, len(all)-start)), all[start:min(start+size, len(all))]...)
}

// paging reads page (0-based) and pageSize (1 to 1000, default 50).
func paging(c *fiber.Ctx) (page, size int, err error) {
	size = defaultPageSize
	var errs []string
	if v := c.Query("pageSize"); v != "" {
		if size, err = strconv.Atoi(v); err != nil || size < 1 || size > maxPageSize {
			errs = append(errs, fmt.Sprintf("pageSize: must be an integer from 1 to %d, got %q", maxPageSize, v))
		}
	}
	if v := c.Query("page"); v != "" {
		if page, err = strconv.Atoi(v); err != nil || page < 0 || page > 1_000_000 {
			errs = append(errs, fmt.Sprintf("page: must be an integer from 0, got %q", v))
		} else if page*size > maxSkip {
			errs = append(errs, skipTooFar(page, size))
		}
	}
	if len(errs) > 0 {
		return 0, 0, badRequest(strings.Join(errs, "; "), errs...)
	}
	return page, size, nil
}

func (s *Server) findPersons(c *fiber.Ctx) error {
	ws, err := s.workspace(c)
	if err != nil {
		return err
	}
	var idents []string
	for _, a := range strings.Split(c.Params("aliases"), ",") {
		if a = strings.TrimSpace(a); a != "" {
			idents = append(idents, strings.Clone(a))
		}
	}
	if len(idents) > maxAliasLookups {
		return tooMany("aliases", len(idents), maxAliasLookups)
	}
	ctx, cancel := s.requestContext()
	defer cancel()
	ps, err := s.store.Find(ctx, ws, idents)
	if err != nil {
		return err
	}
	if len(ps) == 0 {
		return newError(http.StatusNotFound, "no person owns any of these aliases", "aliases: not found")
	}
	return c.JSON(envelope{Meta: meta(ws), Data: viewPersons(ws, ps)})
}

// patchable is the part of a person a JSON Patch may touch.
type patchable struct {
	FirstName string `json:"firstName"`
	LastName  string `json:"lastName"`
	aliasLists
}

var patchablePaths = []string{"/firstName", "/lastName", "/phone", "/email", "/customerId", "/socialId", "/temporaryId"}

// patchPerson applies an RFC 6902 JSON Patch to names and alias lists.
func (s *Server) patchPerson(c *fiber.Ctx) error {
	ws, err := s.workspace(c)
	if err != nil {
		return err
	}
	patch, err := jsonpatch.DecodePatch(c.Body())
	if err != nil {
		return badRequest("the body is not a JSON Patch: "+err.Error(), "body: "+err.Error())
	}
	if len(patch) > maxPatchOps {
		return tooMany("body", len(patch), maxPatchOps)
	}
	// The patch is applied in the committer: the aliases its values write are counted
	// here, so that one operation replacing /phone with a huge list is refused first.
	written := 0
	for _, op := range patch {
		if p, _ := op.Path(); p == "/firstName" || p == "/lastName" {
			continue
		}
		switch v, _ := op.ValueInterface(); v := v.(type) {
		case nil:
		case []any:
			written += len(v)
		default:
			written++
		}
	}
	if written > s.maxAliases() {
		return badRequest(fmt.Sprintf("the patch writes %d aliases, at most %d (identity.maxAliasesPerPerson)", written, s.maxAliases()),
			fmt.Sprintf("body: %d aliases written, at most %d", written, s.maxAliases()))
	}
	var errs []string
	for i, op := range patch {
		for _, key := range []string{"path", "from"} {
			p, err := op.Path()
			if key == "from" {
				if p, err = op.From(); err != nil {
					continue // only move and copy have one
				}
			}
			if err != nil || !allowedPath(p) {
				errs = append(errs, fmt.Sprintf("[%d].%s: %q may not be changed; allowed: %s", i, key, p, strings.Join(patchablePaths, ", ")))
			}
		}
	}
	if len(errs) > 0 {
		return badRequest("the patch touches fields that may not be changed", errs...)
	}
	ctx, cancel := s.requestContext()
	defer cancel()
	p, err := s.store.UpdatePerson(ctx, ws, strings.Clone(c.Params("pid")), func(p *identity.Person) error {
		doc, _ := json.Marshal(patchable{FirstName: p.FirstName, LastName: p.LastName, aliasLists: aliasLists{
			Phone: nonNil(p.Phone), Email: nonNil(p.Email), CustomerID: nonNil(p.CustomerID),
			SocialID: nonNil(p.SocialID), TemporaryID: nonNil(p.TemporaryID),
		}})
		out, err := patch.Apply(doc)
		if err != nil {
			return badRequest("the patch does not apply: "+err.Error(), "body: "+err.Error())
		}
		var next patchable
		if err := json.Unmarshal(out, &next); err != nil {
			return badRequest("the patched person is not valid: "+err.Error(), "body: "+err.Error())
		}
		aliases, errs := s.normalize(next.aliasLists)
		if len(errs) > 0 {
			return badRequest("invalid aliases", errs...)
		}
		p.FirstName, p.LastName = next.FirstName, next.LastName
		for _, a := range p.Aliases() {
			p.RemoveAlias(a.Value)
		}
		for _, a := range aliases {
			p.AddAlias(a)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return s.sendPerson(c, http.StatusOK, ws, p)
}

func allowedPath(p string) bool {
	for _, a := range patchablePaths {
		if p == a || strings.HasPrefix(p, a+"/") && a != "/firstName" && a != "/lastName" {
			return true
		}
	}
	return false
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func (s *Server) addIdentities(c *fiber.Ctx) error {
	ws, err := s.workspace(c)
	if err != nil {
		return err
	}
	var body aliasLists
	aliases, err := s.decodeAliases(c, &body, &body)
	if err != nil {
		return err
	}
	ctx, cancel := s.requestContext()
	defer cancel()
	p, err := s.store.UpdatePerson(ctx, ws, strings.Clone(c.Params("pid")), func(p *identity.Person) error {
		for _, a := range aliases {
			p.AddAlias(a)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return s.sendPerson(c, http.StatusOK, ws, p)
}

// removeIdentities takes a JSON array of alias values, written in any notation.
func (s *Server) removeIdentities(c *fiber.Ctx) error {
	ws, err := s.workspace(c)
	if err != nil {
		return err
	}
	var values []string
	if err := decodeBody(c, &values); err != nil {
		return err
	}
	if len(values) > s.maxAliases() {
		return tooMany("body", len(values), s.maxAliases())
	}
	ctx, cancel := s.requestContext()
	defer cancel()
	var missing []string
	p, err := s.store.UpdatePerson(ctx, ws, strings.Clone(c.Params("pid")), func(p *identity.Person) error {
		missing = missing[:0]
		for i, v := range values {
			removed := false
			for _, cand := range identity.Candidates(v, s.limits.DefaultRegion) {
				if p.RemoveAlias(cand) {
					removed = true
					break
				}
			}
			if !removed {
				missing = append(missing, fmt.Sprintf("[%d]: the person has no alias %q", i, v))
			}
		}
		if len(missing) > 0 {
			return badRequest("some aliases are not the person's", missing...)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return s.sendPerson(c, http.StatusOK, ws, p)
}

func (s *Server) mergePersons(c *fiber.Ctx) error {
	ws, err := s.workspace(c)
	if err != nil {
		return err
	}
	var body struct {
		PersonIDsToMerge []string `json:"personIdsToMerge"`
	}
	if err := decodeBody(c, &body); err != nil {
		return err
	}
	if len(body.PersonIDsToMerge) == 0 {
		return badRequest("personIdsToMerge is empty", "personIdsToMerge: required, at least one person id")
	}
	if len(body.PersonIDsToMerge) > maxMergePersons {
		return tooMany("personIdsToMerge", len(body.PersonIDsToMerge), maxMergePersons)
	}
	ctx, cancel := s.requestContext()
	defer cancel()
	p, err := s.store.Merge(ctx, ws, strings.Clone(c.Params("pid")), body.PersonIDsToMerge)
	if err != nil {
		return err
	}
	return s.sendPerson(c, http.StatusAccepted, ws, p)
}

// identify is merge-identities: create, update and merge in one call.
func (s *Server) identify(c *fiber.Ctx) error {
	ws, err := s.workspace(c)
	if err != nil {
		return err
	}
	var body struct {
		Override  bool   `json:"override"`
		FirstName string `json:"firstName"`
		LastName  string `json:"lastName"`
		aliasLists
	}
	aliases, err := s.decodeAliases(c, &body, &body.aliasLists)
	if err != nil {
		return err
	}
	if len(aliases) == 0 {
		return badRequest("no alias given", "aliases: at least one of phone, email, customerId, socialId, temporaryId")
	}
	ctx, cancel := s.requestContext()
	defer cancel()
	p, created, err := s.store.Identify(ctx, ws, identity.IdentifyRequest{
		FirstName: body.FirstName, LastName: body.LastName, Aliases: aliases, Override: body.Override,
	})
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	return s.sendPerson(c, status, ws, p)
}

func (s *Server) unmerge(c *fiber.Ctx) error {
	ws, err := s.workspace(c)
	if err != nil {
		return err
	}
	ctx, cancel := s.requestContext()
	defer cancel()
	restored, survivor, err := s.store.Unmerge(ctx, ws, strings.Clone(c.Params("pid")))
	if err != nil {
		return err
	}
	m := meta(ws)
	m["restoredPersonId"] = restored.ID
	return c.JSON(envelope{Meta: m, Data: fiber.Map{"person": viewPerson(ws, survivor), "restored": viewPerson(ws, restored)}})
}

// erasePerson removes a person and everything derived from it; meta.removed counts it.
func (s *Server) erasePerson(c *fiber.Ctx) error {
	ws, err := s.workspace(c)
	if err != nil {
		return err
	}
	ctx, cancel := s.requestContext()
	defer cancel()
	out, err := s.store.Erase(ctx, ws, strings.Clone(c.Params("pid")))
	if err != nil {
		return err
	}
	m := meta(ws)
	m["removed"] = fiber.Map{"persons": out.Persons, "aliases": out.Aliases, "events": out.Events}
	return c.JSON(envelope{Meta: m, Data: viewPerson(ws, out.Person)})
}

// export streams a person's data as NDJSON: one {"type": ..., "data": ...} per line.
func (s *Server) export(c *fiber.Ctx) error {
	ws, err := s.workspace(c)
	if err != nil {
		return err
	}
	id := strings.Clone(c.Params("pid"))
	ctx, cancel := s.requestContext()
	p, err := s.store.Person(ctx, ws, id)
	cancel()
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/x-ndjson")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="person-%s.ndjson"`, p.ID))
	rid := requestID(c)
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		line := func(kind string, data any) error {
			b, err := json.Marshal(struct {
				Type string `json:"type"`
				Data any    `json:"data"`
			}{kind, data})
			if err != nil {
				return err
			}
			w.Write(b)
			return w.WriteByte('\n')
		}
		err := s.store.Export(s.ctx, ws, p.ID,
			func(p *identity.Person) error {
				if err := line("person", viewPerson(ws, p)); err != nil {
					return err
				}
				for _, a := range p.Aliases() {
					if err := line("alias", fiber.Map{"kind": a.Kind.String(), "value": a.Value}); err != nil {
						return err
					}
				}
				return nil
			},
			func(raw []byte) error { return line("event", json.RawMessage(raw)) })
		if err == nil {
			err = w.Flush()
		}
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			s.log.Error("export interrupted", "request_id", rid, "person", p.ID, "err", err)
		}
	})
	return nil
}
