# shellcheck shell=bash
# Shared helpers for the build/ scripts: repository paths, messages, PHP binary, free ports.
# Sourced, never executed. Callers run with `set -euo pipefail`.

# The repository root, from this file's location (build/lib/common.sh).
MC_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export MC_ROOT

# Where the default WooCommerce copy and the dev site's state live when nothing else is said.
# shellcheck disable=SC2034 # read by wordpress.sh and the scripts
MC_CACHE_DIR="${MIRAKL_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/mirakl-connector}"

# The PHP CLI that runs tests and the dev server: $PHP when set (the same variable ext-php-rs's
# build script reads), else the `php` on PATH.
MC_PHP="${PHP:-php}"

mc_log() { printf '==> %s\n' "$*" >&2; }
mc_warn() { printf 'WARNING: %s\n' "$*" >&2; }
mc_die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

# A banner that is hard to miss in a long log.
mc_banner() {
  local line='################################################################################'
  printf '\n%s\n' "$line" >&2
  local msg line
  for msg in "$@"; do
    while IFS= read -r line; do printf '## %s\n' "$line" >&2; done <<<"$msg"
  done
  printf '%s\n\n' "$line" >&2
}

# A TCP port on 127.0.0.1 that was free a moment ago (the kernel picks it by binding port 0).
mc_free_port() {
  "$MC_PHP" -n -r '$s = stream_socket_server("tcp://127.0.0.1:0", $e, $m) or exit(1);
    $n = stream_socket_get_name($s, false); echo substr($n, strrpos($n, ":") + 1), "\n";'
}

# Whether something accepts TCP connections on 127.0.0.1:$1.
mc_port_open() {
  "$MC_PHP" -n -r 'exit(@fsockopen("127.0.0.1", (int) $argv[1], $e, $m, 0.5) ? 0 : 1);' "$1"
}

# Waits until a TCP port on 127.0.0.1 accepts connections; fails after $2 seconds (default 30).
mc_wait_for_port() {
  local port=$1 timeout=${2:-30} i
  for ((i = 0; i < timeout * 10; i++)); do
    mc_port_open "$port" && return 0
    sleep 0.1
  done
  return 1
}

# A random alphanumeric secret of $1 characters (default 24).
mc_random_secret() {
  "$MC_PHP" -n -r '$a = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"; $s = "";
    for ($i = 0; $i < (int) $argv[1]; $i++) { $s .= $a[random_int(0, strlen($a) - 1)]; } echo $s, "\n";' "${1:-24}"
}

# The PHP version tag used in artifact names: php8.2-nts-x86_64.
mc_php_tag() {
  "$MC_PHP" -n -r 'echo "php", PHP_MAJOR_VERSION, ".", PHP_MINOR_VERSION, "-", (PHP_ZTS ? "zts" : "nts"), "-", php_uname("m"), "\n";'
}

# The package version from the root Cargo.toml's [package] section.
mc_crate_version() {
  awk '/^\[package\]/ { p = 1; next } /^\[/ { p = 0 } p && /^version *=/ { gsub(/.*= *"|".*/, ""); print; exit }' \
    "$MC_ROOT/Cargo.toml"
}
