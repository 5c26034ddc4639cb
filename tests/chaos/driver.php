<?php
/**
 * The chaos tier (build/test chaos): against a site build/run started with WooCommerce, the
 * plugin and the Mirakl sandbox (MIRAKL_RUN_RUNNER=0, so that this driver is the runner):
 *
 *   php driver.php SITE SANDBOX_ADDR EXTENSION LOG_DIR
 *
 * Fault phase (MIRAKL_CHAOS_FAULT_MINUTES, default 2): two runners tick at once (build/lib/demo.php
 * tick, a new process each time); the sandbox's console turns on faults (latency, 500/503,
 * answers dropped after the write, truncated bodies, and 429 bursts with Retry-After: every
 * call refused for 3-10 s, every 20-40 s); ticks are
 * SIGKILLed at random, and up to four times at the COMMIT of a marketplace order (after and before
 * it, tests/chaos/mu-plugin.php); more than 100 marketplace orders are there at once before the
 * first tick (one poll window), the rest of MIRAKL_CHAOS_ORDERS (default 120) arrive over the phase; requests complete
 * orders with tracking and make refunds (two of them at the same instant on one order), half of
 * them SIGKILLed before `shutdown`; stock changes in WooCommerce.
 * Catch-up (at most MIRAKL_CHAOS_CATCHUP_MINUTES, default 8): faults off, no kills, a few more
 * orders in its first minute; every 10 s the invariants are checked, until all hold or the time
 * is up. Each invariant is one check, printed as "ok     NAME" or "FAILED NAME: why"; then the
 * figures (time from faults off to a drained queue, order creation to acceptance on Mirakl at
 * p50/p95 during and after faults, from the sandbox's dates) and "chaos: N passed, N failed".
 * Exits 0 when every check passed.
 */

declare(strict_types=1);

if ($argc < 5) {
    fwrite(STDERR, "usage: php driver.php SITE SANDBOX_ADDR EXTENSION LOG_DIR\n");
    exit(2);
}
[, $site, $sandbox_addr, $extension, $log_dir] = $argv;

const KILL_AT_COMMIT = ['after', 'before', 'after', 'before'];
/** Job kinds about one order, refund, SKU or import (the others recur for ever). */
const ENTITY_JOBS = ['import_order', 'sync_order', 'ship_order', 'refund_order', 'offer_dirty', 'poll_stock_import', 'poll_offer_import'];
const SHIPPED_STATES = ['SHIPPED', 'TO_COLLECT', 'RECEIVED', 'CLOSED'];
/** The WooCommerce status each Mirakl state maps to (the default status mapping). */
const STATUS_FOR = [
    'WAITING_DEBIT' => ['on-hold'],
    'WAITING_DEBIT_PAYMENT' => ['on-hold'],
    'SHIPPING' => ['processing'],
    'SHIPPED' => ['completed'],
    'TO_COLLECT' => ['completed'],
    'RECEIVED' => ['completed'],
    'CLOSED' => ['completed'],
    'CANCELED' => ['cancelled', 'refunded'],
];

function env_int(string $name, int $default, int $min): int
{
    $value = getenv($name);
    return max($min, $value === false || $value === '' ? $default : (int) $value);
}

$orders_total = env_int('MIRAKL_CHAOS_ORDERS', 120, 1);
$fault_secs = env_int('MIRAKL_CHAOS_FAULT_MINUTES', 2, 1) * 60;
$catchup_secs = env_int('MIRAKL_CHAOS_CATCHUP_MINUTES', 8, 1) * 60;
mt_srand(env_int('MIRAKL_CHAOS_SEED', (int) (microtime(true) * 1000) % 1000000, 0));
$php = getenv('MIRAKL_CHAOS_PHP') ?: PHP_BINARY;
$console = "http://$sandbox_addr/_sandbox";
$root = dirname(__DIR__, 2);

function say(string $line): void
{
    fwrite(STDOUT, $line . "\n");
}

function note(string $line): void
{
    fwrite(STDERR, sprintf("[%s] %s\n", gmdate('H:i:s'), $line));
}

