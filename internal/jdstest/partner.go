package jdstest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
)

// Partner stands in for the partner a connector or a journey action delivers to (an
// SMS provider's API, a webhook): it records every request and answers with the status
// the test chooses. It is safe for concurrent use.
type Partner struct {
	URL string // where it listens, "http://127.0.0.1:port"

	status atomic.Int64
	reply  string

	mu       sync.Mutex
	requests []Request
}

// Request is one request a Partner received.
type Request struct {
	Header http.Header
	Body   string
}

// NewPartner starts a Partner, stopped when the test ends, that answers status and,
// when reply is not empty, the body reply.
func NewPartner(t testing.TB, status int, reply string) *Partner {
	p := &Partner{reply: reply}
	p.status.Store(int64(status))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		p.mu.Lock()
		p.requests = append(p.requests, Request{Header: r.Header.Clone(), Body: string(b)})
		p.mu.Unlock()
		w.WriteHeader(int(p.status.Load()))
		if p.reply != "" {
			io.WriteString(w, p.reply)
		}
	}))
	t.Cleanup(srv.Close)
	p.URL = srv.URL
	return p
}

// SetStatus changes the status of the answers from the next request on.
func (p *Partner) SetStatus(status int) { p.status.Store(int64(status)) }

// Requests returns the requests received so far, in order.
func (p *Partner) Requests() []Request {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.requests)
}

// Received returns the bodies of the requests received so far, in order.
func (p *Partner) Received() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]string, len(p.requests))
	for i, r := range p.requests {
		out[i] = r.Body
	}
	return out
}
