<?php
/** The extension loads under its own name, reports the crate version and fills a phpinfo() section. */

declare(strict_types=1);
require __DIR__ . '/lib/assert.php';

assert(extension_loaded('mirakl_connector'), 'extension_loaded("mirakl_connector")');

preg_match('/^version\s*=\s*"([^"]+)"/m', (string) file_get_contents(repo_root() . '/Cargo.toml'), $m);
assert(isset($m[1]), 'crate version found in Cargo.toml');
assert(MiraklConnector\Native\version() === $m[1], 'version() is the crate version');
assert(phpversion('mirakl_connector') === $m[1], 'phpversion() is the crate version');

preg_match("/define\( 'MIRAKL_CONNECTOR_VERSION', '([^']+)' \)/", (string) file_get_contents(repo_root() . '/plugin/mirakl-connector-for-woocommerce.php'), $p);
assert(($p[1] ?? null) === $m[1], 'plugin constant MIRAKL_CONNECTOR_VERSION equals the crate version');

ob_start();
phpinfo(INFO_MODULES);
$info = (string) ob_get_clean();
assert(str_contains($info, 'Mirakl connector core => enabled'), 'phpinfo section present');
assert((bool) preg_match('/^Version => ' . preg_quote($m[1], '/') . '$/m', $info), 'phpinfo shows the version');
assert((bool) preg_match('/^Build profile => (release|debug)$/m', $info), 'phpinfo shows the build profile');
assert((bool) preg_match('/^SQLite version => 3\.\d+\.\d+$/m', $info), 'phpinfo shows the SQLite version');

$functions = array_map('strtolower', get_extension_funcs('mirakl_connector'));
sort($functions);
assert($functions === ['miraklconnector\native\validate_finance_settings', 'miraklconnector\native\validate_settings', 'miraklconnector\native\validate_sync_settings', 'miraklconnector\native\version'], 'exported functions: ' . implode(', ', $functions));
echo "ok\n";
