// Command jds is the Journey Data Service. See package cli for its commands.
package main

import (
	"context"
	"fmt"
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
	go func() {
		// The first signal asks for a graceful stop. Once it came, signals take their
		// default action again, so that a second one stops a shutdown that cannot finish
		// (a store whose disk went away, say) at once: what was acknowledged is on disk
		// already, as after kill -9.
		<-ctx.Done()
		stop()
		fmt.Fprintln(os.Stderr, "jds: stopping; interrupt again to stop at once")
	}()
	code := cli.Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
