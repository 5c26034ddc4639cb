# shellcheck shell=bash
# A private MariaDB server: its own data directory, socket and loopback port, nothing read from
# /etc/mysql. Sourced after common.sh.
#
#   mariadb_start STATE_DIR   initialises STATE_DIR/data on first use, starts mariadbd, waits until
#                             it answers; sets MC_DB_PORT, MC_DB_SOCKET, MC_DB_PID
#   mariadb_sql SQL           runs SQL as the server's admin account (socket authentication)
#   mariadb_create_db NAME USER PASSWORD   (re)creates database NAME, USER may connect over TCP
#   mariadb_stop              stops the server started by mariadb_start (a no-op otherwise)

MC_DB_PORT=""
MC_DB_SOCKET=""
MC_DB_PID=""
MC_DB_SOCKET_DIR=""

mc_mariadb_bin() {
  local name
  for name in "$@"; do
    if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return 0; fi
    if [[ -x "/usr/sbin/$name" ]]; then printf '/usr/sbin/%s\n' "$name"; return 0; fi
  done
  mc_warn "none of $* found: install mariadb-server"
  return 1
}

# Returns 1 with a message (never exits), so callers can report the failure and go on.
mariadb_start() {
  local state=$1 user data install_db server i
  user="$(id -un)"
  install_db="$(mc_mariadb_bin mariadb-install-db mysql_install_db)" || return 1
  server="$(mc_mariadb_bin mariadbd mysqld)" || return 1
  mkdir -p "$state" || return 1
  state="$(cd "$state" && pwd)"
  data="$state/data"
  if [[ ! -d "$data/mysql" ]]; then
    rm -rf "$data" && mkdir -p "$data" || return 1
    if ! "$install_db" --no-defaults --datadir="$data" --user="$user" --skip-test-db \
      --auth-root-authentication-method=socket >"$state/install.log" 2>&1; then
      cat "$state/install.log" >&2
      rm -rf "$data"
      mc_warn "mariadb-install-db failed"
      return 1
    fi
  fi
  # Unix socket paths are limited to ~107 bytes: keep the socket in a short temporary folder.
  MC_DB_SOCKET_DIR="$(mktemp -d "${TMPDIR:-/tmp}/mc-db.XXXXXX")" || return 1
  MC_DB_SOCKET="$MC_DB_SOCKET_DIR/mysqld.sock"
  MC_DB_PORT="$(mc_free_port)" || return 1
  "$server" --no-defaults --datadir="$data" --socket="$MC_DB_SOCKET" --port="$MC_DB_PORT" \
    --bind-address=127.0.0.1 --user="$user" --pid-file="$state/mysqld.pid" \
    --log-error="$state/error.log" --skip-name-resolve --innodb-buffer-pool-size=64M \
    --max-connections=200 </dev/null >/dev/null 2>&1 &
  MC_DB_PID=$!
  for ((i = 0; i < 300; i++)); do
    if [[ -S "$MC_DB_SOCKET" ]] && mariadb_sql 'SELECT 1' >/dev/null 2>&1; then
      mc_log "MariaDB ready on 127.0.0.1:$MC_DB_PORT (data: $data)"
      return 0
    fi
    if ! kill -0 "$MC_DB_PID" 2>/dev/null; then
      tail -n 30 "$state/error.log" >&2 || true
      MC_DB_PID=""
      mc_warn "mariadbd exited during start-up (log: $state/error.log)"
      return 1
    fi
    sleep 0.1
  done
  tail -n 30 "$state/error.log" >&2 || true
  mc_warn "mariadbd did not answer within 30 s (log: $state/error.log)"
  return 1
}

mariadb_sql() {
  local client
  client="$(mc_mariadb_bin mariadb mysql)"
  "$client" --no-defaults --socket="$MC_DB_SOCKET" -u "$(id -un)" --batch --skip-column-names -e "$1"
}

# mariadb_ensure_db NAME USER PASSWORD — database NAME (kept when it exists), which USER may use
# over TCP with PASSWORD.
mariadb_ensure_db() {
  local name=$1 user=$2 password=$3 host
  mariadb_sql "CREATE DATABASE IF NOT EXISTS \`$name\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"
  for host in 127.0.0.1 localhost; do
    mariadb_sql "CREATE USER IF NOT EXISTS '$user'@'$host' IDENTIFIED BY '$password';
      ALTER USER '$user'@'$host' IDENTIFIED BY '$password';
      GRANT ALL PRIVILEGES ON \`$name\`.* TO '$user'@'$host';"
  done
}

# mariadb_create_db NAME USER PASSWORD — like mariadb_ensure_db, but NAME starts empty.
mariadb_create_db() {
  mariadb_sql "DROP DATABASE IF EXISTS \`$1\`;"
  mariadb_ensure_db "$@"
}

mariadb_stop() {
  local i
  if [[ -n "$MC_DB_PID" ]] && kill -0 "$MC_DB_PID" 2>/dev/null; then
    kill "$MC_DB_PID" 2>/dev/null || true
    for ((i = 0; i < 300; i++)); do
      kill -0 "$MC_DB_PID" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$MC_DB_PID" 2>/dev/null; then
      mc_warn "mariadbd ($MC_DB_PID) did not stop in 30 s: killing it"
      kill -9 "$MC_DB_PID" 2>/dev/null || true
    fi
    wait "$MC_DB_PID" 2>/dev/null || true
  fi
  MC_DB_PID=""
  if [[ -n "$MC_DB_SOCKET_DIR" ]]; then
    rm -rf "$MC_DB_SOCKET_DIR"
    MC_DB_SOCKET_DIR=""
  fi
}
