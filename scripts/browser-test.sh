#!/usr/bin/env bash
# Browser tests of the front end (widget/): the customer-journey widget and the admin
# console, in the system Chromium driven by playwright-core, against a real jds.
#   - installs Debian's chromium when /usr/bin/chromium is missing (needs root, as CI);
#   - installs the pinned npm packages (npm ci) and rebuilds widget/dist, failing when
#     the committed bundle differs from what the source builds;
#   - runs the component tests and the end-to-end tests (node --test).
# Screenshots land in widget/test-artifacts/. JDS_BIN may name a prebuilt jds binary.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"

step() { printf '\n== %s\n' "$*"; }

if [ ! -x /usr/bin/chromium ]; then
  step "install chromium"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y chromium
fi
/usr/bin/chromium --version 2>/dev/null || true

step "npm ci"
(cd widget && npm ci --no-audit --no-fund)

step "build widget/dist and compare with the committed files"
(cd widget && npm run --silent build)
if [ -z "$(git ls-files -- widget/dist)" ]; then
  msg="widget/dist is not committed yet: commit the built files"
  if [ -n "${CI:-}" ]; then echo "$msg" >&2; exit 1; fi
  echo "warning: $msg" >&2
else
  untracked=$(git ls-files --others --exclude-standard -- widget/dist)
  if ! git diff --exit-code --stat -- widget/dist || [ -n "$untracked" ]; then
    [ -n "$untracked" ] && printf 'not committed:\n%s\n' "$untracked"
    echo "widget/dist differs from what the source builds: run 'npm run build' in widget/ and commit dist/" >&2
    exit 1
  fi
fi

if [ -z "${JDS_BIN:-}" ]; then
  step "build jds"
  bindir=$(mktemp -d)
  trap 'rm -rf "$bindir"' EXIT
  go build -o "$bindir/jds" ./cmd/jds
  export JDS_BIN="$bindir/jds"
fi

step "component and end-to-end browser tests"
mkdir -p widget/test-artifacts
(cd widget && node --test --test-concurrency=1 test/*.test.mjs)
echo "screenshots: widget/test-artifacts/"
