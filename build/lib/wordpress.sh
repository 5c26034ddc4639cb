# shellcheck shell=bash
# WordPress sites built from Debian's `wordpress` package files, for tests and the dev site.
# Sourced after common.sh and mariadb.sh (the sites talk to the server mariadb_start started).
#
#   wp_make_site SITE DBNAME URL [EXTRA_PHP]   copies the WordPress files, writes wp-config.php
#   wp_write_config SITE DBNAME URL [EXTRA_PHP] (re)writes wp-config.php only
#   wp_tool SITE [--with-extension|--extension=PATH|--without-extension] COMMAND ARGS...
#                                              see build/lib/wp-tool.php
#   wp_install SITE ADMIN_PASSWORD             wp_install(): admin user "admin", pretty permalinks
#   wp_add_plugin SITE copy|link|ZIP           puts plugin/ (or a packaged zip) into
#                                              wp-content/plugins/<slug>
#   woocommerce_source                         prints where WooCommerce comes from, or fails
#   wp_add_woocommerce SITE copy|link          puts WooCommerce into wp-content/plugins/woocommerce

MC_WP_CORE="${WORDPRESS_CORE_DIR:-/usr/share/wordpress}"
MC_PLUGIN_SLUG="mirakl-connector-for-woocommerce"
MC_PLUGIN_FILE="$MC_PLUGIN_SLUG/$MC_PLUGIN_SLUG.php"
MC_WP_DB_USER="${MC_WP_DB_USER:-wordpress}"
MC_WP_DB_PASSWORD="${MC_WP_DB_PASSWORD:-wordpress}"
MC_WP_ADMIN_USER="admin"
MC_WP_ADMIN_EMAIL="admin@example.com"

wp_make_site() {
  local site=$1 dbname=$2 url=$3 extra=${4:-}
  [[ -f "$MC_WP_CORE/wp-settings.php" ]] || mc_die "no WordPress in $MC_WP_CORE: install the Debian package wordpress"
  rm -rf "$site"
  mkdir -p "$(dirname "$site")"
  cp -a "$MC_WP_CORE" "$site"
  # Debian's copy carries an .htaccess link into /etc and a wp-config.php that reads /etc/wordpress.
  rm -f "$site/.htaccess" "$site/wp-config.php"
  wp_fix_links "$site"
  mkdir -p "$site/wp-content/plugins" "$site/wp-content/uploads" "$site/wp-content/mu-plugins"
  cp "$MC_ROOT/build/lib/wp-site-mu-plugin.php" "$site/wp-content/mu-plugins/mirakl-dev-site.php"
  cp "$MC_ROOT/build/lib/router.php" "$site/router.php"
  mariadb_ensure_db "$dbname" "$MC_WP_DB_USER" "$MC_WP_DB_PASSWORD"
  wp_write_config "$site" "$dbname" "$url" "$extra"
}

# wp_fix_links SITE — Debian's WordPress links some files (underscore.js, ID3, certificates) to
# other packages with relative links, which point nowhere in a copy: wp-admin's scripts then fail
# (Site Health, media). Each link is made absolute, to what it names in Debian's copy.
wp_fix_links() {
  local site=$1 link target
  while IFS= read -r -d '' link; do
    [[ "$link" == ./.htaccess || "$link" == ./wp-config.php ]] && continue
    target="$(readlink -f "$MC_WP_CORE/$link")" || continue
    [[ -e "$target" ]] && ln -sfn "$target" "$site/$link"
  done < <(cd "$MC_WP_CORE" && find . -type l -print0)
}

