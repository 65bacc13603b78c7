package service

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/openjds/jds/config"
	"github.com/openjds/jds/internal/sas"
)

// Development key: with no key configured, jds makes one on first start and keeps it in
// the data directory, so that a newcomer can call the API at once and tokens survive
// restarts.
const (
	devKeyFile      = "dev-key.json"
	DevOrganization = "dev"
	DevWorkspace    = "default"
	devKeyName      = "dev"
	devTokenLife    = 30 * 24 * time.Hour
)

type devKeyJSON struct {
	Name         string `json:"name"`
	Organization string `json:"organization"`
	Secret       string `json:"secret"`
}

// loadKeys returns the keyring of the configuration, or of the development key (made on
// first use) when none is configured; devKey is that key, for the banner.
func loadKeys(cfg config.Config) (ring *sas.Keyring, devKey *sas.Key, err error) {
	keys, dev, err := Keys(cfg)
	if err != nil {
		return nil, nil, err
	}
	ring = sas.NewKeyring(keys...)
	if dev {
		devKey = &keys[0]
	}
	return ring, devKey, nil
}

// Keys returns the signing keys of a configuration: the configured ones, or else the
// development key in the data directory, created if missing (dev reports that case).
func Keys(cfg config.Config) (keys []sas.Key, dev bool, err error) {
	for _, k := range cfg.Keys {
		keys = append(keys, sas.Key{Name: k.Name, Organization: k.Organization, Secret: []byte(k.Secret)})
	}
	if len(keys) > 0 {
		return keys, false, nil
	}
	k, err := devKeyIn(cfg.DataDir)
	if err != nil {
		return nil, false, err
	}
	return []sas.Key{k}, true, nil
}

func devKeyIn(dir string) (sas.Key, error) {
	path := filepath.Join(dir, devKeyFile)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return createDevKey(dir, path)
	}
	if err != nil {
		return sas.Key{}, fmt.Errorf("reading development key: %w", err)
	}
	var k devKeyJSON
	if err := json.Unmarshal(data, &k); err != nil || k.Name == "" || k.Organization == "" || k.Secret == "" {
		return sas.Key{}, fmt.Errorf("development key %s is damaged; delete it to make a new one", path)
	}
	return sas.Key{Name: k.Name, Organization: k.Organization, Secret: []byte(k.Secret)}, nil
}

func createDevKey(dir, path string) (sas.Key, error) {
	secret := make([]byte, 32)
	rand.Read(secret)
	k := devKeyJSON{Name: devKeyName, Organization: DevOrganization, Secret: base64.RawURLEncoding.EncodeToString(secret)}
	data, _ := json.MarshalIndent(k, "", "  ")
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return sas.Key{}, fmt.Errorf("creating data directory: %w", err)
	}
	if err := os.WriteFile(path, append(data, '\n'), 0o600); err != nil {
		return sas.Key{}, fmt.Errorf("writing development key: %w", err)
	}
	return sas.Key{Name: k.Name, Organization: k.Organization, Secret: []byte(k.Secret)}, nil
}

// printBanner tells a newcomer how to call the service that just started.
// flow, when not empty, names an IVR flow to show a call of.
func printBanner(w io.Writer, addr string, k sas.Key, flow string) {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		port = "8080"
	}
	// For the workspace the samples and the README use, not for every workspace: the
	// paths that take the workspace from the token then work without ?workspaceId=, as a
	// newcomer copying them expects, and the token printed grants no more than that.
	expiry := time.Now().Add(devTokenLife)
	token := sas.Sign(k.Organization, DevWorkspace, sas.ServiceAdmin, sas.PermReadWrite, expiry, k.Name, k.Secret)
	// The console's instance-wide sections (rule and flow reloads, jobs) need an
	// instance admin: every workspace of an admin organization.
	instance := sas.Sign(k.Organization, sas.WildcardWorkspace, sas.ServiceAdmin, sas.PermReadWrite, expiry, k.Name, k.Secret)
	fmt.Fprintf(w, `
No signing key is configured, so jds is using its development key (%s in the data directory).
An admin token for workspace %q of organization %q, valid for 30 days:

  export JDS_TOKEN='%s'

and an instance admin token (every workspace; rule and flow reloads, jobs, the console):

  export JDS_ADMIN_TOKEN='%s'

Post an event and read it back:

  curl -i -X POST "http://localhost:%s/publish/v1/api/event?workspaceId=%s" \
    -H "Authorization: $JDS_TOKEN" -H 'Content-Type: application/json' \
    -d '{"id":"first-1","specversion":"1.0","type":"Payment","source":"curl","identity":"+12263762555","identitytype":"phone","data":{"origin":"Bill Payment","channelType":"Voice"}}'
  curl -s "http://localhost:%s/v1/api/events/workspace-id/%s?identity=%%2B12263762555" -H "Authorization: $JDS_TOKEN"

Mint other tokens with: jds token --help (--workspace '*' for every workspace)

`, devKeyFile, DevWorkspace, k.Organization, token, instance, port, DevWorkspace, port, DevWorkspace)
	if flow != "" {
		fmt.Fprintf(w, `Ask the IVR flow %q what to do with that caller:

  curl -s -X POST "http://localhost:%s/v1/flows/%s?workspaceId=%s" -H "Authorization: $JDS_TOKEN" \
    -H 'Content-Type: application/json' -d '{"ani":"+12263762555"}'

`, flow, port, flow, DevWorkspace)
	}
}
