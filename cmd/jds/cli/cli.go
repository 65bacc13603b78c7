// Package cli is the jds command line: serve (the default), token, check, test, health,
// backup, restore, import, version and help.
// It parses flags and configuration and hands over to the packages that do the work.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/openjds/jds/config"
	"github.com/openjds/jds/connectors"
	"github.com/openjds/jds/connectors/inbound"
	"github.com/openjds/jds/flows"
	"github.com/openjds/jds/internal/sas"
	"github.com/openjds/jds/internal/store/badgerstore"
	"github.com/openjds/jds/rules"
	"github.com/openjds/jds/rules/ruledir"
	"github.com/openjds/jds/server"
	"github.com/openjds/jds/server/service"
)

// Version is set at build time with -ldflags "-X github.com/openjds/jds/cli.Version=v1.2.3".
var Version = ""

func version() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

const usage = `jds: a self-hostable Journey Data Service for contact centers.

Usage:
  jds [serve] [--config FILE]      run the service (the default command)
  jds token [flags]                mint a SAS token (jds token --help)
  jds check [--config FILE] [--flows PATH] [RULE_FILE...]
                                   validate the configuration, the rule files and the flows
  jds import persons FILE          upload persons (NDJSON or CSV) to a running jds (jds import --help)
  jds test TEST_FILE|DIR...        run rule and flow unit tests (*.test.yaml)
  jds health [--url URL]           exit 0 when a running jds is ready (container health checks)
  jds backup --out FILE [flags]    take an online backup of a running jds (jds backup --help)
  jds backup verify FILE...        check backup files without restoring them
  jds restore --data-dir DIR FILE...
                                   make a data directory from a full backup and its incrementals
  jds migrate [--config FILE]      bring the PostgreSQL schema at store.url up to date, and exit
  jds migrate-store --from DATA_DIR --to POSTGRES_URL
                                   copy an embedded store (jds stopped) to PostgreSQL; resumable, verified
  jds migrate-store --from POSTGRES_URL --to DATA_DIR
                                   the way back: PostgreSQL to an embedded store (a backup path)
  jds version                      print the version
  jds backtest --rules FILE --from TIME [--to TIME] [--url URL --token TOKEN --workspace WS]
                                   what a rule file's action would have fired over stored events
  jds flows run NAME [--at TIME] [--ani NUMBER] [--url URL --token TOKEN --workspace WS]
                                   a flow's dry run on a running jds: its answer and trace, no writes
  jds help [COMMAND]               this text, or a command's flags (as jds COMMAND --help)

The configuration file may also be given as $JDS_CONFIG; with none, jds runs on its
embedded defaults. $JDS_ADDR, $JDS_DATA_DIR, $JDS_RULES_DIR and $JDS_FLOWS_DIR override it.
`

// Main runs the command line and returns the process exit code.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cmd := "serve"
	switch {
	case len(args) > 0 && isHelp(args[0]):
		fmt.Fprint(stdout, usage)
		return 0
	case len(args) > 0 && !strings.HasPrefix(args[0], "-"):
		cmd, args = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "serve":
		err = serve(ctx, args, stdout, stderr)
	case "token":
		err = token(args, stdout, stderr)
	case "check":
		err = check(args, stdout, stderr)
	case "import":
		err = importPersons(ctx, args, stdout, stderr)
	case "test":
		err = test(args, stdout, stderr)
	case "health":
		err = health(ctx, args, stderr)
	case "backup":
		err = backupCmd(ctx, args, stdout, stderr)
	case "restore":
		err = restoreCmd(args, stdout, stderr)
	case "migrate":
		err = migrate(ctx, args, stdout, stderr)
	case "migrate-store":
		err = migrateStore(ctx, args, stdout, stderr)
	case "version":
		if err = parse(flags("version", "", stderr), args); err == nil {
			fmt.Fprintln(stdout, "jds", version())
		}
	case "backtest":
		err = backtest(ctx, args, stdout, stderr)
	case "flows":
		err = flowsCommand(ctx, args, stdout, stderr)
	case "help":
		if len(args) == 1 && args[0] != "help" && !strings.HasPrefix(args[0], "-") {
			return Main(ctx, []string{args[0], "--help"}, stdout, stderr)
		}
		fmt.Fprint(stdout, usage)
	default:
		fmt.Fprintf(stderr, "jds: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	switch {
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	case err != nil:
		fmt.Fprintln(stderr, "jds:", err)
		return 1
	}
	return 0
}

var errUsage = errors.New("usage")

// isHelp reports whether arg asks for help, as the flag package understands it.
func isHelp(arg string) bool {
	switch arg {
	case "-h", "-help", "--help", "--h":
		return true
	}
	return false
}

