package server_test

import (
	"context"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/openjds/jds/config"
	"github.com/openjds/jds/internal/jdstest"
	"github.com/openjds/jds/internal/sas"
	"github.com/openjds/jds/server"
)

// scope is what a route requires of a token.
type scope struct {
	kind    scopeKind
	service string // the service a workspace route needs
	write   bool
	// fixed: the workspace is the configuration's (an inbound webhook's), not the
	// token's organization's: another organization's token is refused.
	fixed bool
}

type scopeKind int

const (
	public    scopeKind = iota // no token (health, metrics, static files, webhook HEADs)
	workspace                  // the service (or admin) on the workspace addressed
	instance                   // an instance admin: admin, sn=*, organization in config admins
	// organization: the admin of the token's organization (ss=admin); a token of one
	// workspace reads only that one, and writing needs sn=*.
	organization
)

func needs(service string, write bool) scope {
	return scope{kind: workspace, service: service, write: write}
}
func instanceWide(write bool) scope { return scope{kind: instance, write: write} }
func orgWide(write bool) scope      { return scope{kind: organization, write: write} }

// auditedRoutes is every route the server registers ("METHOD pattern"), with a path
// that reaches it and what it requires. TestEveryRouteChecksItsScope fails when a route
// is registered but missing here, or listed here but no longer registered. A GET's
// implicit HEAD goes through the same handlers and is tested without a token.
var auditedRoutes = map[string]struct {
	path  string
	scope scope
}{
	"GET /livez":                        {"/livez", scope{}},
	"GET /readyz":                       {"/readyz", scope{}},
	"GET /metrics":                      {"/metrics", scope{}},
	"GET /widget/customer-journey.js":   {"/widget/customer-journey.js", scope{}},
	"GET /":                             {"/", scope{}},
	"GET /console":                      {"/console", scope{}},
	"GET /console/*":                    {"/console/index.html", scope{}},
	"HEAD /v1/flows/:name":              {"/v1/flows/nope", scope{}},
	"HEAD /v1/connectors/:name/webhook": {"/v1/connectors/trusted/webhook", scope{}},

	"POST /publish/v1/api/event":  {"/publish/v1/api/event?workspaceId=" + ws, needs("ds", true)},
	"POST /publish/v1/api/events": {"/publish/v1/api/events?workspaceId=" + ws, needs("ds", true)},
	"POST /v1/journey/events":     {"/v1/journey/events?workspaceId=" + ws, needs("ds", true)},
	// Scheme sas: a jds token with ds write on the webhook's workspace.
	"POST /v1/connectors/:name/webhook": {"/v1/connectors/trusted/webhook", scope{kind: workspace, service: "ds", write: true, fixed: true}},

	"GET /v1/api/events/workspace-id/:ws":                           {"/v1/api/events/workspace-id/" + ws + "?identity=x", needs("tape", false)},
	"GET /v1/journey/streams/historic/:identity":                    {"/v1/journey/streams/historic/x?workspaceId=" + ws, needs("tape", false)},
	"GET /v1/journey/events":                                        {"/v1/journey/events?workspaceId=" + ws, needs("tape", false)},
	"GET /v1/journey/events/:identity":                              {"/v1/journey/events/x?workspaceId=" + ws, needs("tape", false)},
	"GET /v1/api/events/stream/workspace-id/:ws/identity/:identity": {"/v1/api/events/stream/workspace-id/" + ws + "/identity/x", needs("stream", false)},
	"GET /v1/journey/streams/:identity":                             {"/v1/journey/streams/x?workspaceId=" + ws, needs("stream", false)},

	"POST /admin/v1/api/person/workspace-id/:ws":                                   {"/admin/v1/api/person/workspace-id/" + ws, needs("idmt", true)},
	"GET /admin/v1/api/person/workspace-id/:ws":                                    {"/admin/v1/api/person/workspace-id/" + ws, needs("idmt", false)},
	"GET /admin/v1/api/person/workspace-id/:ws/aliases/:aliases":                   {"/admin/v1/api/person/workspace-id/" + ws + "/aliases/x", needs("idmt", false)},
	"PATCH /admin/v1/api/person/workspace-id/:ws/person-id/:pid":                   {"/admin/v1/api/person/workspace-id/" + ws + "/person-id/nobody", needs("idmt", true)},
	"DELETE /admin/v1/api/person/workspace-id/:ws/person-id/:pid":                  {"/admin/v1/api/person/workspace-id/" + ws + "/person-id/nobody", needs("idmt", true)},
	"PATCH /admin/v1/api/person/add-identities/workspace-id/:ws/person-id/:pid":    {"/admin/v1/api/person/add-identities/workspace-id/" + ws + "/person-id/nobody", needs("idmt", true)},
	"PATCH /admin/v1/api/person/remove-identities/workspace-id/:ws/person-id/:pid": {"/admin/v1/api/person/remove-identities/workspace-id/" + ws + "/person-id/nobody", needs("idmt", true)},
	"GET /admin/v1/api/policies/workspace-id/:ws":                                  {"/admin/v1/api/policies/workspace-id/" + ws, needs("action", false)},
	"PUT /admin/v1/api/policies/workspace-id/:ws":                                  {"/admin/v1/api/policies/workspace-id/" + ws, needs("action", true)},
	"POST /admin/v1/api/person/merge/workspace-id/:ws/primary-person-id/:pid":      {"/admin/v1/api/person/merge/workspace-id/" + ws + "/primary-person-id/nobody", needs("idmt", true)},
	"POST /admin/v1/api/person/merge-identities/workspace-id/:ws":                  {"/admin/v1/api/person/merge-identities/workspace-id/" + ws, needs("idmt", true)},
	"POST /admin/v1/api/person/unmerge/workspace-id/:ws/person-id/:pid":            {"/admin/v1/api/person/unmerge/workspace-id/" + ws + "/person-id/nobody", needs("idmt", true)},
	"GET /admin/v1/api/person/export/workspace-id/:ws/person-id/:pid":              {"/admin/v1/api/person/export/workspace-id/" + ws + "/person-id/nobody", needs("idmt", false)},

	"GET /admin/v1/api/profile-view-template/workspace-id/:ws":                     {tplPath, needs("profile", false)},
	"POST /admin/v1/api/profile-view-template/workspace-id/:ws":                    {tplPath, needs("profile", true)},
	"GET /admin/v1/api/profile-view-template/workspace-id/:ws/template-id/:tid":    {tplPath + "/template-id/nope", needs("profile", false)},
	"PUT /admin/v1/api/profile-view-template/workspace-id/:ws/template-id/:tid":    {tplPath + "/template-id/nope", needs("profile", true)},
	"DELETE /admin/v1/api/profile-view-template/workspace-id/:ws/template-id/:tid": {tplPath + "/template-id/nope", needs("profile", true)},
	"GET /admin/v1/api/profile-view-template/workspace-id/:ws/template-name/:name": {tplPath + "/template-name/nope", needs("profile", false)},
	// Versions of API definitions.
	"GET /admin/v1/api/profile-view-template/workspace-id/:ws/template-id/:tid/versions":                       {tplPath + "/template-id/nope/versions", needs("profile", false)},
	"GET /admin/v1/api/profile-view-template/workspace-id/:ws/template-id/:tid/versions/:n":                    {tplPath + "/template-id/nope/versions/1", needs("profile", false)},
	"GET /admin/v1/api/profile-view-template/workspace-id/:ws/template-id/:tid/versions/:a/diff/:b":            {tplPath + "/template-id/nope/versions/1/diff/2", needs("profile", false)},
	"POST /admin/v1/api/profile-view-template/workspace-id/:ws/template-id/:tid/versions/:n/rollback":          {tplPath + "/template-id/nope/versions/1/rollback", needs("profile", true)},
	"GET /admin/v1/api/journey-actions/workspace-id/:ws/template-id/:tid/action-id/:aid/versions":              {actPath + "/template-id/nope/action-id/nope/versions", needs("action", false)},
	"GET /admin/v1/api/journey-actions/workspace-id/:ws/template-id/:tid/action-id/:aid/versions/:n":           {actPath + "/template-id/nope/action-id/nope/versions/1", needs("action", false)},
	"GET /admin/v1/api/journey-actions/workspace-id/:ws/template-id/:tid/action-id/:aid/versions/:a/diff/:b":   {actPath + "/template-id/nope/action-id/nope/versions/1/diff/2", needs("action", false)},
	"POST /admin/v1/api/journey-actions/workspace-id/:ws/template-id/:tid/action-id/:aid/versions/:n/rollback": {actPath + "/template-id/nope/action-id/nope/versions/1/rollback", needs("action", true)},
	"GET /v1/api/progressive-profile-view/workspace-id/:ws/identity/:identity/template-name/:name":             {viewPath + "/identity/x/template-name/nope", needs("profile", false)},
	"GET /v1/api/progressive-profile-view/workspace-id/:ws/identity/:identity/template-id/:tid":                {viewPath + "/identity/x/template-id/nope", needs("profile", false)},
	"GET /v1/api/progressive-profile-view/workspace-id/:ws/person-id/:pid/template-name/:name":                 {viewPath + "/person-id/nobody/template-name/nope", needs("profile", false)},
	"GET /v1/api/progressive-profile-view/workspace-id/:ws/person-id/:pid/template-id/:tid":                    {viewPath + "/person-id/nobody/template-id/nope", needs("profile", false)},
	"GET /v1/api/progressive-profile-view/stream/workspace-id/:ws/identity/:identity/template-name/:name":      {"/v1/api/progressive-profile-view/stream/workspace-id/" + ws + "/identity/x/template-name/nope", needs("profile", false)},
	"GET /v1/api/progressive-profile-view/stream/workspace-id/:ws/identity/:identity/template-id/:tid":         {"/v1/api/progressive-profile-view/stream/workspace-id/" + ws + "/identity/x/template-id/nope", needs("profile", false)},

	"GET /admin/v1/api/journey-actions/workspace-id/:ws":                                    {actPath, needs("action", false)},
	"GET /admin/v1/api/journey-actions/workspace-id/:ws/history":                            {actPath + "/history", needs("action", false)},
	"GET /admin/v1/api/journey-actions/workspace-id/:ws/dead-letters":                       {actPath + "/dead-letters", needs("action", false)},
	"GET /admin/v1/api/journey-actions/workspace-id/:ws/shadow":                             {actPath + "/shadow", needs("action", false)},
	"POST /admin/v1/api/journey-actions/workspace-id/:ws/dead-letters/:did/retry":           {actPath + "/dead-letters/nope/retry?personId=nobody", needs("action", true)},
	"DELETE /admin/v1/api/journey-actions/workspace-id/:ws/dead-letters/:did":               {actPath + "/dead-letters/nope?personId=nobody", needs("action", true)},
	"GET /admin/v1/api/journey-actions/workspace-id/:ws/template-id/:tid":                   {actPath + "/template-id/nope", needs("action", false)},
	"POST /admin/v1/api/journey-actions/workspace-id/:ws/template-id/:tid":                  {actPath + "/template-id/nope", needs("action", true)},
	"GET /admin/v1/api/journey-actions/workspace-id/:ws/template-id/:tid/action-name/:name": {actPath + "/template-id/nope/action-name/nope", needs("action", false)},
	"GET /admin/v1/api/journey-actions/workspace-id/:ws/template-id/:tid/action-id/:aid":    {actPath + "/template-id/nope/action-id/nope", needs("action", false)},
	"PUT /admin/v1/api/journey-actions/workspace-id/:ws/template-id/:tid/action-id/:aid":    {actPath + "/template-id/nope/action-id/nope", needs("action", true)},
	"DELETE /admin/v1/api/journey-actions/workspace-id/:ws/template-id/:tid/action-id/:aid": {actPath + "/template-id/nope/action-id/nope", needs("action", true)},
	// Issue 21: backtests and explanations.
	"POST /admin/v1/api/journey-actions/backtest/workspace-id/:ws":                               {"/admin/v1/api/journey-actions/backtest/workspace-id/" + ws, needs("action", true)},
	"GET /admin/v1/api/journey-actions/workspace-id/:ws/template-id/:tid/action-id/:aid/explain": {actPath + "/template-id/nope/action-id/nope/explain?identity=x", needs("action", false)},

	"POST /v1/flows/:name":                     {"/v1/flows/nope?workspaceId=" + ws, needs("flow", false)},
	"GET /v1/flows/:name":                      {"/v1/flows/nope?workspaceId=" + ws, needs("flow", false)},
	"GET /admin/v1/api/flows/workspace-id/:ws": {"/admin/v1/api/flows/workspace-id/" + ws, needs("flow", false)},

	"POST /admin/v1/api/rules/reload":   {"/admin/v1/api/rules/reload", instanceWide(true)},
	"GET /admin/v1/api/rules":           {"/admin/v1/api/rules", instanceWide(false)},
	"GET /admin/v1/api/flows":           {"/admin/v1/api/flows", instanceWide(false)},
	"POST /admin/v1/api/flows/reload":   {"/admin/v1/api/flows/reload", instanceWide(true)},
	"GET /admin/v1/api/jobs":            {"/admin/v1/api/jobs", instanceWide(false)},
	"GET /admin/v1/api/jobs/:name":      {"/admin/v1/api/jobs/retention", instanceWide(false)},
	"POST /admin/v1/api/jobs/:name/run": {"/admin/v1/api/jobs/retention/run", instanceWide(true)},
	"GET /admin/v1/api/backup":          {"/admin/v1/api/backup", instanceWide(false)},

	"GET /admin/v1/api/workspace":                             {"/admin/v1/api/workspace", orgWide(false)},
	"POST /admin/v1/api/workspace":                            {"/admin/v1/api/workspace", orgWide(true)},
	"GET /admin/v1/api/workspace/workspace-id/:ws":            {wsAdminPath, needs("admin", false)},
	"PUT /admin/v1/api/workspace/workspace-id/:ws":            {wsAdminPath, needs("admin", true)},
	"DELETE /admin/v1/api/workspace/workspace-id/:ws":         {wsAdminPath, needs("admin", true)},
	"GET /admin/v1/api/wxcc-subscription/workspace-id/:ws":    {subPath, needs("admin", false)},
	"POST /admin/v1/api/wxcc-subscription/workspace-id/:ws":   {subPath, needs("admin", true)},
	"DELETE /admin/v1/api/wxcc-subscription/workspace-id/:ws": {subPath, needs("admin", true)},
	"POST /admin/v1/api/person/bulk/workspace-id/:ws":         {"/admin/v1/api/person/bulk/workspace-id/" + ws, needs("idmt", true)},
	"GET /admin/v1/api/export/workspace-id/:ws":               {"/admin/v1/api/export/workspace-id/" + ws, needs("admin", false)},
}