wp_write_config() {
  local site=$1 dbname=$2 url=$3 extra=${4:-} salts name
  salts=""
  for name in AUTH_KEY SECURE_AUTH_KEY LOGGED_IN_KEY NONCE_KEY AUTH_SALT SECURE_AUTH_SALT LOGGED_IN_SALT NONCE_SALT; do
    salts+="define('$name', '$(mc_random_secret 64)');"$'\n'
  done
  cat >"$site/wp-config.php" <<PHP
<?php
// Written by build/lib/wordpress.sh for a throw-away site; rewritten on every start.
define('DB_NAME', '$dbname');
define('DB_USER', '$MC_WP_DB_USER');
define('DB_PASSWORD', '$MC_WP_DB_PASSWORD');
define('DB_HOST', '127.0.0.1:$MC_DB_PORT');
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
$salts
\$table_prefix = 'wp_';
define('WP_HOME', '$url');
define('WP_SITEURL', '$url');
define('WP_ENVIRONMENT_TYPE', 'local');
define('WP_HTTP_BLOCK_EXTERNAL', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
define('WP_AUTO_UPDATE_CORE', false);
define('DISALLOW_FILE_EDIT', true);
define('WP_DEBUG', true);
define('WP_DEBUG_DISPLAY', false);
define('WP_DEBUG_LOG', __DIR__ . '/wp-content/debug.log');
$extra
// Command-line scripts (installer, tests) have no request: give WordPress the site's host.
if (PHP_SAPI === 'cli' && empty(\$_SERVER['HTTP_HOST'])) {
    \$_SERVER['HTTP_HOST'] = parse_url(WP_HOME, PHP_URL_HOST) . (parse_url(WP_HOME, PHP_URL_PORT) ? ':' . parse_url(WP_HOME, PHP_URL_PORT) : '');
    \$_SERVER['SERVER_NAME'] = parse_url(WP_HOME, PHP_URL_HOST);
    \$_SERVER['SERVER_PORT'] = parse_url(WP_HOME, PHP_URL_PORT) ?: 80;
    \$_SERVER['REQUEST_URI'] = \$_SERVER['REQUEST_URI'] ?? '/';
    \$_SERVER['REQUEST_METHOD'] = \$_SERVER['REQUEST_METHOD'] ?? 'GET';
    \$_SERVER['SERVER_PROTOCOL'] = 'HTTP/1.1';
}
if (!defined('ABSPATH')) {
    define('ABSPATH', __DIR__ . '/');
}
require_once ABSPATH . 'wp-settings.php';
PHP
}

# The PHP command line (NUL-separated) for a site script: --with-extension (the build in target/),
# --extension=PATH (another build, e.g. the one a plugin zip ships) or --without-extension.
mc_php_cmd() {
  local mode=$1
  case "$mode" in
    --with-extension) printf '%s\0-d\0extension=%s\0' "$MC_PHP" "$(mc_extension_path)" ;;
    --extension=*) printf '%s\0-d\0extension=%s\0' "$MC_PHP" "${mode#--extension=}" ;;
    --without-extension) printf '%s\0' "$MC_PHP" ;;
    *) mc_die "mc_php_cmd: unknown mode $mode" ;;
  esac
}

wp_tool() {
  local site=$1 mode=--with-extension cmd=()
  shift
  if [[ "${1:-}" == --with-extension || "${1:-}" == --without-extension || "${1:-}" == --extension=* ]]; then
    mode=$1
    shift
  fi
  mapfile -d '' -t cmd < <(mc_php_cmd "$mode")
  "${cmd[@]}" "$MC_ROOT/build/lib/wp-tool.php" "$site" "$@"
}

wp_install() {
  local site=$1 password=$2
  wp_tool "$site" --without-extension install "Mirakl connector dev" "$MC_WP_ADMIN_USER" "$password" "$MC_WP_ADMIN_EMAIL"
}

# The plugin folder as WordPress sees it: a copy of plugin/ (what a zip install gives), a link to
# plugin/ (the dev site, so edits show at once), or a zip made by build/package, unpacked.
wp_add_plugin() {
  local site=$1 mode=$2 dest
  dest="$site/wp-content/plugins/$MC_PLUGIN_SLUG"
  [[ -f "$MC_ROOT/plugin/$MC_PLUGIN_SLUG.php" ]] || mc_warn "plugin/$MC_PLUGIN_SLUG.php does not exist (yet)"
  rm -rf "$dest"
  case "$mode" in
    copy) mkdir -p "$dest" && cp -a "$MC_ROOT/plugin/." "$dest/" ;;
    link) ln -s "$MC_ROOT/plugin" "$dest" ;;
    *.zip)
      unzip -q "$mode" -d "$site/wp-content/plugins"
      [[ -f "$dest/$MC_PLUGIN_SLUG.php" ]] || mc_die "$mode has no $MC_PLUGIN_FILE"
      ;;
    *) mc_die "wp_add_plugin: copy, link or a .zip, not $mode" ;;
  esac
}

# Where WooCommerce comes from: WOOCOMMERCE_DIR (a plugin folder), WOOCOMMERCE_ZIP (a plugin zip),
# else the default folder $MC_CACHE_DIR/woocommerce. Prints the path; fails when there is none.
woocommerce_source() {
  if [[ -n "${WOOCOMMERCE_DIR:-}" ]]; then
    [[ -f "$WOOCOMMERCE_DIR/woocommerce.php" ]] || mc_die "WOOCOMMERCE_DIR=$WOOCOMMERCE_DIR has no woocommerce.php"
    printf '%s\n' "$WOOCOMMERCE_DIR"
  elif [[ -n "${WOOCOMMERCE_ZIP:-}" ]]; then
    [[ -f "$WOOCOMMERCE_ZIP" ]] || mc_die "WOOCOMMERCE_ZIP=$WOOCOMMERCE_ZIP does not exist"
    printf '%s\n' "$WOOCOMMERCE_ZIP"
  elif [[ -f "$MC_PEERS_DIR/woocommerce-$MC_WC_PEER_VERSION.tar.gz" ]]; then
    woocommerce_from_peers
  elif [[ -f "$MC_CACHE_DIR/woocommerce-$MC_WC_PEER_VERSION/woocommerce.php" ]]; then
    printf '%s\n' "$MC_CACHE_DIR/woocommerce-$MC_WC_PEER_VERSION"
  elif [[ -f "$MC_CACHE_DIR/woocommerce/woocommerce.php" ]]; then
    printf '%s\n' "$MC_CACHE_DIR/woocommerce"
  else
    return 1
  fi
}