// flags makes a flag set that reports to stderr and fails without exiting; its usage
// (--help) starts with "usage: jds name synopsis".
func flags(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("jds "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage:", strings.TrimSpace("jds "+name+" "+synopsis))
		fs.PrintDefaults()
	}
	return fs
}

func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "unexpected argument %q\n", fs.Arg(0))
		return errUsage
	}
	return nil
}

func loadConfig(path string) (config.Config, error) {
	if path == "" {
		path = os.Getenv("JDS_CONFIG")
	}
	return config.Load(path, os.Getenv)
}

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flags("serve", "[--config FILE]", stderr)
	path := fs.String("config", "", "configuration file (default $JDS_CONFIG, else embedded defaults)")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := loadConfig(*path)
	if err != nil {
		return err
	}
	log := service.NewLogger(cfg.Log, stderr)
	if os.Getenv("GOMEMLIMIT") == "" && cfg.MemoryLimit > 0 {
		debug.SetMemoryLimit(int64(cfg.MemoryLimit))
	}
	resolveProcs(&cfg, os.Getenv("GOMAXPROCS") != "")
	log.Info("processors", "gomaxprocs", runtime.GOMAXPROCS(0), "readerProcs", cfg.ReaderProcs, "ingestMaxConcurrent", cfg.Ingest.MaxConcurrent)
	if addr := os.Getenv("JDS_PPROF"); addr != "" {
		if err := servePprof(addr, log); err != nil {
			return err
		}
	}
	return service.Run(ctx, cfg, service.Options{Logger: log, Out: stdout, Version: version()})
}

// resolveProcs resolves an automatic ingest.maxConcurrent from the CPUs Go uses, and
// turns readerProcs off when $GOMAXPROCS is set (fixed): the operator chose the
// processors. The server adds readerProcs processors while ingest is busy.
func resolveProcs(cfg *config.Config, fixed bool) {
	if cfg.Ingest.MaxConcurrent == 0 {
		cfg.Ingest.MaxConcurrent = server.IngestTurns(0, runtime.GOMAXPROCS(0))
	}
	if fixed {
		cfg.ReaderProcs = 0
	}
}