/** One console call; the decoded answer (null for 204). */
function console(string $method, string $path, $body = null)
{
    global $console;
    $context = stream_context_create(['http' => [
        'method' => $method,
        'header' => "Content-Type: application/json\r\n",
        'content' => $body === null ? '' : json_encode($body),
        'ignore_errors' => true,
        'timeout' => 30,
    ]]);
    $answer = @file_get_contents($console . $path, false, $context);
    $status = (int) (explode(' ', (string) ($http_response_header[0] ?? ''))[1] ?? 0);
    if ($answer === false || $status >= 300 && $status !== 204 || $status === 0) {
        throw new RuntimeException("sandbox console $method $path: $status " . substr((string) $answer, 0, 300));
    }
    return $answer === '' ? null : json_decode($answer, true);
}

/** A child process: its role, pid, start time and where its output goes. */
final class Child
{
    /** @var resource */
    public $process;
    public int $pid;
    public float $started;
    public string $out;
    private ?int $rc = null;

    public function __construct(public string $role, array $command, string $log_dir)
    {
        static $n = 0;
        $n++;
        $this->out = "$log_dir/child-$n-$role.out";
        $this->process = proc_open($command, [
            0 => ['file', '/dev/null', 'r'],
            1 => ['file', $this->out, 'w'],
            2 => ['file', "$log_dir/children.err", 'a'],
        ], $pipes);
        if (!is_resource($this->process)) {
            throw new RuntimeException("could not start $role");
        }
        $this->pid = (int) proc_get_status($this->process)['pid'];
        $this->started = microtime(true);
    }

    /** The exit code once it ended (-9 when killed), null while it runs. */
    public function ended(): ?int
    {
        if ($this->rc !== null) {
            return $this->rc;
        }
        $status = proc_get_status($this->process);
        if ($status['running']) {
            return null;
        }
        proc_close($this->process);
        $this->rc = $status['signaled'] ? -$status['termsig'] : $status['exitcode'];
        return $this->rc;
    }

    public function output(): string
    {
        return (string) @file_get_contents($this->out);
    }
}

$children = [];
$counts = [
    'ticks' => 0, 'ticks_killed' => 0, 'ticks_failed' => 0, 'orders' => 0,
    'completed' => 0, 'completed_killed' => 0, 'refunds' => 0, 'refunds_killed' => 0,
    'refund_pairs' => 0, 'stock_changes' => 0, 'bursts_429' => 0,
];
/** @var array<int, array{0: string, 1: string}> Orders completed by this driver: WC id => [Mirakl id, tracking]. */
$completed = [];

function spawn_site(string $role, array $args): Child
{
    global $php, $extension, $site, $root, $log_dir, $children;
    $child = new Child($role, array_merge([$php, '-d', "extension=$extension", "$root/tests/chaos/site.php", $site], $args), $log_dir);
    $children[] = $child;
    return $child;
}

function spawn_tick(string $runner): Child
{
    global $php, $extension, $site, $root, $log_dir, $children;
    $child = new Child($runner, [$php, '-d', "extension=$extension", "$root/build/lib/demo.php", $site, 'tick'], $log_dir);
    $children[] = $child;
    return $child;
}

/** Collects the children that ended; counts what they did. */
function reap(): void
{
    global $children, $counts, $completed;
    foreach ($children as $i => $child) {
        $rc = $child->ended();
        if ($rc === null) {
            continue;
        }
        unset($children[$i]);
        $out = $child->output();
        if (str_starts_with($child->role, 'runner')) {
            $counts['ticks']++;
            if ($rc === -SIGKILL) {
                $counts['ticks_killed']++;
            } elseif ($rc !== 0) {
                $counts['ticks_failed']++;
            }
            continue;
        }
        foreach (explode("\n", trim($out)) as $line) {
            $words = explode(' ', $line);
            if ($words[0] === 'completed' && count($words) === 4) {
                $completed[(int) $words[1]] = [$words[2], $words[3]];
                $counts['completed']++;
                $counts['completed_killed'] += $rc === -SIGKILL ? 1 : 0;
            } elseif ($words[0] === 'refunded') {
                $counts['refunds']++;
                $counts['refunds_killed'] += $rc === -SIGKILL ? 1 : 0;
            } elseif ($words[0] === 'stock') {
                $counts['stock_changes']++;
            }
        }
    }
}

