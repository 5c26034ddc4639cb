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

# mc_php_without_system_extension DIR — when this machine's php.ini already loads mirakl_connector
# (an install following the README), PHP would load that copy before the one a script asks for,
# and no run could be without it. Then this writes DIR/php.ini: the system's ini files without
# their extension= lines naming mirakl, and exports PHPRC and an empty PHP_INI_SCAN_DIR so every
# PHP started from here on (and its children) reads it instead. A no-op otherwise.
mc_php_without_system_extension() {
  local dir=$1
  "$MC_PHP" -r 'exit(extension_loaded("mirakl_connector") ? 0 : 1);' 2>/dev/null || return 0
  mkdir -p "$dir"
  "$MC_PHP" -r '
    $files = array_filter(array_merge([php_ini_loaded_file()], array_map("trim", explode(",", (string) php_ini_scanned_files()))));
    foreach ($files as $file) {
        echo "; from $file\n";
        foreach (file($file) as $line) {
            if (!preg_match("/^\s*(zend_)?extension\s*=.*mirakl/i", $line)) { echo $line; }
        }
        echo "\n";
    }' >"$dir/php.ini"
  export PHPRC="$dir" PHP_INI_SCAN_DIR=""
  if "$MC_PHP" -r 'exit(extension_loaded("mirakl_connector") ? 0 : 1);'; then
    mc_die "this PHP loads mirakl_connector even without the php.ini lines naming it: cannot test without it"
  fi
  mc_log "this PHP's php.ini loads mirakl_connector: build scripts use a copy without that line ($dir/php.ini)"
}
