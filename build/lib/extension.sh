# shellcheck shell=bash
# Builds the PHP extension and says where it is. Sourced after common.sh.

# Cargo's target directory, absolute (CARGO_TARGET_DIR is honoured like cargo does).
mc_target_dir() {
  local dir="${CARGO_TARGET_DIR:-$MC_ROOT/target}"
  [[ "$dir" == /* ]] || dir="$MC_ROOT/$dir"
  printf '%s\n' "$dir"
}

# The release extension's path (it may not exist yet).
mc_extension_path() {
  printf '%s/release/libmirakl_connector.so\n' "$(mc_target_dir)"
}

# build_extension — `cargo build --release --features php`, then checks the .so is loadable as a
# plain extension: PHP reports it and it is not linked to libphp (an `embed` build would be).
build_extension() {
  local so
  so="$(mc_extension_path)"
  mc_log "building the extension: cargo build --release --features php"
  (cd "$MC_ROOT" && cargo build --release --features php) || return 1
  [[ -f "$so" ]] || { mc_warn "cargo succeeded but $so is missing"; return 1; }
  if command -v ldd >/dev/null 2>&1 && ldd "$so" | grep -q 'libphp'; then
    mc_warn "$so is linked to libphp (an embed build): PHP would crash loading it"
    return 1
  fi
  if ! "$MC_PHP" -n -d "extension=$so" -r 'exit(extension_loaded("mirakl_connector") ? 0 : 1);'; then
    mc_warn "PHP does not load $so as the mirakl_connector extension"
    return 1
  fi
  mc_log "extension ready: $so"
}
