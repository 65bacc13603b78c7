package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/openjds/jds/config"
	"github.com/openjds/jds/internal/jdstest"
)

// Against the whole service: streams past the subscriber limits are counted as refused
// with the service's answer; the others are held until the run ends.
func TestStreamsAgainstTheService(t *testing.T) {
	e := jdstest.Start(t, nil, func(c *config.Config) {
		c.Stream.MaxSubscribers = 3
		c.Stream.MaxSubscribersPerWorkspace = 2
	})
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"streams", "--url", e.URL, "--token", jdstest.Token("stream", "r", "w"), "--workspace", "w",
		"--count", "3", "--clients", "1", "--duration", "300ms", "--progress", "0"}, &stdout, &stderr)
	out := stdout.String()
	m := resultOf(t, out)
	if code != 0 || m["opened"] != 2.0 || m["refused"] != 1.0 || m["errors"] != 0.0 || !strings.Contains(out, "stream.maxSubscribersPerWorkspace") {
		t.Errorf("code %d, result %v\n%s", code, m, out)
	}
}
