// Command jdsload is the load generator and benchmark helper of jds.
//
// Every subcommand is bounded in count and in time (--duration), prints a human summary,
// and ends with one machine-readable line "RESULT {json}" for scripts/bench.sh.
// It only ever talks to a loopback address.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `jdsload: load generator and benchmark helper for jds.

Usage:
  jdsload ingest  [flags]   POST generated events (--batch 1: one per request, else arrays)
  jdsload seed    [flags]   POST --events events for ONE --identity, times over the last 30 days
  jdsload history [flags]   GET one identity's history (or profile, or flow answer) repeatedly
  jdsload ceiling [flags]   GET /livez repeatedly: the HTTP ceiling, what an empty request costs
  jdsload raw     [flags]   write the same event bodies straight into Badger (baseline)
  jdsload rawpg   [flags]   insert the same event bodies straight into PostgreSQL (baseline)
  jdsload rss     --pid P   print VmRSS and VmHWM of a process
  jdsload actions [flags]   post events at --rate and time 202 → webhook delivery of an action
  jdsload streams [flags]   open --count idle live streams (SSE) and hold them for --duration

Run "jdsload CMD --help" for the flags of a command. Targets must be loopback addresses
(127.0.0.0/8, ::1, localhost). Each command ends with a line "RESULT {json}"; the exit code
is 0 when no request failed, 1 when some did, 2 on bad usage.
`

// errFailed: the run completed and printed its result, but some requests failed.
var errFailed = errors.New("some requests failed")

var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	cmd, args := args[0], args[1:]
	var err error
	switch cmd {
	case "ingest":
		err = cmdIngest(ctx, "ingest", args, stdout, stderr)
	case "seed":
		err = cmdIngest(ctx, "seed", args, stdout, stderr)
	case "history":
		err = cmdHistory(ctx, args, stdout, stderr)
	case "ceiling":
		err = cmdCeiling(ctx, args, stdout, stderr)
	case "raw":
		err = cmdRaw(ctx, args, stdout, stderr)
	case "rawpg":
		err = cmdRawPG(ctx, args, stdout, stderr)
	case "rss":
		err = cmdRSS(args, stdout, stderr)
	case "actions":
		err = cmdActions(ctx, args, stdout, stderr)
	case "streams":
		err = cmdStreams(ctx, args, stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "jdsload: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	case errors.Is(err, errFailed):
		return 1
	default:
		fmt.Fprintf(stderr, "jdsload %s: %v\n", cmd, err)
		return 1
	}
}

// newFlags makes a flag set that reports to stderr and fails without exiting.
func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("jdsload "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

func parseFlags(fs *flag.FlagSet, args []string) error {
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

// usageError reports a bad flag value and fails with errUsage.
func usageError(stderr io.Writer, format string, a ...any) error {
	fmt.Fprintf(stderr, format+"\n", a...)
	return errUsage
}