function running(string $prefix): array
{
    global $children;
    return array_values(array_filter($children, static fn (Child $c) => str_starts_with($c->role, $prefix)));
}

function create_orders(int $count): void
{
    global $counts;
    while ($count > 0) {
        $n = min($count, 50);
        try {
            $counts['orders'] += count(console('POST', '/orders/random', ['count' => $n])['order_ids'] ?? []);
        } catch (RuntimeException $e) {
            note('creating orders: ' . $e->getMessage());
            return;
        }
        $count -= $n;
    }
}

// ------------------------------------------------------------------------------------ set-up --
@mkdir($log_dir, 0777, true);
copy(__DIR__ . '/mu-plugin.php', "$site/wp-content/mu-plugins/mirakl-chaos.php");
@unlink("$site/wp-content/chaos-kills.log");
$skus = array_map(static fn ($o) => $o['shop_sku'], console('GET', '/state')['offers']);

$after_orders = max(3, intdiv($orders_total, 20));
$burst = min(105, max(0, $orders_total - $after_orders));
$spread = max(0, $orders_total - $after_orders - $burst);
note(sprintf('chaos: %d orders (%d at once, %d spread over %d s of faults, %d after), catch-up at most %d s',
    $orders_total, $burst, $spread, $fault_secs, $after_orders, $catchup_secs));

$faults = [
    ['route' => '*', 'fault' => ['kind' => 'latency', 'millis' => 400], 'trigger' => ['probability' => 0.3]],
    ['route' => '*', 'fault' => ['kind' => 'status', 'status' => 503], 'trigger' => ['probability' => 0.08]],
    ['route' => '*', 'fault' => ['kind' => 'status', 'status' => 500], 'trigger' => ['probability' => 0.04]],
    ['route' => '*', 'fault' => ['kind' => 'drop_after_processing'], 'trigger' => ['probability' => 0.08]],
    ['route' => '*', 'fault' => ['kind' => 'truncated_body'], 'trigger' => ['probability' => 0.05]],
];

// ------------------------------------------------------------------------------- fault phase --
// The burst is there before the first tick: its poll (one window) sees more than 100 changed
// orders at once, under faults, and the first order it creates in WooCommerce is killed at
// its COMMIT.
create_orders($burst);
note("created $burst orders at once");
$commit_kills = KILL_AT_COMMIT;
file_put_contents("$site/wp-content/chaos-kill-at-commit", array_shift($commit_kills));
$start = microtime(true);
$fault_end = $start + $fault_secs;
console('POST', '/faults', $faults);
$next_tick = ['runner-a' => $start, 'runner-b' => $start + 2];
$next_kill = $start + mt_rand(6, 15);
$next_commit_kill = INF;
$spread_created = 0;
$next_event = $start + 10;
$next_429 = $start + mt_rand(10, 30);
$burst_ends = INF;
$pairs = 0;
$pending_pair = null;

/** Starts a tick on each runner whose turn it is. */
function run_runners(float $now, int $min_gap, int $max_gap): void
{
    global $next_tick;
    foreach ($next_tick as $runner => $at) {
        if ($at <= $now && !running($runner)) {
            spawn_tick($runner);
            $next_tick[$runner] = $now + mt_rand($min_gap, $max_gap);
        }
    }
}

