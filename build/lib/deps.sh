# shellcheck shell=bash
# Installs what the build and the tests need: Debian packages (apt-get, through sudo when not
# root) and a check for the Rust toolchain. Sourced after common.sh.

# The Debian packages every tier needs (browsers are not listed: no tier drives one yet).
MC_BASE_PACKAGES=(
  php8.2-cli php8.2-dev php8.2-mysql php8.2-xml php8.2-mbstring php8.2-curl php8.2-zip php8.2-intl
  libclang-dev clang mariadb-server wordpress wordpress-theme-twentytwentythree phpunit unzip zip
)

mc_apt_updated=0

# ensure_packages PKG... — installs the packages that are not installed yet; a no-op when all are.
# MIRAKL_SKIP_APT=1 only reports what is missing (for machines managed by other means).
ensure_packages() {
  local missing=() pkg
  if ! command -v dpkg-query >/dev/null 2>&1; then
    mc_warn "not a Debian system (no dpkg-query): install by hand: $*"
    return 0
  fi
  for pkg in "$@"; do
    if ! dpkg-query -W -f='${Status}\n' "$pkg" 2>/dev/null | grep -q '^install ok installed$'; then
      missing+=("$pkg")
    fi
  done
  ((${#missing[@]} == 0)) && return 0
  if [[ "${MIRAKL_SKIP_APT:-0}" == 1 ]]; then
    mc_die "missing Debian packages (MIRAKL_SKIP_APT=1 set): ${missing[*]}"
  fi
  local sudo=()
  if [[ "$(id -u)" -ne 0 ]]; then
    command -v sudo >/dev/null 2>&1 || mc_die "not root and no sudo: install ${missing[*]}"
    sudo=(sudo)
  fi
  mc_log "installing Debian packages: ${missing[*]}"
  if ((mc_apt_updated == 0)); then
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
    mc_apt_updated=1
  fi
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# ensure_rust — cargo on PATH (rustup's usual $HOME/.cargo/bin is tried too).
ensure_rust() {
  if ! command -v cargo >/dev/null 2>&1 && [[ -x "$HOME/.cargo/bin/cargo" ]]; then
    PATH="$HOME/.cargo/bin:$PATH"
    export PATH
  fi
  command -v cargo >/dev/null 2>&1 ||
    mc_die "cargo not found: install Rust $(awk -F'"' '/^rust-version/ {print $2; exit}' "$MC_ROOT/Cargo.toml") or newer (for example with rustup)"
}

# ensure_build_deps — everything build/test, build/run and build/package need.
ensure_build_deps() {
  # Inside the Debian 13 root of the newest-php environment, its own package list (trixie.sh) was
  # installed when it was made.
  [[ "${MIRAKL_IN_ROOT:-0}" == 1 ]] || ensure_packages "${MC_BASE_PACKAGES[@]}"
  ensure_rust
}
