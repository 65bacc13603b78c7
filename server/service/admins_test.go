package service_test

import (
	"testing"
	"time"

	"github.com/openjds/jds/config"
	"github.com/openjds/jds/internal/jdstest"
	"github.com/openjds/jds/internal/sas"
	"github.com/openjds/jds/server/service"
)

// Who is an instance admin follows the configuration: config admins, else the first
// key's organization, else (no key configured) the development key's.
func TestInstanceAdminsFromTheConfiguration(t *testing.T) {
	const acmeSecret = "acme-secret-16-bytes"
	sign := func(org, key, secret, sn string) string {
		return sas.Sign(org, sn, sas.ServiceAdmin, sas.PermReadWrite, time.Now().Add(time.Hour), key, []byte(secret))
	}
	cctsa := sign(jdstest.Org, jdstest.KeyName, jdstest.Secret, "*")
	acme := sign("acme", "k", acmeSecret, "*")
	twoKeys := func(admins ...string) func(*config.Config) {
		return func(c *config.Config) {
			c.Keys = append(c.Keys, config.Key{Name: "k", Organization: "acme", Secret: acmeSecret})
			c.Admins = admins
		}
	}
	reload := func(e *jdstest.Env, tok string) int {
		return e.Do("POST", "/admin/v1/api/rules/reload", tok, nil).Status
	}

	t.Run("first key", func(t *testing.T) {
		e := jdstest.Start(t, nil, twoKeys())
		if got := reload(e, cctsa); got != 200 {
			t.Errorf("the first key's organization: %d, want 200", got)
		}
		if got := reload(e, acme); got != 403 {
			t.Errorf("another organization's admin: %d, want 403", got)
		}
	})
	t.Run("admins", func(t *testing.T) {
		e := jdstest.Start(t, nil, twoKeys("acme"))
		if got := reload(e, acme); got != 200 {
			t.Errorf("the organization in admins: %d, want 200", got)
		}
		if got := reload(e, cctsa); got != 403 {
			t.Errorf("the first key's organization, not in admins: %d, want 403", got)
		}
	})
	t.Run("development key", func(t *testing.T) {
		e := jdstest.Start(t, nil, func(c *config.Config) { c.Keys = nil })
		keys, dev, err := service.Keys(e.Config)
		if err != nil || !dev {
			t.Fatalf("the development key: %v %v", dev, err)
		}
		k := keys[0]
		if got := reload(e, sign(k.Organization, k.Name, string(k.Secret), "*")); got != 200 {
			t.Errorf("the development key's organization (sn=*): %d, want 200", got)
		}
		// The banner's token is for one workspace: it is not an instance admin's.
		if got := reload(e, sign(k.Organization, k.Name, string(k.Secret), service.DevWorkspace)); got != 403 {
			t.Errorf("the development key's organization, one workspace: %d, want 403", got)
		}
	})
}
