<?php
/**
 * Starts the Mirakl sandbox binary for a smoke script and talks to its console. The binary is
 * the one `cargo build -p mirakl-sandbox` (or `cargo test --workspace`) leaves in target/.
 */

declare(strict_types=1);

final class SandboxProcess
{
    public string $base_url;
    public string $console;
    /** @var resource|null */
    private $process;
    private string $config_file;

    public function __construct(string $api_key, array $config = [])
    {
        $binary = getenv('MIRAKL_TEST_SANDBOX_BIN') ?: null; // build/test says which one it built
        $binary = $binary !== null && is_executable($binary) ? $binary : null;
        $target = getenv('CARGO_TARGET_DIR') ?: repo_root() . '/target';
        foreach ($binary === null ? ['debug', 'release'] : [] as $profile) {
            if (is_executable("$target/$profile/mirakl-sandbox")) {
                $binary = "$target/$profile/mirakl-sandbox";
                break;
            }
        }
        if ($binary === null) {
            throw new RuntimeException("mirakl-sandbox not built in $target: run cargo build -p mirakl-sandbox");
        }
        $this->config_file = tempnam(sys_get_temp_dir(), 'sandbox-config');
        file_put_contents($this->config_file, json_encode($config + ['rate_limits_enabled' => false, 'import_delay_secs' => 0]));
        $this->process = proc_open(
            [$binary, '--addr', '127.0.0.1:0', '--api-key', $api_key, '--config', $this->config_file],
            [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => ['file', '/dev/null', 'a']],
            $pipes
        );
        $address = trim((string) fgets($pipes[1]));
        if (!preg_match('/^127\.0\.0\.1:\d+$/', $address)) {
            throw new RuntimeException("the sandbox did not print its address (got '$address')");
        }
        $this->base_url = "http://$address/api";
        $this->console = "http://$address/_sandbox";
        // Shutdown functions run even after a fatal error or a failed assertion, which can skip
        // destructors: the sandbox must never outlive the script.
        register_shutdown_function([$this, 'stop']);
    }

    public function __destruct()
    {
        $this->stop();
    }

    public function stop(): void
    {
        if ($this->process === null) {
            return;
        }
        proc_terminate($this->process);
        proc_close($this->process);
        $this->process = null;
        @unlink($this->config_file);
    }

    /** Calls the console and returns the decoded JSON answer. */
    public function console(string $method, string $path, ?array $body = null): array
    {
        $context = stream_context_create(['http' => [
            'method' => $method,
            'header' => "Content-Type: application/json\r\n",
            'content' => $body === null ? '' : json_encode($body),
            'ignore_errors' => true,
            'timeout' => 10,
        ]]);
        $answer = file_get_contents($this->console . $path, false, $context);
        $decoded = json_decode((string) $answer, true);
        if (!is_array($decoded)) {
            throw new RuntimeException("console $method $path answered: $answer");
        }
        return $decoded;
    }

    public function order(string $order_id): array
    {
        foreach ($this->console('GET', '/state')['orders'] as $order) {
            if ($order['order_id'] === $order_id) {
                return $order;
            }
        }
        throw new RuntimeException("no order $order_id in the sandbox");
    }
}