while (($now = microtime(true)) < $fault_end) {
    reap();
    run_runners($now, 3, 10);
    $due = (int) floor($spread * min(1.0, ($now - $start) / $fault_secs));
    if ($due > $spread_created) {
        create_orders($due - $spread_created);
        $spread_created = $due;
    }
    if ($now >= $next_kill) {
        $ticks = array_filter(running('runner'), static fn (Child $c) => $now - $c->started > 0.3);
        if ($ticks) {
            posix_kill($ticks[array_rand($ticks)]->pid, SIGKILL);
        }
        $next_kill = $now + mt_rand(6, 15);
    }
    // The next kill at a COMMIT is armed a little after the last one was claimed.
    if ($commit_kills && $next_commit_kill === INF && !is_file("$site/wp-content/chaos-kill-at-commit")) {
        $next_commit_kill = $now + mt_rand(3, 12);
    }
    if ($commit_kills && $now >= $next_commit_kill) {
        file_put_contents("$site/wp-content/chaos-kill-at-commit", array_shift($commit_kills));
        $next_commit_kill = INF;
    }
    // A 429 burst is a few seconds in which every call is refused with Retry-After (bounded in
    // time, not in calls: a quiet connector would otherwise meet the burst for ever).
    if ($now >= $next_429) {
        try {
            console('POST', '/faults', ['route' => '*', 'fault' => ['kind' => 'status', 'status' => 429, 'retry_after_secs' => mt_rand(2, 8)], 'trigger' => ['probability' => 1.0]]);
            $counts['bursts_429']++;
            $burst_ends = $now + mt_rand(3, 10);
        } catch (RuntimeException $e) {
            note($e->getMessage());
        }
        $next_429 = $now + mt_rand(20, 40);
    }
    if ($now >= $burst_ends) {
        try {
            console('DELETE', '/faults');
            console('POST', '/faults', $faults);
        } catch (RuntimeException $e) {
            note($e->getMessage());
        }
        $burst_ends = INF;
    }
    if ($pending_pair !== null && $pending_pair->ended() !== null) {
        $wc_id = (int) trim($pending_pair->output());
        if ($wc_id > 0) {
            $at = sprintf('%.3f', microtime(true) + 2.5);
            spawn_site('refund', ['refund', '0', (string) $wc_id, $at]);
            spawn_site('refund', ['refund', '0', (string) $wc_id, $at]);
            $counts['refund_pairs']++;
            $pairs++;
        }
        $pending_pair = null;
    }
    if ($now >= $next_event && count(running('shop')) + count(running('refund')) < 3) {
        $roll = mt_rand(1, 100);
        $kill = mt_rand(0, 1) === 1 ? '1' : '0';
        if ($pairs < 3 && $pending_pair === null && $now - $start > $fault_secs / 3 && $roll <= 15) {
            $pending_pair = spawn_site('pair', ['pair-candidate']);
        } elseif ($roll <= 50) {
            spawn_site('shop-complete', ['complete', $kill]);
        } elseif ($roll <= 80) {
            spawn_site('shop-refund', ['refund', $kill]);
        } else {
            spawn_site('shop-stock', ['stock', $skus[array_rand($skus)], (string) (mt_rand(0, 1) ? mt_rand(1, 5) : -mt_rand(1, 3))]);
        }
        $next_event = $now + mt_rand(3, 9);
    }
    usleep(200000);
}

// ---------------------------------------------------------------------------------- catch-up --
console('DELETE', '/faults');
$faults_off = microtime(true);
$faults_off_sandbox = strtotime((string) console('GET', '/clock')['now']);
@unlink("$site/wp-content/chaos-kill-at-commit");
note(sprintf('faults off after %d s: %s', (int) ($faults_off - $start), json_encode($counts)));
$deadline = $faults_off + $catchup_secs;
$after_created = 0;
$next_check = $faults_off + 10;
$held = [];
$results = [];

/** Percentile of a list of numbers (nearest rank); null for an empty list. */
function percentile(array $values, float $p): ?float
{
    if (!$values) {
        return null;
    }
    sort($values);
    return (float) $values[max(0, (int) ceil($p / 100 * count($values)) - 1)];
}

/** Whether an open problem names one of these ids (order, shop order, refund). */
function raised(array $problems, array $ids): bool
{
    $ids = array_map('strval', array_filter($ids, static fn ($id) => $id !== null && $id !== ''));
    foreach ($problems as $problem) {
        $text = (string) ($problem['entity_id'] ?? '') . ' ' . (string) ($problem['message'] ?? '') . ' ' . json_encode($problem['details'] ?? null);
        foreach ($ids as $id) {
            if ((string) ($problem['entity_id'] ?? '') === $id || preg_match('/\b' . preg_quote($id, '/') . '\b/', $text)) {
                return true;
            }
        }
    }
    return false;
}

/**
 * The invariants on one view of both sides: name => list of violations (empty when it holds),
 * each with its count of items checked.
 *
 * @return array<string, array{0: int, 1: string[]}>
 */
