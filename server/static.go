package server

import (
	"crypto/sha256"
	"encoding/base64"
	"io/fs"
	"mime"
	"path"
	"strings"
	"sync"

	"github.com/gofiber/fiber/v2"

	"github.com/openjds/jds/widget"
)

// asset is one embedded front-end file, ready to serve.
type asset struct {
	body        []byte
	contentType string
	etag        string
}

// assets reads the embedded front end once: file path under dist/ → asset.
var assets = sync.OnceValue(func() map[string]asset {
	m := map[string]asset{}
	_ = fs.WalkDir(widget.Dist, "dist", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(widget.Dist, p)
		if err != nil {
			return err
		}
		ct := mime.TypeByExtension(path.Ext(p))
		switch path.Ext(p) {
		case ".js", ".mjs":
			ct = "text/javascript; charset=utf-8"
		case ".html":
			ct = "text/html; charset=utf-8"
		}
		if ct == "" {
			ct = "application/octet-stream"
		}
		sum := sha256.Sum256(b)
		m[strings.TrimPrefix(p, "dist/")] = asset{body: b, contentType: ct, etag: `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`}
		return nil
	})
	return m
})

// staticRoutes serves the built widget and admin console, embedded in the binary. They
// need no token: the console asks for one, and the widget is given one by its host page.
func (s *Server) staticRoutes() {
	a := s.app
	a.Get("/widget/customer-journey.js", serveAsset("customer-journey.js"))
	a.Get("/", serveAsset("console/index.html"))
	a.Get("/console", serveAsset("console/index.html"))
	a.Get("/console/*", func(c *fiber.Ctx) error {
		name := path.Clean("/" + c.Params("*"))
		if name == "/" {
			name = "/index.html"
		}
		return serveAsset("console" + name)(c)
	})
}

// serveAsset answers with one embedded file: no-cache with an ETag, so that browsers
// revalidate and a new binary's files are picked up at once.
func serveAsset(name string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		f, ok := assets()[name]
		if !ok {
			return newError(fiber.StatusNotFound, "no such file: "+c.Path())
		}
		c.Set(fiber.HeaderCacheControl, "no-cache")
		c.Set(fiber.HeaderETag, f.etag)
		c.Set("X-Content-Type-Options", "nosniff")
		if match := c.Get(fiber.HeaderIfNoneMatch); match != "" && etagMatches(match, f.etag) {
			return c.SendStatus(fiber.StatusNotModified)
		}
		c.Set(fiber.HeaderContentType, f.contentType)
		return c.Send(f.body)
	}
}

func etagMatches(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(t), "W/"))
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}
