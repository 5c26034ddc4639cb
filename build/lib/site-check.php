<?php
/**
 * Checks for `build/run --check` over HTTP (PHP's curl extension):
 *
 *   php site-check.php wordpress SITE_URL USER PASSWORD   login page, REST API, a real login, wp-admin, Plugins
 *   php site-check.php sandbox ADDR API_KEY              console page, shop API with and without key
 *
 * Prints one line per check ("ok" or "FAILED") and exits 1 when any failed.
 */
if (PHP_SAPI !== 'cli' || $argc < 2) {
    fwrite(STDERR, "usage: php site-check.php wordpress|sandbox ...\n");
    exit(2);
}

$failures = 0;

function check(bool $ok, string $what, string $detail = ''): void
{
    global $failures;
    printf("%-6s %s%s\n", $ok ? 'ok' : 'FAILED', $what, $detail === '' ? '' : " ($detail)");
    $failures += $ok ? 0 : 1;
}

/** @return array{status: int, body: string, url: string} */
function http(string $url, array $options = []): array
{
    $curl = curl_init($url);
    curl_setopt_array($curl, $options + [
        CURLOPT_RETURNTRANSFER => true,
        CURLOPT_FOLLOWLOCATION => true,
        CURLOPT_MAXREDIRS => 5,
        CURLOPT_TIMEOUT => 60,
    ]);
    $body = curl_exec($curl);
    $result = [
        'status' => (int) curl_getinfo($curl, CURLINFO_RESPONSE_CODE),
        'body' => is_string($body) ? $body : '',
        'url' => (string) curl_getinfo($curl, CURLINFO_EFFECTIVE_URL),
        'error' => curl_error($curl),
    ];
    curl_close($curl);
    return $result;
}

switch ($argv[1]) {
    case 'wordpress':
        [, , $site, $user, $password] = $argv + array_fill(0, 5, '');
        $jar = tempnam(sys_get_temp_dir(), 'mc-cookies');
        $cookies = [CURLOPT_COOKIEJAR => $jar, CURLOPT_COOKIEFILE => $jar];
        $login = http("$site/wp-login.php", $cookies);
        check($login['status'] === 200 && str_contains($login['body'], 'user_login'), "login page $site/wp-login.php", "HTTP {$login['status']}{$login['error']}");
        $rest = http("$site/wp-json/");
        check($rest['status'] === 200 && is_array(json_decode($rest['body'], true)), "REST API $site/wp-json/ (pretty permalinks through the router)", "HTTP {$rest['status']}");
        $after = http("$site/wp-login.php", $cookies + [
            CURLOPT_POST => true,
            CURLOPT_POSTFIELDS => http_build_query([
                'log' => $user, 'pwd' => $password, 'wp-submit' => 'Log In',
                'redirect_to' => "$site/wp-admin/", 'testcookie' => '1',
            ]),
            CURLOPT_COOKIE => 'wordpress_test_cookie=WP%20Cookie%20check',
        ]);
        $dashboard = $after['status'] === 200 && str_contains($after['body'], 'id="wpadminbar"') && str_contains($after['url'], '/wp-admin/');
        check($dashboard, "log in as $user and reach wp-admin", "HTTP {$after['status']} at {$after['url']}");
        if ($dashboard) {
            $plugins = http("$site/wp-admin/plugins.php", $cookies);
            check($plugins['status'] === 200 && str_contains($plugins['body'], 'mirakl-connector-for-woocommerce'), 'the Plugins screen lists the connector', "HTTP {$plugins['status']}");
            $notice = str_contains($plugins['body'], 'mirakl-connector-requirements');
            printf("%-6s %s\n", 'info', $notice
                ? 'wp-admin shows the connector\'s requirements notice (it says what is missing)'
                : 'wp-admin shows no requirements notice: the connector is active');
        }
        @unlink($jar);
        break;

    case 'sandbox':
        [, , $addr, $key] = $argv + array_fill(0, 4, '');
        $console = http("http://$addr/_sandbox/");
        check($console['status'] === 200, "sandbox console http://$addr/_sandbox/", "HTTP {$console['status']}{$console['error']}");
        $account = http("http://$addr/api/account", [CURLOPT_HTTPHEADER => ["Authorization: $key", 'Accept: application/json']]);
        check($account['status'] === 200, 'sandbox shop API answers with the key (A01 GET /api/account)', "HTTP {$account['status']}{$account['error']}");
        $anonymous = http("http://$addr/api/account");
        check($anonymous['status'] === 401, 'sandbox shop API refuses a request without the key', "HTTP {$anonymous['status']}");
        break;

    default:
        fwrite(STDERR, "unknown check {$argv[1]}\n");
        exit(2);
}
exit($failures === 0 ? 0 : 1);
