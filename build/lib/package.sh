# shellcheck shell=bash
# The plugin zip: plugin/ (src/ the classes, views/ the admin templates, assets/) plus the release
# extension for this PHP in bin/. Sourced after common.sh, extension.sh and wordpress.sh.
#
#   package_zip_path OUT_DIR   where package_plugin writes the zip
#   package_so_name            the extension's file name in bin/, e.g. mirakl_connector-php8.2-nts-x86_64.so
#   package_plugin OUT_DIR [PATH=NAME...]   checks that the versions agree and writes the zip; the
#                              release extension must be built already (build_extension); each
#                              PATH=NAME adds another build (another PHP's) to bin/ as NAME
#                              (MIRAKL_PACKAGE_EXTRA_SO holds more such words)

package_zip_path() {
  printf '%s/%s-%s.zip\n' "$1" "$MC_PLUGIN_SLUG" "$(mc_crate_version)"
}

package_so_name() {
  printf 'mirakl_connector-%s.so\n' "$(mc_php_tag)"
}

# The version in Cargo.toml, the plugin header and MIRAKL_CONNECTOR_VERSION must be one: the
# plugin refuses an extension of another version than its own.
package_check_versions() {
  local version main header constant
  version="$(mc_crate_version)"
  [[ -n "$version" ]] || mc_die "no version in Cargo.toml's [package]"
  main="$MC_ROOT/plugin/$MC_PLUGIN_SLUG.php"
  [[ -f "$main" ]] || mc_die "plugin/$MC_PLUGIN_SLUG.php is missing"
  header="$(sed -n 's/^[ *]*Version:[[:space:]]*\([^[:space:]]*\).*/\1/p' "$main" | head -n 1)"
  constant="$(sed -n "s/.*define([[:space:]]*'MIRAKL_CONNECTOR_VERSION',[[:space:]]*'\([^']*\)'.*/\1/p" "$main" | head -n 1)"
  if [[ "$header" != "$version" || "$constant" != "$version" ]]; then
    mc_die "versions differ: Cargo.toml $version, plugin header '$header', MIRAKL_CONNECTOR_VERSION '$constant'"
  fi
}

package_plugin() {
  local out=$1 version so so_name loaded stage dest php_minor zip extra extras=()
  shift
  extras=("$@")
  if [[ -n "${MIRAKL_PACKAGE_EXTRA_SO:-}" ]]; then
    local more=()
    read -r -a more <<<"$MIRAKL_PACKAGE_EXTRA_SO"
    extras+=("${more[@]}")
  fi
  package_check_versions
  version="$(mc_crate_version)"
  so="$(mc_extension_path)"
  [[ -f "$so" ]] || mc_die "$so is missing: build the extension first"
  loaded="$("$MC_PHP" -n -d "extension=$so" -r 'echo MiraklConnector\Native\version();')" ||
    mc_die "PHP cannot load $so"
  [[ "$loaded" == "$version" ]] || mc_die "the built extension reports version '$loaded', not $version"

  so_name="$(package_so_name)"
  stage="$(mktemp -d "${TMPDIR:-/tmp}/mirakl-package.XXXXXX")"
  dest="$stage/$MC_PLUGIN_SLUG"
  mkdir -p "$dest"
  cp -a "$MC_ROOT/plugin/." "$dest/"
  find "$dest" \( -name '.DS_Store' -o -name '*.orig' -o -name '*.rej' -o -name '*~' \
    -o -name '.phpunit.result.cache' \) -delete
  [[ -f "$dest/views/html-admin-dashboard.php" ]] ||
    mc_die "plugin/views/ is missing: the admin screens print through its templates"
  mkdir -p "$dest/bin"
  rm -f "$dest"/bin/*.so
  install -m 0644 "$so" "$dest/bin/$so_name"
  local names=("$so_name")
  for extra in "${extras[@]}"; do
    [[ -f "${extra%%=*}" ]] || mc_die "no extension build at ${extra%%=*}"
    [[ "${extra#*=}" == mirakl_connector-php*.so ]] || mc_die "bad name for a bundled build: ${extra#*=}"
    install -m 0644 "${extra%%=*}" "$dest/bin/${extra#*=}"
    names+=("${extra#*=}")
  done
  php_minor="$("$MC_PHP" -n -r 'echo PHP_MAJOR_VERSION, ".", PHP_MINOR_VERSION;')"
  package_readme "$version" "$php_minor" "${names[@]}" >"$dest/bin/README.txt"

  mkdir -p "$out"
  zip="$(package_zip_path "$out")"
  rm -f "$zip"
  (cd "$stage" && zip -q -r -X "$zip" "$MC_PLUGIN_SLUG")
  rm -rf "$stage"
  mc_log "wrote $zip ($(du -h "$zip" | cut -f1)): $MC_PLUGIN_SLUG/ with bin/$(IFS=,; printf '%s' "${names[*]}" | sed 's|,|, bin/|g')"
}

# package_readme VERSION PHP_MINOR SO_NAME... — bin/README.txt (PHP_MINOR: the first build's).
package_readme() {
  local version=$1 php_minor=$2 so_name=$3 builds
  shift 2
  builds="$(printf '    %s\n' "$@")"
  cat <<README
Mirakl Connector for WooCommerce $version: the PHP extension
===========================================================

The connector's core is a PHP extension. PHP loads extensions only from php.ini (WordPress cannot
load it), so it has to be enabled once by whoever administers the server's PHP.

This folder holds one build per PHP version (the name says which: PHP minor version,
non-thread-safe "nts" or thread-safe "zts", architecture), all for Linux:

$builds

(Debian's and Ubuntu's php-fpm, Apache mod_php and CLI packages are all NTS.) For another PHP
version, ZTS or another architecture, build the extension from the connector's source with
"cargo build --release --features php" on that machine (with PHP and PHP_CONFIG naming that PHP's
php and php-config); the plugin's notice in wp-admin names the file that fits the PHP it runs on.

1. Find the php.ini files your PHP reads: "php --ini" for the command line; for PHP-FPM or the web
   server, see Tools > Site Health > Info > Server in wp-admin, or phpinfo().

2. Add one line with the absolute path of the file in this folder, for example in a new file
   /etc/php/$php_minor/mods-available/mirakl_connector.ini enabled with "phpenmod mirakl_connector"
   on Debian/Ubuntu, or directly in php.ini:

       extension=/path/to/wp-content/plugins/$MC_PLUGIN_SLUG/bin/$so_name

   Enable it for both the web server's PHP (PHP-FPM or Apache) and the command line (WP-CLI and
   the system-cron runner use it).

3. Restart PHP-FPM or the web server (e.g. "systemctl restart php$php_minor-fpm").

4. Check: "php -m | grep mirakl_connector" prints mirakl_connector, and in wp-admin the plugin's
   notice is gone; Tools > Site Health reports the extension as loaded, version $version.

After updating the plugin, keep the extension= line pointing at the new file: the plugin only runs
with the extension of its own version.
README
}