function invariants(array $shop, array $sandbox): array
{
    global $completed;
    $problems = $shop['problems'] ?? [];
    $problem_list = $problems['problems'] ?? $problems;
    $by_mirakl = [];
    foreach ($shop['orders'] as $order) {
        $by_mirakl[$order['mirakl_id']][] = $order;
    }
    $marketplace = [];
    foreach ($sandbox['orders'] as $order) {
        $marketplace[$order['order_id']] = $order;
    }
    $checks = [];

    // Every order is decided: none still waits for acceptance.
    $bad = [];
    foreach ($marketplace as $id => $order) {
        if (in_array($order['state'], ['STAGING', 'WAITING_ACCEPTANCE'], true)) {
            $bad[] = "$id still {$order['state']}";
        }
    }
    $checks['every marketplace order accepted or refused'] = [count($marketplace), $bad];

    // Accepted orders: in WooCommerce exactly once, status in step on both sides.
    $once = [];
    $step = [];
    $accepted = 0;
    foreach ($marketplace as $id => $order) {
        if ($order['acceptance_decision_date'] === null || $order['state'] === 'REFUSED') {
            if (isset($by_mirakl[$id]) && !in_array($by_mirakl[$id][0]['status'], ['cancelled', 'refunded'], true)) {
                $once[] = "$id {$order['state']} on Mirakl but in WooCommerce as {$by_mirakl[$id][0]['status']}";
            }
            continue;
        }
        $accepted++;
        $copies = $by_mirakl[$id] ?? [];
        if (count($copies) !== 1) {
            $once[] = sprintf('%s (%s) is in WooCommerce %d times', $id, $order['state'], count($copies));
            continue;
        }
        $shop_order = $copies[0];
        $core_state = $shop_order['core']['order']['state'] ?? null;
        $expected = STATUS_FOR[$order['state']] ?? null;
        if ($core_state !== $order['state']) {
            $step[] = "$id {$order['state']} on Mirakl, the connector says " . var_export($core_state, true);
        } elseif ($expected !== null && !in_array($shop_order['status'], $expected, true)
            && !($shop_order['status'] === 'completed' && raised($problem_list, [$id, $shop_order['wc_id']]))) {
            $step[] = "$id {$order['state']} on Mirakl, {$shop_order['status']} in WooCommerce (#{$shop_order['wc_id']})";
        }
    }
    foreach ($by_mirakl as $id => $copies) {
        if (!isset($marketplace[$id])) {
            $once[] = "WooCommerce order #{$copies[0]['wc_id']} names $id, unknown on Mirakl";
        }
    }
    $checks['every accepted order in WooCommerce exactly once'] = [$accepted, $once];
    $checks['every accepted order\'s status in step'] = [$accepted, $step];

    // Orders completed in WooCommerce: shipped on Mirakl with their tracking, or raised.
    $bad = [];
    $n = 0;
    foreach ($shop['orders'] as $order) {
        if ($order['status'] !== 'completed' || !isset($completed[$order['wc_id']])) {
            continue;
        }
        $n++;
        [$id, $tracking] = $completed[$order['wc_id']];
        $m = $marketplace[$id] ?? null;
        $shipped = $m !== null && in_array($m['state'], SHIPPED_STATES, true)
            && ($m['tracking']['tracking_number'] ?? null) === $tracking;
        if (!$shipped && !raised($problem_list, [$id, $order['wc_id']])) {
            $bad[] = sprintf('%s (#%d) completed with %s; Mirakl: %s, tracking %s, no problem', $id, $order['wc_id'], $tracking,
                $m['state'] ?? 'unknown', var_export($m['tracking']['tracking_number'] ?? null, true));
        }
    }
    $checks['every completed order shipped with its tracking, or raised'] = [$n, $bad];

    // Refunds made in WooCommerce: sent once (their Mirakl refunds are exactly the order's), or raised.
    $bad = [];
    $n = 0;
    foreach ($shop['orders'] as $order) {
        $shop_refunds = array_filter($order['refunds'], static fn ($r) => !$r['from_mirakl']);
        if (!$shop_refunds) {
            continue;
        }
        $records = [];
        foreach ($order['core']['refunds'] ?? [] as $record) {
            $records[(int) $record['wc_refund_id']] = $record;
        }
        $sent_ids = [];
        foreach ($shop_refunds as $refund) {
            $n++;
            $record = $records[$refund['id']] ?? null;
            $ids = $record['mirakl_refund_ids'] ?? [];
            if ($ids) {
                array_push($sent_ids, ...$ids);
            } elseif (!raised($problem_list, [$order['mirakl_id'], $order['wc_id'], $refund['id']])) {
                $bad[] = sprintf('refund #%d of %s (%.2f) not sent (%s), no problem', $refund['id'], $order['mirakl_id'],
                    $refund['amount'], $record['state'] ?? 'unknown to the connector');
            }
        }
        $on_mirakl = [];
        foreach ($marketplace[$order['mirakl_id']]['lines'] ?? [] as $line) {
            foreach ($line['refunds'] ?? [] as $r) {
                $on_mirakl[] = (string) $r['id'];
            }
        }
        $mirrored = count($order['refunds']) - count($shop_refunds);
        $extra = array_diff($on_mirakl, array_map('strval', $sent_ids));
        if (count($extra) > $mirrored) {
            $bad[] = sprintf('%s has %d refunds on Mirakl, %d sent by the connector (%s): refunded twice?', $order['mirakl_id'],
                count($on_mirakl), count($sent_ids), implode(', ', $on_mirakl));
        }
    }
    $checks['every WooCommerce refund sent once, or raised'] = [$n, $bad];

    // Stock: WooCommerce less the buffer equals the offer's quantity, for every SKU.
    $bad = [];
    foreach ($sandbox['offers'] as $offer) {
        $shop_stock = $shop['stock'][$offer['shop_sku']] ?? null;
        $expected = $shop_stock === null ? null : max(0, $shop_stock - $shop['stock_buffer']);
        if ($expected !== (int) $offer['quantity']) {
            $bad[] = sprintf('%s: %s in WooCommerce (buffer %d), %d on Mirakl', $offer['shop_sku'],
                var_export($shop_stock, true), $shop['stock_buffer'], $offer['quantity']);
        }
    }
    $checks['stock equal on both sides for every SKU'] = [count($sandbox['offers']), $bad];

    // The queue: no job for an order, refund, SKU or import left waiting, retrying or running
    // (the recurring polls always have a next run); dead jobs each with an open problem.
    $queue = $shop['health']['queue'] ?? [];
    $bad = [];
    foreach ($queue['by_kind'] ?? [] as $kind) {
        if (in_array($kind['kind'], ENTITY_JOBS, true) && $kind['pending'] + $kind['leased'] > 0) {
            $bad[] = sprintf('%s: %d pending (%d due), %d running', $kind['kind'], $kind['pending'], $kind['due'], $kind['leased']);
        }
    }
    if (($queue['dead'] ?? 0) > 0 && !$problem_list) {
        $bad[] = "{$queue['dead']} dead jobs and no open problem";
    }
    if (!empty($shop['health']['order_backlog'])) {
        $bad[] = 'order backlog: ' . json_encode($shop['health']['order_backlog']);
    }
    $checks['queue drained'] = [1, $bad];
    return $checks;
}

