#!/usr/bin/env bash
# The whole test suite, as CI runs it: formatting, vet, unit and API tests (with a real
# PostgreSQL for the PostgreSQL backend, installed and started when missing), then the
# end-to-end tests that run the real binary (kill -9 durability).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin:$(go env GOPATH 2>/dev/null || echo "$HOME/go")/bin"

step() { printf '\n== %s\n' "$*"; }

step "gofmt"
unformatted=$(gofmt -l $(find . -name '*.go' -not -path './node_modules/*'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change:"; echo "$unformatted"; exit 1
fi

step "go vet"
go vet ./... && go vet -tags e2e ./e2e/

step "PostgreSQL for the PostgreSQL backend's tests"
. scripts/postgres.sh

step "unit and API tests"
go test -count=1 ./...

step "end-to-end tests (real binary)"
go test -count=1 -tags e2e ./e2e/

step "browser tests (widget and console in headless Chromium)"
scripts/browser-test.sh
