# shellcheck shell=bash
# The translation template plugin/languages/mirakl-connector-for-woocommerce.pot, extracted from
# the plugin's PHP files with GNU gettext's xgettext (Debian package gettext) and WordPress's
# translation functions as keywords. Locations name the file only, so moving code around leaves
# the template as it is. Sourced after common.sh and wordpress.sh.
#
#   pot_generate OUT   writes the template to OUT (no creation date: the file changes only when
#                      a string does)
#   pot_check          fails, saying how to refresh it, when the committed template is not current

MC_POT_FILE="plugin/languages/$MC_PLUGIN_SLUG.pot"

pot_generate() {
  local out=$1 files=()
  mapfile -t files < <(cd "$MC_ROOT/plugin" && find . -name '*.php' -not -path './languages/*' | sed 's|^\./||' | LC_ALL=C sort)
  (cd "$MC_ROOT/plugin" && xgettext --language=PHP --from-code=UTF-8 --sort-by-file --add-location=file --add-comments=translators: \
    --package-name="Mirakl Connector for WooCommerce" --package-version="$(mc_crate_version)" \
    --keyword=__:1,2t --keyword=_e:1,2t --keyword=_x:1,2c,3t --keyword=_ex:1,2c,3t \
    --keyword=_n:1,2,4t --keyword=_nx:1,2,4c,5t --keyword=_n_noop:1,2,3t --keyword=_nx_noop:1,2,3c,4t \
    --keyword=esc_attr__:1,2t --keyword=esc_html__:1,2t --keyword=esc_attr_e:1,2t --keyword=esc_html_e:1,2t \
    --keyword=esc_attr_x:1,2c,3t --keyword=esc_html_x:1,2c,3t \
    --output=- "${files[@]}") | sed '/^"POT-Creation-Date: /d' >"$out"
}

pot_check() {
  local fresh
  fresh="$(mktemp)"
  pot_generate "$fresh"
  if ! diff -u "$MC_ROOT/$MC_POT_FILE" "$fresh" >/dev/null 2>&1; then
    diff -u "$MC_ROOT/$MC_POT_FILE" "$fresh" | head -n 40
    rm -f "$fresh"
    printf '%s is not current: run build/pot to refresh it\n' "$MC_POT_FILE"
    return 1
  fi
  rm -f "$fresh"
}
