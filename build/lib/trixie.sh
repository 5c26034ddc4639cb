# shellcheck shell=bash
# A Debian 13 (trixie) root for the newest-php test environment: PHP 8.4, WordPress 6.8 and
# MariaDB 11.8 from trixie's packages, made with debootstrap and kept in the cache folder (never
# in the repository) under a name keyed by its package list, so a changed list makes a new root
# and an unchanged one is reused between runs. build/test runs itself inside it (trixie_run):
# the repository, the peers folder, the cache folder and the host's Rust toolchain are
# bind-mounted at their own paths in a private mount namespace, which takes the mounts with it
# when the run ends. Needs root (debootstrap, mount, chroot). Sourced after common.sh and deps.sh.
#
#   trixie_root_dir      where the root for this package list lives (it may not exist yet)
#   trixie_ensure_root   makes the root when it is missing; prints its path; fails with a message
#   trixie_run ROOT DIR CMD...   runs CMD inside ROOT with the mounts, working directory DIR

MC_TRIXIE_SUITE="${MIRAKL_TRIXIE_SUITE:-trixie}"
MC_TRIXIE_MIRROR="${MIRAKL_TRIXIE_MIRROR:-http://deb.debian.org/debian}"
MC_TRIXIE_PACKAGES=(
  php8.4-cli php8.4-dev php8.4-mysql php8.4-xml php8.4-mbstring php8.4-curl php8.4-zip php8.4-intl
  libclang-dev clang gcc libc6-dev mariadb-server wordpress wordpress-theme-twentytwentyfive phpunit
  unzip zip ca-certificates
)

trixie_root_dir() {
  local key
  key="$(printf '%s\n' "$MC_TRIXIE_SUITE" "$MC_TRIXIE_MIRROR" "${MC_TRIXIE_PACKAGES[@]}" | sha256sum | cut -c1-12)"
  printf '%s/roots/%s-%s\n' "$MC_CACHE_DIR" "$MC_TRIXIE_SUITE" "$key"
}

trixie_ensure_root() {
  local root tmp log
  root="$(trixie_root_dir)"
  # Using the root needs root as much as making it does (unshare, chroot).
  [[ "$(id -u)" -eq 0 ]] || { mc_warn "the $MC_TRIXIE_SUITE root needs root (debootstrap, unshare, chroot)"; return 1; }
  if [[ -f "$root/.mirakl-root-ready" ]]; then
    printf '%s\n' "$root"
    return 0
  fi
  ensure_packages debootstrap >&2 || return 1
  mkdir -p "$(dirname "$root")"
  tmp="$root.partial"
  log="$(dirname "$root")/$(basename "$root").log"
  rm -rf "$tmp"
  mc_log "making the $MC_TRIXIE_SUITE root $root (debootstrap, then apt-get: ${MC_TRIXIE_PACKAGES[*]}); log: $log"
  if ! debootstrap --variant=minbase "$MC_TRIXIE_SUITE" "$tmp" "$MC_TRIXIE_MIRROR" >"$log" 2>&1; then
    tail -n 20 "$log" >&2
    mc_warn "debootstrap $MC_TRIXIE_SUITE failed (log: $log)"
    return 1
  fi
  # Services never start inside the root at install time (mariadb-server's postinst would).
  printf '#!/bin/sh\nexit 101\n' >"$tmp/usr/sbin/policy-rc.d"
  chmod +x "$tmp/usr/sbin/policy-rc.d"
  if ! trixie_run "$tmp" / env DEBIAN_FRONTEND=noninteractive sh -c \
    "apt-get update -q && apt-get install -y -q --no-install-recommends $(printf '%q ' "${MC_TRIXIE_PACKAGES[@]}") && apt-get clean" \
    >>"$log" 2>&1; then
    tail -n 20 "$log" >&2
    mc_warn "installing the packages in the $MC_TRIXIE_SUITE root failed (log: $log)"
    return 1
  fi
  touch "$tmp/.mirakl-root-ready"
  rm -rf "$root"
  mv "$tmp" "$root"
  # Roots made for an earlier package list are not used any more.
  local old
  for old in "$(dirname "$root")/$MC_TRIXIE_SUITE"-*; do
    [[ "$old" == "$root" || "$old" == "$root.log" || ! -e "$old" ]] || rm -rf "$old"
  done
  mc_log "the $MC_TRIXIE_SUITE root is ready: $root"
  printf '%s\n' "$root"
}

# trixie_run ROOT DIR CMD... — CMD in ROOT (a private mount namespace: /proc, /dev, /tmp, the
# repository, the peers folder, the cache folder, the Rust toolchain and an outside cargo target
# directory mounted at their paths).
trixie_run() {
  local root=$1 dir=$2
  shift 2
  local binds=("$MC_ROOT" "$MC_CACHE_DIR")
  [[ ! -d "${MC_PEERS_DIR:-}" ]] || binds+=("$(cd "$MC_PEERS_DIR" && pwd)")
  [[ ! -d "${CARGO_HOME:-$HOME/.cargo}" ]] || binds+=("${CARGO_HOME:-$HOME/.cargo}")
  [[ ! -d "${RUSTUP_HOME:-$HOME/.rustup}" ]] || binds+=("${RUSTUP_HOME:-$HOME/.rustup}")
  # Cargo's target directory when CARGO_TARGET_DIR puts it outside the repository: the root
  # builds into it (its own subfolder) and packages the outer build's extension from it.
  local target
  target="$(mc_target_dir)"
  [[ "$target" == "$MC_ROOT" || "$target" == "$MC_ROOT"/* ]] || { mkdir -p "$target" && binds+=("$target"); }
  cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
  cp -L /etc/hosts "$root/etc/hosts" 2>/dev/null || true
  unshare --mount --propagation private -- bash -c '
    set -e
    root=$1 dir=$2
    shift 2
    mount -t proc proc "$root/proc"
    mount --rbind /dev "$root/dev"
    mount -t tmpfs tmpfs "$root/tmp"
    while [[ $1 != -- ]]; do
      mkdir -p "$root$1"
      mount --bind "$1" "$root$1"
      shift
    done
    shift
    exec chroot "$root" /bin/sh -c "cd \"\$0\" && exec \"\$@\"" "$dir" "$@"
  ' trixie-run "$root" "$dir" "${binds[@]}" -- "$@"
}