$order_of_checks = [];
while (true) {
    $now = microtime(true);
    reap();
    run_runners($now, 4, 8);
    $due = (int) floor($after_orders * min(1.0, ($now - $faults_off) / 60));
    if ($due > $after_created) {
        create_orders($due - $after_created);
        $after_created = $due;
    }
    if ($now >= $next_check && !running('check')) {
        $check = spawn_site('check', ['snapshot']);
        while (($rc = $check->ended()) === null) {
            usleep(100000);
        }
        $children = array_filter($children, static fn (Child $c) => $c !== $check);
        $shop = json_decode($check->output(), true);
        $sandbox = console('GET', '/state');
        if (!is_array($shop)) {
            note("snapshot failed (exit $rc)");
        } else {
            $elapsed = microtime(true) - $faults_off;
            $results = invariants($shop, $sandbox);
            $order_of_checks = array_keys($results);
            $failing = [];
            foreach ($results as $name => [, $violations]) {
                if ($violations) {
                    unset($held[$name]);
                    $failing[] = $name . ' (' . count($violations) . ')';
                } else {
                    $held[$name] ??= $elapsed;
                }
            }
            note(sprintf('+%d s: %s', $elapsed, $failing ? 'failing: ' . implode('; ', $failing) : 'all invariants hold'));
            if (!$failing && $after_created >= $after_orders) {
                break;
            }
        }
        $next_check = microtime(true) + 10;
    }
    if ($now >= $deadline) {
        break;
    }
    usleep(200000);
}
$catchup_took = microtime(true) - $faults_off;
foreach ($children as $child) {
    posix_kill($child->pid, SIGTERM);
}