// check validates what an admin writes: the configuration, the rule files of its rules
// directory (or those named as arguments) and the flow files of its flows directory (or
// the directory or file --flows names).
func check(args []string, stdout, stderr io.Writer) error {
	fs := flags("check", "[--config FILE] [--flows PATH] [RULE_FILE...]", stderr)
	path := fs.String("config", "", "configuration file (default $JDS_CONFIG)")
	flowPath := fs.String("flows", "", "flow file or directory (default: the configuration's flowsDir)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	cfg, err := loadConfig(*path)
	if err != nil {
		return err
	}
	senders, err := connectors.Build(cfg.Connectors, connectors.Options{Getenv: os.Getenv})
	if err != nil {
		return fmt.Errorf("connectors:\n%w", err)
	}
	connectors.Close(senders)
	if _, err := inbound.Build(cfg.Inbound, inbound.Options{Getenv: os.Getenv}); err != nil {
		return fmt.Errorf("inbound:\n%w", err)
	}
	if *path != "" || os.Getenv("JDS_CONFIG") != "" {
		fmt.Fprintf(stdout, "configuration: OK (%d connectors)\n", len(cfg.Connectors))
		for _, d := range cfg.Deprecations() {
			fmt.Fprintf(stderr, "configuration: warning: %s\n", d)
		}
	}
	orgs := service.Organizations(cfg, nil)
	for _, w := range connectors.OrganizationWarnings(cfg.Connectors, orgs) {
		fmt.Fprintf(stderr, "configuration: warning: %s\n", w)
	}
	// Against the connectors configured, as jds serve loads them: a trigger naming one
	// that is not would only dead-letter, and rule files serve every organization.
	checks := rules.Options{Connectors: ruledir.Connectors(cfg.Connectors), Organizations: orgs}
	var set *ruledir.Set
	if paths := fs.Args(); len(paths) > 0 {
		set, err = ruledir.LoadFilesWith(checks, paths...)
	} else {
		set, err = ruledir.LoadWith(checks, cfg.RulesDir)
	}
	if err != nil {
		return fmt.Errorf("rule files:\n%w", err)
	}
	fmt.Fprintf(stdout, "rule files: OK (%d files, %d templates, %d contact policies)\n", len(set.Files), len(set.Templates), len(set.Policies))
	if *flowPath == "" {
		*flowPath = cfg.FlowsDir
	}
	fset, err := flows.Load(flows.Options{Getenv: os.Getenv}, *flowPath)
	if err != nil {
		return fmt.Errorf("flow files:\n%w", err)
	}
	fmt.Fprintf(stdout, "flow files: OK (%d files: %s)\n", len(fset.Files), strings.Join(fset.Names(), ", "))
	return nil
}

func token(args []string, stdout, stderr io.Writer) error {
	fs := flags("token", "[flags]", stderr)
	path := fs.String("config", "", "configuration file holding the key (default $JDS_CONFIG, else the development key in the data directory)")
	org := fs.String("org", "", "organization (so); default: the key's organization")
	ws := fs.String("workspace", service.DevWorkspace, `workspace (sn); "*" for every workspace of the organization`)
	svc := fs.String("service", sas.ServiceAdmin, "service (ss): ds, tape, stream, profile, idmt, action, flow or admin")
	perm := fs.String("perm", sas.PermReadWrite, "permission (sp): r, w or rw")
	key := fs.String("key", "", "key name (sk); default: the only key, or the first of the organization")
	valid := fs.Duration("valid", 24*time.Hour, "how long the token is valid")
	bare := fs.Bool("bare", false, `print the token without the "SharedAccessSignature " prefix`)
	if err := parse(fs, args); err != nil {
		return err
	}
	if *valid <= 0 {
		return errors.New("--valid must be positive")
	}
	cfg, err := loadConfig(*path)
	if err != nil {
		return err
	}
	keys, _, err := service.Keys(cfg)
	if err != nil {
		return err
	}
	k, err := pickKey(keys, *org, *key)
	if err != nil {
		return err
	}
	t := sas.Sign(k.Organization, *ws, *svc, *perm, time.Now().Add(*valid), k.Name, k.Secret)
	if _, err := sas.Parse(t); err != nil {
		return err
	}
	if *bare {
		t = strings.TrimPrefix(t, sas.Prefix)
	}
	fmt.Fprintln(stdout, t)
	return nil
}

func pickKey(keys []sas.Key, org, name string) (sas.Key, error) {
	for _, k := range keys {
		if (org == "" || k.Organization == org) && (name == "" || k.Name == name) {
			return k, nil
		}
	}
	return sas.Key{}, fmt.Errorf("no key named %q for organization %q in the configuration", name, org)
}

func health(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flags("health", "[--url URL]", stderr)
	u := fs.String("url", "http://"+localAddr()+"/readyz", "readiness URL to check")
	if err := parse(fs, args); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, *u, nil)
	if err != nil {
		return err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("checking %s: %w", *u, err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("%s answered %s", *u, res.Status)
	}
	return nil
}

// test runs rule unit tests, like promtool test rules: every *.test.yaml named, or
// found in the directories named.
func test(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprintln(stderr, "usage: jds test TEST_FILE|DIR...")
		fmt.Fprintln(stderr, "runs the rule and flow unit tests (*.test.yaml) named, or found in the directories named")
		if len(args) > 0 && isHelp(args[0]) {
			return flag.ErrHelp
		}
		return errUsage
	}
	var files []string
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil {
			return err
		}
		if !st.IsDir() {
			files = append(files, a)
			continue
		}
		found, _ := filepath.Glob(filepath.Join(a, "*.test.yaml"))
		files = append(files, found...)
	}
	if len(files) == 0 {
		return fmt.Errorf("no *.test.yaml file in %s", strings.Join(args, ", "))
	}
	passed, failed := 0, 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		var report *rules.TestReport
		if flows.IsTestData(data) {
			report, err = flows.RunTestFile(f, flows.Options{Getenv: os.Getenv, Scratch: badgerstore.Scratch})
		} else {
			report, err = rules.RunTestFile(f)
		}
		if err != nil {
			return fmt.Errorf("%s:\n%w", f, err)
		}
		for _, t := range report.Tests {
			if len(t.Failures) == 0 {
				passed++
				fmt.Fprintf(stdout, "PASS %s: %s\n", f, t.Name)
				continue
			}
			failed++
			fmt.Fprintf(stdout, "FAIL %s: %s\n", f, t.Name)
			for _, msg := range t.Failures {
				fmt.Fprintf(stdout, "    %s\n", msg)
			}
		}
	}
	fmt.Fprintf(stdout, "tests: %d passed, %d failed\n", passed, failed)
	if failed > 0 {
		return fmt.Errorf("%d tests failed", failed)
	}
	return nil
}

// servePprof serves Go's profiler (net/http/pprof) on a separate listener, for
// operators chasing a performance problem: JDS_PPROF=127.0.0.1:6060. It has no
// authentication, so it accepts loopback addresses only.
func servePprof(addr string, log *slog.Logger) error {
	host, _, err := net.SplitHostPort(addr)
	if ip := net.ParseIP(host); err != nil || (host != "localhost" && (ip == nil || !ip.IsLoopback())) {
		return fmt.Errorf("JDS_PPROF=%q: must be a loopback host:port such as 127.0.0.1:6060", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("JDS_PPROF: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	log.Warn("serving the Go profiler without authentication", "addr", ln.Addr().String())
	go http.Serve(ln, mux)
	return nil
}
