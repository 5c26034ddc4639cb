<?php
/** validate_settings(): normalised settings back, or a SettingsException naming the bad field. */

declare(strict_types=1);
require __DIR__ . '/lib/assert.php';

use MiraklConnector\Native\NativeException;
use MiraklConnector\Native\SettingsException;
use function MiraklConnector\Native\validate_settings;

// The acceptance example.
$e = expect_throws(SettingsException::class, fn () => validate_settings(['api_url' => 'ftp://x', 'api_key' => 'k']));
assert($e instanceof NativeException);
assert(str_contains($e->getMessage(), 'api_url'), $e->getMessage());
assert($e->getCode() === NativeException::INVALID_SETTINGS);

// A valid set comes back normalised, typed, and without unknown keys.
$valid = validate_settings([
    'api_url' => 'https://acme-prod.mirakl.net/',
    'api_key' => 'a1b2c3d4-0000-1111-2222-333344445555',
    'shop_id' => '2001',
    'timeout' => 45,
    'unrelated' => ['nested' => true],
]);
assert($valid === [
    'api_key' => 'a1b2c3d4-0000-1111-2222-333344445555',
    'api_url' => 'https://acme-prod.mirakl.net/api',
    'connect_timeout_secs' => 5,
    'shop_id' => 2001,
    'timeout_secs' => 45,
], var_export($valid, true));
assert(validate_settings(['api_url' => 'https://a.example/api', 'api_key' => 'k', 'shop_id' => ''])['shop_id'] === null);

// Loopback (plain http included) only in development mode; never outside it.
assert(validate_settings(['api_url' => 'http://127.0.0.1:8089', 'api_key' => 'k'], true)['api_url'] === 'http://127.0.0.1:8089/api');
$e = expect_throws(SettingsException::class, fn () => validate_settings(['api_url' => 'http://127.0.0.1:8089', 'api_key' => 'k']));
assert(str_contains($e->getMessage(), 'loopback') && str_contains($e->getMessage(), 'MIRAKL_CONNECTOR_DEVELOPMENT'), $e->getMessage());
expect_throws(SettingsException::class, fn () => validate_settings(['api_url' => 'https://localhost/api', 'api_key' => 'k'], false));
// A non-empty allow-list refuses other hosts.
$listed = validate_settings(['api_url' => 'https://acme.mirakl.net/api', 'api_key' => 'k', 'allowed_hosts' => "acme.mirakl.net\n*.example.com"]);
assert($listed['allowed_hosts'] === ['acme.mirakl.net', '*.example.com'], var_export($listed, true));
$e = expect_throws(SettingsException::class, fn () => validate_settings(['api_url' => 'https://evil.example/api', 'api_key' => 'k', 'allowed_hosts' => 'acme.mirakl.net']));
assert(str_contains($e->getMessage(), 'allowed API hosts'), $e->getMessage());
expect_throws(SettingsException::class, fn () => validate_settings(['api_url' => 'http://acme.mirakl.net/api', 'api_key' => 'k']));

// Each bad field is named; the key itself is never echoed.
$cases = [
    'api_url' => ['api_key' => 'k'],
    'api_key' => ['api_url' => 'https://a.example', 'api_key' => 'my secret key'],
    'shop_id' => ['api_url' => 'https://a.example', 'api_key' => 'k', 'shop_id' => 'shop-1'],
    'connect_timeout' => ['api_url' => 'https://a.example', 'api_key' => 'k', 'connect_timeout' => 0],
    'timeout' => ['api_url' => 'https://a.example', 'api_key' => 'k', 'timeout' => 100000],
];
foreach ($cases as $field => $settings) {
    $e = expect_throws(SettingsException::class, fn () => validate_settings($settings));
    assert(str_starts_with($e->getMessage(), $field . ':'), "$field named: " . $e->getMessage());
    assert(!str_contains($e->getMessage(), 'secret'), 'API key not echoed');
}

// Values PHP arrays can hold but settings cannot: a clear error, not a crash.
$e = expect_throws(SettingsException::class, fn () => validate_settings(['api_url' => new stdClass(), 'api_key' => 'k']));
assert($e->getCode() === NativeException::INVALID_ARGUMENT, (string) $e->getCode());
expect_throws(SettingsException::class, fn () => validate_settings([]));
expect_throws(TypeError::class, fn () => validate_settings('https://a.example'));
echo "ok\n";
