package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/openjds/jds/internal/sas"
)

func run(t *testing.T, args ...string) (code int, out, errOut string) {
	t.Helper()
	var o, e bytes.Buffer
	code = Main(context.Background(), args, &o, &e)
	return code, o.String(), e.String()
}

func TestCommands(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "jds.yaml")
	os.WriteFile(cfg, []byte("dataDir: "+dir+"\nkeys:\n  - {name: k, organization: acme, secret: s3cret-of-16-bytes}\n"), 0o600)

	if code, out, _ := run(t, "version"); code != 0 || !strings.HasPrefix(out, "jds ") {
		t.Fatalf("version: %d %q", code, out)
	}
	code, out, _ := run(t, "token", "--config", cfg, "--workspace", "w1", "--service", "tape", "--perm", "r")
	if code != 0 {
		t.Fatalf("token: %d", code)
	}
	tok, err := sas.NewKeyring(sas.Key{Name: "k", Organization: "acme", Secret: []byte("s3cret-of-16-bytes")}).Authenticate(strings.TrimSpace(out), time.Now())
	if err != nil || tok.Workspace != "w1" || tok.Service != "tape" || tok.Perm != "r" {
		t.Fatalf("minted token: %v %+v", err, tok)
	}
	if code, out, _ := run(t, "check", "--config", cfg, "../../../samples/rules/use-cases.yaml"); code != 0 || !strings.Contains(out, "rule files: OK (1 files, 3 templates, 1 contact policies)") {
		t.Fatalf("check: %d %s", code, out)
	}
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("templates:\n  - name: X\n    attributes:\n      - {displayName: a, event: E, aggregationMode: Count, lookBack: 1y}\n"), 0o644)
	if code, _, errOut := run(t, "check", "--config", cfg, bad); code != 1 || !strings.Contains(errOut, "bad.yaml:4:") {
		t.Fatalf("check of a bad file: %d %s", code, errOut)
	}
	// An action naming a connector that is not configured (the defaults are sms and
	// callback), or an attribute its kind does not read, would only dead-letter.
	typo := filepath.Join(dir, "typo.yaml")
	os.WriteFile(typo, []byte(`templates:
  - name: Calls
    attributes: [{name: calls, displayName: Calls, event: Call, aggregationMode: Count, lookBack: 1d}]
actions:
  - {name: A, template: Calls, isActive: true, cooldown: 1h, condition: calls > 0,
     actionTriggers: [{type: Connector, connector: smss}]}
`), 0o644)
	if code, _, errOut := run(t, "check", "--config", cfg, typo); code != 1 ||
		!strings.Contains(errOut, `typo.yaml:6:52: actions[0].actionTriggers[0].connector: no connector named "smss" is configured (did you mean "sms"?)`) {
		t.Fatalf("check of an action naming no configured connector: %d %s", code, errOut)
	}
	if code, out, _ := run(t, "test", "../../../samples/rules"); code != 0 || !strings.Contains(out, "0 failed") {
		t.Fatalf("test: %d %s", code, out)
	}
	os.WriteFile(filepath.Join(dir, "bad-config.yaml"), []byte("addr: 1\nnope: 2\n"), 0o600)
	if code, _, errOut := run(t, "check", "--config", filepath.Join(dir, "bad-config.yaml")); code != 1 || !strings.Contains(errOut, `bad-config.yaml:2:1: unknown key "nope"`) {
		t.Fatalf("check of a bad config: %d %s", code, errOut)
	}
	os.WriteFile(filepath.Join(dir, "bad-connector.yaml"), []byte("connectors:\n  - {name: sms, kind: twilio}\n"), 0o600)
	if code, _, errOut := run(t, "check", "--config", filepath.Join(dir, "bad-connector.yaml")); code != 1 || !strings.Contains(errOut, "accountSid") {
		t.Fatalf("check of a bad connector: %d %s", code, errOut)
	}
	if code, _, _ := run(t, "frobnicate"); code != 2 {
		t.Fatalf("unknown command: %d", code)
	}
}

// Every command is listed by jds --help, and answers --help with its usage and exit
// code 0, as jds help COMMAND does.
func TestHelp(t *testing.T) {
	commands := []string{"serve", "token", "check", "test", "health", "import", "version", "help"}
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}} {
		code, out, _ := run(t, args...)
		if code != 0 {
			t.Errorf("jds %s: exit %d", args[0], code)
		}
		for _, c := range commands {
			if !strings.Contains(out, "\n  jds "+c) && !strings.Contains(out, "\n  jds ["+c+"]") {
				t.Errorf("jds %s does not list %s:\n%s", args[0], c, out)
			}
		}
	}
	for _, c := range commands {
		for _, args := range [][]string{{c, "--help"}, {c, "-h"}, {"help", c}} {
			code, out, errOut := run(t, args...)
			if code != 0 || !strings.Contains(out+errOut, "usage") && !strings.Contains(out+errOut, "Usage") {
				t.Errorf("jds %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
			}
		}
	}
	if code, _, _ := run(t, "check", "--nope"); code != 2 {
		t.Errorf("an unknown flag: exit %d, want 2", code)
	}
}

