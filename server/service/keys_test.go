package service_test

import (
	"bytes"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/openjds/jds/config"
	"github.com/openjds/jds/internal/sas"
	"github.com/openjds/jds/server/service"
)

// The token the first start prints works as the README's tour uses it: on the paths
// that take the workspace from the token, without ?workspaceId=, for workspace default;
// it does not cover other workspaces.
func TestBannerTokenIsForTheDefaultWorkspace(t *testing.T) {
	cfg := config.Default()
	cfg.Addr = "127.0.0.1:0"
	cfg.DataDir = t.TempDir()
	cfg.RulesDir = filepath.Join(t.TempDir(), "rules")
	cfg.FlowsDir = filepath.Join(t.TempDir(), "flows")
	var banner bytes.Buffer
	svc, err := service.Start(cfg, service.Options{Logger: service.NewLogger(config.Log{Level: "error"}, io.Discard), Out: &banner})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	m := regexp.MustCompile(`export JDS_TOKEN='([^']+)'`).FindStringSubmatch(banner.String())
	if m == nil {
		t.Fatalf("no token in the banner:\n%s", banner.String())
	}
	tok, err := sas.Parse(m[1])
	if err != nil || tok.Org != service.DevOrganization || tok.Workspace != service.DevWorkspace || tok.Service != sas.ServiceAdmin {
		t.Fatalf("banner token %+v, %v", tok, err)
	}
	admin := regexp.MustCompile(`export JDS_ADMIN_TOKEN='([^']+)'`).FindStringSubmatch(banner.String())
	if admin == nil {
		t.Fatalf("no instance admin token in the banner:\n%s", banner.String())
	}
	getWith := func(token, path string) int {
		req, _ := http.NewRequest("GET", "http://"+svc.Addr()+path, nil)
		req.Header.Set("Authorization", token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	get := func(path string) int { return getWith(m[1], path) }
	// The console's instance-wide sections: the workspace token may not, the instance
	// admin token may.
	if code := get("/admin/v1/api/jobs"); code != http.StatusForbidden {
		t.Errorf("jobs with the workspace token: %d, want 403", code)
	}
	if code := getWith(admin[1], "/admin/v1/api/jobs"); code != http.StatusOK {
		t.Errorf("jobs with the instance admin token: %d, want 200", code)
	}
	if code := get("/v1/journey/streams/historic/bmclella@cisco.com"); code != http.StatusOK {
		t.Errorf("the tour's step 3 without ?workspaceId=: %d", code)
	}
	if code := get("/v1/journey/streams/historic/bmclella@cisco.com?workspaceId=other"); code != http.StatusForbidden {
		t.Errorf("another workspace: %d, want 403", code)
	}
	if !strings.Contains(banner.String(), `workspace "default" of organization "dev"`) {
		t.Errorf("the banner does not say which workspace:\n%s", banner.String())
	}
}