const (
	tplPath  = "/admin/v1/api/profile-view-template/workspace-id/" + ws
	viewPath = "/v1/api/progressive-profile-view/workspace-id/" + ws
	actPath  = "/admin/v1/api/journey-actions/workspace-id/" + ws

	wsAdminPath = "/admin/v1/api/workspace/workspace-id/" + ws
	subPath     = "/admin/v1/api/wxcc-subscription/workspace-id/" + ws
)

// Every route × every kind of token: 401 for no token, an expired one or a forged one;
// 403 for another organization's admin, another workspace, another service, read-only
// where writing is needed, and a tenant's admin on an instance-wide route; through
// (any answer but 401 and 403) for what the route requires.
func TestEveryRouteChecksItsScope(t *testing.T) {
	const acme, acmeSecret = "acme", "acme-secret-16-bytes"
	e := start(t, func(c *config.Config) {
		inboundConfig(t)(c)
		c.Keys = append(c.Keys, config.Key{Name: "k", Organization: acme, Secret: acmeSecret})
	})

	// Every registered route is in the table, and every route of the table registered.
	registered := map[string]bool{}
	for _, r := range server.RoutesOf(server.Options{Config: e.Config}) {
		registered[r.Method+" "+r.Path] = true
	}
	for route := range registered {
		method, path, _ := strings.Cut(route, " ")
		if _, ok := auditedRoutes[route]; !ok && !(method == http.MethodHead && registered["GET "+path]) {
			t.Errorf("route %s is not in the audit table: add it with the scope it needs", route)
		}
	}
	for route := range auditedRoutes {
		if !registered[route] {
			t.Errorf("route %s is in the audit table but not registered", route)
		}
	}

	hour := time.Hour
	sign := func(org, key, secret, sn, service, perm string, life time.Duration) string {
		return sas.Sign(org, sn, service, perm, time.Now().Add(life), key, []byte(secret))
	}
	tok := func(service, perm, sn string) string {
		return sign(jdstest.Org, jdstest.KeyName, jdstest.Secret, sn, service, perm, hour)
	}
	const through, unauthorized, forbidden = 0, 401, 403
	// otherOrg: 403 on instance-wide routes; elsewhere through, to that organization's
	// own workspace, with nothing of this organization in the answer.
	const otherOrg = -1
	type variant struct {
		name  string
		token string
		want  int
	}
	variants := func(sc scope) []variant {
		if sc.kind == public {
			return []variant{{"no token", "", through}, {"forged", tok("admin", "rw", "*") + "x", through}}
		}
		vs := []variant{
			{"no token", "", unauthorized},
			{"expired", tok("admin", "rw", "*")[:0] + sign(jdstest.Org, jdstest.KeyName, jdstest.Secret, "*", "admin", "rw", -hour), unauthorized},
			{"wrong signature", sign(jdstest.Org, jdstest.KeyName, "not-the-secret-16-bytes", "*", "admin", "rw", hour), unauthorized},
			// Naming this organization: 403. Without organizationId, the token addresses
			// its own organization's workspace of that name (checked below: nothing of
			// this organization comes back).
			{"another organization's admin, organizationId=" + jdstest.Org, sign(acme, "k", acmeSecret, "*", "admin", "rw", hour), forbidden},
			{"another organization's admin", sign(acme, "k", acmeSecret, "*", "admin", "rw", hour), otherOrg},
			{"instance admin", tok("admin", "rw", "*"), through},
		}
		read := through
		if sc.write {
			read = forbidden
		}
		if sc.kind == instance {
			return append(vs,
				variant{"admin of one workspace", tok("admin", "rw", ws), forbidden},
				variant{"admin of another workspace", tok("admin", "rw", "elsewhere"), forbidden},
				variant{"another service, every workspace", tok("profile", "rw", "*"), forbidden},
				variant{"read-only instance admin", tok("admin", "r", "*"), read})
		}
		if sc.kind == organization {
			return append(vs,
				variant{"admin of one workspace", tok("admin", "rw", ws), read},
				variant{"another service, every workspace", tok("profile", "rw", "*"), forbidden},
				variant{"read-only admin", tok("admin", "r", "*"), read})
		}
		other := "tape"
		if sc.service == other {
			other = "stream"
		}
		perm := "r"
		if sc.write {
			perm = "w"
		}
		return append(vs,
			variant{"the route's service", tok(sc.service, perm, ws), through},
			variant{"admin of the workspace", tok("admin", "rw", ws), through},
			variant{"same organization, another workspace", tok(sc.service, "rw", "elsewhere"), forbidden},
			variant{"right workspace, another service", tok(other, "rw", ws), forbidden},
			variant{"read-only", tok(sc.service, "r", ws), read})
	}

	for route, r := range auditedRoutes {
		method, _, _ := strings.Cut(route, " ")
		for _, v := range variants(r.scope) {
			path := r.path
			if strings.Contains(v.name, "organizationId=") {
				path += map[bool]string{true: "&", false: "?"}[strings.Contains(path, "?")] + "organizationId=" + jdstest.Org
			}
			if v.want == otherOrg {
				v.want = through
				if r.scope.kind == instance || r.scope.fixed {
					v.want = forbidden
				}
			}
			status, body := call(t, e.URL, method, path, v.token)
			if strings.HasPrefix(v.name, "another organization") && strings.Contains(body, `"`+jdstest.Org+`"`) {
				t.Errorf("%s with %s answered with this organization's data: %s", route, v.name, body)
			}
			switch ok := status == v.want; {
			case v.want == through:
				ok = status != 401 && status != 403 && status < 500 && !strings.Contains(body, "no route for")
				if !ok {
					t.Errorf("%s with %s = %d %s, want it through", route, v.name, status, body)
				}
			case !ok:
				t.Errorf("%s with %s = %d %s, want %d", route, v.name, status, body, v.want)
			}
		}
		if _, explicit := auditedRoutes["HEAD "+strings.TrimPrefix(route, "GET ")]; method == http.MethodGet && !explicit { // its HEAD, without a token
			want := unauthorized
			if r.scope.kind == public {
				want = through
			}
			if status, _ := call(t, e.URL, http.MethodHead, r.path, ""); want == unauthorized && status != 401 || want == through && (status == 401 || status == 403) {
				t.Errorf("HEAD of %s without a token = %d, want %d", route, status, want)
			}
		}
	}
}

// call sends one request with an empty JSON object as its body (for the methods that
// take one) and returns the status and the start of the body; a live stream is closed
// as soon as its headers arrive.
func call(t *testing.T, base, method, path, token string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var body io.Reader
	if slices.Contains([]string{"POST", "PUT", "PATCH"}, method) {
		body = strings.NewReader("{}")
	}
	req, err := http.NewRequestWithContext(ctx, method, base+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		return resp.StatusCode, ""
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
	return resp.StatusCode, string(b)
}