# The release tarballs beside the repository (../shared/peers), unpacked once into the cache. The
# oldest supported WooCommerce is the one that runs on Debian 12's packaged WordPress.
MC_PEERS_DIR="${MIRAKL_PEERS_DIR:-$MC_ROOT/../shared/peers}"
MC_WC_PEER_VERSION="${MIRAKL_WC_PEER_VERSION:-7.9.0}"
woocommerce_from_peers() {
  peers_unpack "$MC_PEERS_DIR/woocommerce-$MC_WC_PEER_VERSION.tar.gz" woocommerce \
    "$MC_CACHE_DIR/peers/woocommerce-$MC_WC_PEER_VERSION"
}

# peers_unpack TARBALL NAME DEST — unpacks TARBALL (top folder NAME) once into DEST/NAME.
peers_unpack() {
  local tarball=$1 name=$2 dest=$3 tmp
  if [[ ! -d "$dest/$name" ]]; then
    mkdir -p "$(dirname "$dest")"
    tmp="$(mktemp -d "$(dirname "$dest")/.unpack.XXXXXX")"
    tar -xzf "$tarball" -C "$tmp" >&2
    [[ -d "$tmp/$name" ]] || { rm -rf "$tmp"; mc_die "$tarball has no $name/ folder"; }
    rm -rf "$dest"
    mv "$tmp" "$dest"
  fi
  printf '%s\n' "$dest/$name"
}

# wordpress_source VERSION — a WordPress release's files: WORDPRESS_CORE_DIR when set, else the
# peers' wordpress-VERSION.tar.gz (unpacked once into the cache), else the cache folder
# $MC_CACHE_DIR/wordpress-VERSION. Prints the path; fails when there is none.
wordpress_source() {
  local version=$1
  if [[ -n "${WORDPRESS_CORE_DIR:-}" ]]; then
    [[ -f "$WORDPRESS_CORE_DIR/wp-settings.php" ]] || mc_die "WORDPRESS_CORE_DIR=$WORDPRESS_CORE_DIR has no wp-settings.php"
    printf '%s\n' "$WORDPRESS_CORE_DIR"
  elif [[ -f "$MC_PEERS_DIR/wordpress-$version.tar.gz" ]]; then
    peers_unpack "$MC_PEERS_DIR/wordpress-$version.tar.gz" wordpress "$MC_CACHE_DIR/peers/wordpress-$version"
  elif [[ -f "$MC_CACHE_DIR/wordpress-$version/wp-settings.php" ]]; then
    printf '%s\n' "$MC_CACHE_DIR/wordpress-$version"
  else
    return 1
  fi
}

# wordpress_version [CORE_DIR] — "6.1.9" from wp-includes/version.php.
wordpress_version() {
  sed -n "s/^\$wp_version = '\([^']*\)';.*/\1/p" "${1:-$MC_WP_CORE}/wp-includes/version.php" 2>/dev/null | head -n 1
}

# woocommerce_version SOURCE — the Version: header of a WooCommerce folder or zip.
woocommerce_version() {
  local src=$1
  if [[ -f "$src" ]]; then unzip -p "$src" woocommerce/woocommerce.php 2>/dev/null; else cat "$src/woocommerce.php"; fi |
    sed -n 's/^[ *]*Version:[[:space:]]*\([^[:space:]]*\).*/\1/p' | head -n 1
}

# How to make WooCommerce available, for the banners.
woocommerce_howto() {
  printf '%s\n' \
    "Put WooCommerce (7.9 or newer) where the scripts look for it, one of:" \
    "  WOOCOMMERCE_DIR=/path/to/woocommerce   a plugin folder (woocommerce.php at its top)" \
    "  WOOCOMMERCE_ZIP=/path/to/woocommerce.zip   the plugin zip from the WordPress plugin directory" \
    "  the release tarball woocommerce-$MC_WC_PEER_VERSION.tar.gz in $MC_PEERS_DIR (MIRAKL_PEERS_DIR)" \
    "  or unpack it so that $MC_CACHE_DIR/woocommerce/woocommerce.php exists (the default folder)."
}

wp_add_woocommerce() {
  local site=$1 mode=$2 src dest tmp
  src="$(woocommerce_source)" || mc_die "WooCommerce not found. $(woocommerce_howto)"
  dest="$site/wp-content/plugins/woocommerce"
  rm -rf "$dest"
  if [[ -f "$src" ]]; then
    tmp="$(mktemp -d "$site/wp-content/.wc-unzip.XXXXXX")"
    unzip -q "$src" -d "$tmp"
    [[ -f "$tmp/woocommerce/woocommerce.php" ]] || mc_die "$src has no woocommerce/woocommerce.php"
    mv "$tmp/woocommerce" "$dest"
    rm -rf "$tmp"
  elif [[ "$mode" == link ]]; then
    ln -s "$(cd "$src" && pwd)" "$dest"
  else
    mkdir -p "$dest" && cp -a "$src/." "$dest/"
  fi
}