// A configuration with a deprecated key still checks, with a warning saying what to write.
func TestCheckWarnsAboutDeprecatedKeys(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "jds.yaml")
	os.WriteFile(cfg, []byte("dataDir: "+dir+"\ningest:\n  defaultCountryCode: \"44\"\n"), 0o600)
	code, out, errOut := run(t, "check", "--config", cfg, "../../../samples/rules/use-cases.yaml")
	if code != 0 || !strings.Contains(out, "configuration: OK") ||
		!strings.Contains(errOut, `configuration: warning: ingest.defaultCountryCode is deprecated`) ||
		!strings.Contains(errOut, `identity.defaultRegion: "GB"`) {
		t.Fatalf("check: %d\n%s\n%s", code, out, errOut)
	}
}

// With several organizations, jds check warns about the connectors every one of them
// may spend, and refuses rule files naming a connector that serves only some.
func TestCheckConnectorOrganizations(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "jds.yaml")
	write := func(smsOrgs string) {
		os.WriteFile(cfg, []byte("dataDir: "+dir+`
keys:
  - {name: a, organization: acme, secret: s3cret-of-16-bytes}
  - {name: g, organization: globex, secret: s3cret-of-16-bytes}
connectors:
  - {name: callback, kind: log}
  - {name: sms, kind: log, organizations: `+smsOrgs+`}
`), 0o600)
	}
	write("[acme, globex]")
	code, out, errOut := run(t, "check", "--config", cfg, "../../../samples/rules/use-cases.yaml")
	if code != 0 || !strings.Contains(errOut, `configuration: warning: connectors[0] "callback" has no organizations list: the actions of every organization (acme, globex) may deliver through it`) ||
		strings.Contains(errOut, `"sms"`) {
		t.Fatalf("check: %d\n%s\n%s", code, out, errOut)
	}
	write("[acme]")
	code, out, errOut = run(t, "check", "--config", cfg, "../../../samples/rules/use-cases.yaml")
	if code == 0 || !strings.Contains(errOut, `rule files serve every organization, and the connector "sms" serves only acme (not globex)`) {
		t.Fatalf("check with a rule file naming one organization's connector: %d\n%s\n%s", code, out, errOut)
	}
}

func TestBackupCommandsRefuseBadInput(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.jdsbak")
	os.WriteFile(junk, []byte("JDSBACK\nnot really"), 0o600)
	for _, c := range []struct {
		args []string
		code int
		says string
	}{
		{[]string{"backup"}, 2, "--out is required"},
		{[]string{"backup", "--out", filepath.Join(dir, "x"), "--token", ""}, 1, "no token"},
		{[]string{"backup", "verify"}, 2, "usage: jds backup verify"},
		{[]string{"backup", "verify", junk}, 1, "BAD"},
		{[]string{"restore", junk}, 2, "usage: jds restore"},
		{[]string{"restore", "--data-dir", filepath.Join(dir, "new"), junk}, 1, "nothing restored"},
		{[]string{"restore", "--data-dir", dir, junk}, 1, "is not empty"},
	} {
		code, out, errOut := run(t, c.args...)
		if code != c.code || !strings.Contains(out+errOut, c.says) {
			t.Errorf("jds %s = %d, %s%s; want %d saying %q", strings.Join(c.args, " "), code, out, errOut, c.code, c.says)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "new", "ledger")); err == nil {
		t.Error("a refused restore left a store behind")
	}
}

// jds migrate-store copies between a data directory and a PostgreSQL database, either
// way: it refuses, with its usage, a copy missing a side or between two of a kind, and
// names the data directory that holds no store to copy.
func TestMigrateStoreRefusesBadInput(t *testing.T) {
	dir := t.TempDir()
	url := "postgres://jds:jds@127.0.0.1:1/jds"
	for _, c := range []struct {
		args []string
		code int
		says string
	}{
		{[]string{"migrate-store", "--from", dir}, 2, "--from and --to are required"},
		{[]string{"migrate-store", "--to", url}, 2, "--from and --to are required"},
		{[]string{"migrate-store", "--from", dir, "--to", filepath.Join(dir, "b")}, 2, "one of --from and --to must be a data directory, the other a postgres:// URL"},
		{[]string{"migrate-store", "--from", url, "--to", "postgresql://x@y/z"}, 2, "one of --from and --to must be a data directory"},
		{[]string{"migrate-store", "--from", filepath.Join(dir, "none"), "--to", url}, 1, "--from: no embedded store in " + filepath.Join(dir, "none")},
	} {
		code, out, errOut := run(t, c.args...)
		if code != c.code || !strings.Contains(out+errOut, c.says) {
			t.Errorf("jds %s = %d, %s%s; want %d saying %q", strings.Join(c.args, " "), code, out, errOut, c.code, c.says)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "b")); err == nil {
		t.Error("a refused copy made a data directory")
	}
}
