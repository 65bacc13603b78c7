// Command jds is the Journey Data Service. See package cli for its commands.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	// Time zones for expressions (timezone("America/Toronto")) on images without
	// /usr/share/zoneinfo, such as the distroless one of the Dockerfile.
	_ "time/tzdata"

	"github.com/openjds/jds/cmd/jds/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
