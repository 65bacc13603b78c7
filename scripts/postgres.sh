#!/usr/bin/env bash
# Source this to have a PostgreSQL server for the PostgreSQL backend's tests: it exports
# JDS_TEST_POSTGRES_URL, the URL of a role that may create databases (each test makes
# its own and drops it). An URL already set is used as it is. Otherwise it uses Debian's
# postgresql package: installed when missing (needs root, as CI has), a cluster started
# (created if there is none), and a role jds made on it.
#   . scripts/postgres.sh && go test ./internal/store/pgstore/
if [ -n "${JDS_TEST_POSTGRES_URL:-}" ]; then
  return 0 2>/dev/null || exit 0
fi
pg_setup() {
  if ! command -v pg_lsclusters >/dev/null; then
    if [ "$(id -u)" != 0 ]; then
      echo "postgres.sh: PostgreSQL is not installed and this is not root: PostgreSQL tests will skip" >&2
      return 0
    fi
    echo "postgres.sh: installing Debian's postgresql package"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq postgresql >/dev/null
  fi
  local version port status
  read -r version port status < <(pg_lsclusters --no-header | awk '{print $1, $3, $4; exit}')
  if [ -z "${version:-}" ]; then
    version=$(ls /usr/lib/postgresql | sort -V | tail -1)
    pg_createcluster "$version" main >/dev/null
    read -r version port status < <(pg_lsclusters --no-header | awk '{print $1, $3, $4; exit}')
  fi
  if [ "$status" != online ]; then
    pg_ctlcluster "$version" main start
  fi
  su postgres -c "psql -q -p $port -v ON_ERROR_STOP=1" <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'jds') THEN
    CREATE ROLE jds LOGIN PASSWORD 'jds' CREATEDB;
  END IF;
END $$;
SQL
  export JDS_TEST_POSTGRES_URL="postgres://jds:jds@127.0.0.1:$port/postgres?sslmode=disable"
  echo "postgres.sh: PostgreSQL $version on port $port; JDS_TEST_POSTGRES_URL is set"
}
pg_setup
