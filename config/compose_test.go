package config

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// docs/compose.yaml cannot run here (no container registry), so its parts that jds reads
// are checked against jds: the configuration it hands every node loads, with the
// secret from the environment and the PostgreSQL URL of its database service; the
// nodes listen where the image and the load balancer say.
func TestComposeExample(t *testing.T) {
	raw, err := os.ReadFile("../docs/compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		XJDS struct {
			Environment map[string]string `yaml:"environment"`
		} `yaml:"x-jds"`
		Services map[string]struct {
			Environment map[string]string `yaml:"environment"`
			Hostname    string            `yaml:"hostname"`
		} `yaml:"services"`
		Configs map[string]struct {
			Content string `yaml:"content"`
		} `yaml:"configs"`
	}
	if err := yaml.Unmarshal(raw, &c); err != nil {
		t.Fatalf("docs/compose.yaml: %v", err)
	}
	// Compose writes a literal $ as $$.
	unescape := func(s string) string { return strings.ReplaceAll(s, "$$", "$") }

	path := filepath.Join(t.TempDir(), "jds.yaml")
	if err := os.WriteFile(path, []byte(unescape(c.Configs["jds"].Content)), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"JDS_SECRET": "0123456789abcdef0123456789abcdef", EnvStoreURL: c.XJDS.Environment[EnvStoreURL]}
	cfg, err := Load(path, func(k string) string { return env[k] })
	if err != nil {
		t.Fatalf("the nodes' configuration does not load: %v", err)
	}
	if len(cfg.Keys) != 1 || cfg.Keys[0].Secret != env["JDS_SECRET"] {
		t.Fatalf("keys %v: the secret must come from $JDS_SECRET", cfg.Keys)
	}
	pg := c.Services["postgres"].Environment
	want := "postgres://" + pg["POSTGRES_USER"] + ":" + pg["POSTGRES_PASSWORD"] + "@postgres:5432/" + pg["POSTGRES_DB"] + "?"
	if !strings.HasPrefix(cfg.Store.URL, want) {
		t.Fatalf("store.url %q, want the postgres service's database (%s…)", cfg.Store.URL, want)
	}

	// Every node is in the load balancer's upstream, on the port the image listens on.
	dockerfile, err := os.ReadFile("../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	port := regexp.MustCompile(`JDS_ADDR="?:(\d+)`).FindSubmatch(dockerfile)
	if port == nil {
		t.Fatal("the Dockerfile does not set JDS_ADDR")
	}
	nginx := unescape(c.Configs["nginx"].Content)
	nodes := 0
	for name, s := range c.Services {
		if !strings.HasPrefix(name, "jds-") {
			continue
		}
		nodes++
		if s.Hostname != name {
			t.Errorf("service %s has hostname %q: a node is named by it", name, s.Hostname)
		}
		if !strings.Contains(nginx, "server "+name+":"+string(port[1])) {
			t.Errorf("the load balancer does not send to %s:%s", name, port[1])
		}
	}
	if nodes < 2 {
		t.Fatalf("%d jds nodes, want two or more", nodes)
	}
}
