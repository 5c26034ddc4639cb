# shellcheck shell=bash
# The test matrix: named environments, each a PHP, a WordPress, a WooCommerce and a MariaDB that
# build/test sets up from nothing. Sourced after common.sh and wordpress.sh.
#
#   env     PHP                    WordPress              WooCommerce  MariaDB         orders
#   oldest  8.2 (Debian 12)        6.1 (Debian 12)        7.9.0        10.11 (Deb. 12) posts, HPOS
#   current 8.2 (Debian 12)        7.1.0 (peers)          10.5.0       10.11 (Deb. 12) HPOS, posts
#   newest-php 8.4 (Debian 13)     6.8 (Debian 13)        10.5.0       11.8 (Debian 13) HPOS
#
# newest-php runs inside a Debian 13 root (build/lib/trixie.sh): build/test starts itself there.
# The platforms come from WORDPRESS_CORE_DIR / WOOCOMMERCE_DIR / WOOCOMMERCE_ZIP when set (for
# every environment), else from the peers folder, else from the cache folder (wordpress.sh).
#
#   env_use NAME     selects NAME: sets MC_ENV, MC_WP_CORE (empty when that WordPress is missing),
#                    MC_WC_PEER_VERSION, MC_ENV_STORAGES and MC_ENV_LABEL ("php8.2 wp6.1 wc7.9")
#   env_wp_ready     whether the selected environment's WordPress is there

MC_ALL_ENVS=(oldest current newest-php)
MC_ENV=""
MC_ENV_LABEL=""
MC_ENV_STORAGES=()

# shellcheck disable=SC2034 # read by build/test
env_use() {
  MC_ENV=$1
  case "$1" in
    oldest)
      MC_WP_CORE="${WORDPRESS_CORE_DIR:-/usr/share/wordpress}"
      MC_WC_PEER_VERSION=7.9.0
      MC_ENV_STORAGES=(posts hpos)
      ;;
    current)
      MC_WP_CORE="$(wordpress_source 7.1.0)" || MC_WP_CORE=""
      MC_WC_PEER_VERSION=10.5.0
      MC_ENV_STORAGES=(hpos posts)
      ;;
    newest-php)
      # Inside the Debian 13 root: its packaged WordPress (or WORDPRESS_CORE_DIR).
      MC_WP_CORE="${WORDPRESS_CORE_DIR:-/usr/share/wordpress}"
      MC_WC_PEER_VERSION=10.5.0
      MC_ENV_STORAGES=(hpos)
      ;;
    *) mc_die "unknown environment '$1' (environments: ${MC_ALL_ENVS[*]})" ;;
  esac
  [[ -f "$MC_WP_CORE/wp-settings.php" ]] || MC_WP_CORE=""
  local php wp wc source
  php="$("$MC_PHP" -n -r 'echo PHP_MAJOR_VERSION, ".", PHP_MINOR_VERSION;')"
  wp="wp-missing"
  [[ -z "$MC_WP_CORE" ]] || wp="wp$(wordpress_version "$MC_WP_CORE" | cut -d. -f1-2)"
  wc="wc-missing"
  if source="$(woocommerce_source 2>/dev/null)"; then wc="wc$(woocommerce_version "$source" | cut -d. -f1-2)"; fi
  MC_ENV_LABEL="php$php $wp $wc"
}

env_wp_ready() { [[ -n "$MC_WP_CORE" ]]; }

# How to provide the selected environment's WordPress, for the banners.
env_wp_howto() {
  case "$MC_ENV" in
    current)
      printf '%s\n' "Put WordPress 7.1.0 where the scripts look for it, one of:" \
        "  WORDPRESS_CORE_DIR=/path/to/wordpress   a WordPress folder (wp-settings.php at its top)" \
        "  the release tarball wordpress-7.1.0.tar.gz in $MC_PEERS_DIR (MIRAKL_PEERS_DIR)" \
        "  or unpack it so that $MC_CACHE_DIR/wordpress-7.1.0/wp-settings.php exists."
      ;;
    *) printf '%s\n' "Install the Debian package wordpress, or set WORDPRESS_CORE_DIR to a WordPress folder." ;;
  esac
}