// ----------------------------------------------------------------------------------- report --
$passed = 0;
$failed = 0;
foreach ($results as $name => [$items, $violations]) {
    if ($violations) {
        $failed++;
        say(sprintf('FAILED %s (%d checked, %d wrong %d s after faults stopped):', $name, $items, count($violations), $catchup_took));
        foreach (array_slice($violations, 0, 8) as $v) {
            say("    $v");
        }
    } else {
        $passed++;
        say(sprintf('ok     %s (%d checked; held %d s after faults stopped)', $name, $items, $held[$name]));
    }
}
if (!$results) {
    $failed++;
    say('FAILED no snapshot of the shop could be taken');
}
// No PHP fatal error, and no panic of the core.
$fatal = [];
foreach (@file("$site/wp-content/debug.log", FILE_IGNORE_NEW_LINES) ?: [] as $line) {
    if (preg_match('/PHP (Fatal error|Parse error)/', $line)) {
        $fatal[] = $line;
    }
}
$panics = array_filter($shop['problems']['problems'] ?? $shop['problems'] ?? [], static fn ($p) => ($p['kind'] ?? '') === 'job_panicked');
if ($fatal || $panics) {
    $failed++;
    say(sprintf('FAILED no PHP fatal error, no panic: %d fatal errors, %d panics', count($fatal), count($panics)));
    foreach (array_slice($fatal, 0, 5) as $line) {
        say('    ' . substr($line, 0, 300));
    }
} else {
    $passed++;
    say('ok     no PHP fatal error, no panic');
}

// Figures, from the sandbox's own dates; both sides' last views are kept for a post-mortem.
$sandbox = console('GET', '/state');
file_put_contents("$log_dir/sandbox-state.json", json_encode($sandbox));
file_put_contents("$log_dir/shop-snapshot.json", json_encode($shop ?? null));
$during = [];
$after = [];
$states = [];
foreach ($sandbox['orders'] as $order) {
    $states[$order['state']] = ($states[$order['state']] ?? 0) + 1;
    if ($order['acceptance_decision_date'] === null || $order['state'] === 'REFUSED') {
        continue;
    }
    $created = strtotime($order['created_date']);
    $wait = strtotime($order['acceptance_decision_date']) - $created;
    if ($created < $faults_off_sandbox) {
        $during[] = $wait;
    } else {
        $after[] = $wait;
    }
}
$fmt = static fn (?float $s) => $s === null ? 'n/a' : sprintf('%d s', $s);
$kills = count(@file("$site/wp-content/chaos-kills.log") ?: []);
say(sprintf('figures: faults %d s, catch-up ended %d s after faults stopped; queue drained %s after faults stopped',
    $fault_secs, $catchup_took, isset($held['queue drained']) ? $fmt($held['queue drained']) : 'NOT'));
say(sprintf('figures: order created -> accepted on Mirakl: during faults p50 %s p95 %s (%d orders), after p50 %s p95 %s (%d orders)',
    $fmt(percentile($during, 50)), $fmt(percentile($during, 95)), count($during),
    $fmt(percentile($after, 50)), $fmt(percentile($after, 95)), count($after)));
say(sprintf('figures: %d orders on Mirakl by state %s; %d ticks (%d SIGKILLed at random, %d at an order COMMIT, %d failed); '
    . '%d orders completed (%d killed before shutdown), %d refunds (%d killed before shutdown, %d pairs at one instant), '
    . '%d stock changes, %d 429 bursts',
    count($sandbox['orders']), json_encode($states), $counts['ticks'], $counts['ticks_killed'] - $kills, $kills, $counts['ticks_failed'],
    $counts['completed'], $counts['completed_killed'], $counts['refunds'], $counts['refunds_killed'], $counts['refund_pairs'],
    $counts['stock_changes'], $counts['bursts_429']));
say(sprintf('chaos: %d passed, %d failed', $passed, $failed));
exit($failed === 0 ? 0 : 1);
