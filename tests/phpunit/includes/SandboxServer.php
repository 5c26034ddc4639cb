<?php

namespace MiraklConnector\Tests;

/**
 * The Mirakl sandbox binary (tests/sandbox) as a child process of a test: started on a free
 * loopback port, with its console and shop API reachable over HTTP. The binary is the one
 * build/test names in MIRAKL_TEST_SANDBOX, else target/{debug,release}/mirakl-sandbox.
 */
final class SandboxServer
{
    public string $baseUrl;
    public string $consoleUrl;
    public string $apiKey;
    /** @var resource */
    private $process;
    private string $configFile;

    public function __construct(string $apiKey, array $config = [])
    {
        $binary = self::binary();
        $this->apiKey = $apiKey;
        $this->configFile = (string) tempnam(sys_get_temp_dir(), 'mirakl-sandbox-config');
        file_put_contents($this->configFile, json_encode($config + ['rate_limits_enabled' => false, 'import_delay_secs' => 0]));
        $this->process = proc_open(
            [$binary, '--addr', '127.0.0.1:0', '--api-key', $apiKey, '--config', $this->configFile],
            [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => ['file', '/dev/null', 'a']],
            $pipes
        );
        if (!is_resource($this->process)) {
            throw new \RuntimeException("cannot start $binary");
        }
        $address = trim((string) fgets($pipes[1]));
        if (!preg_match('/^127\.0\.0\.1:\d+$/', $address)) {
            throw new \RuntimeException("the sandbox did not print its address (got '$address')");
        }
        $this->baseUrl = "http://$address/api";
        $this->consoleUrl = "http://$address/_sandbox";
    }

    /** The sandbox binary, or a problem saying how to build it. */
    public static function binary(): string
    {
        $named = (string) getenv('MIRAKL_TEST_SANDBOX');
        if ($named !== '' && is_executable($named)) {
            return $named;
        }
        $target = getenv('CARGO_TARGET_DIR') ?: dirname(__DIR__, 3) . '/target';
        foreach (['debug', 'release'] as $profile) {
            if (is_executable("$target/$profile/mirakl-sandbox")) {
                return "$target/$profile/mirakl-sandbox";
            }
        }
        throw new \RuntimeException("mirakl-sandbox is not built (MIRAKL_TEST_SANDBOX unset, nothing in $target): run cargo build -p mirakl-sandbox");
    }

    public function stop(): void
    {
        if (is_resource($this->process)) {
            proc_terminate($this->process);
            proc_close($this->process);
        }
        @unlink($this->configFile);
    }

    public function __destruct()
    {
        $this->stop();
    }

    /** Calls the console; returns the decoded JSON answer. */
    public function console(string $method, string $path, $body = null): array
    {
        return $this->request($method, $this->consoleUrl . $path, $body, false);
    }

    /** Calls the shop API with the key, as the marketplace's back office or a script would. */
    public function api(string $method, string $path, $body = null): array
    {
        return $this->request($method, $this->baseUrl . $path, $body, true);
    }

    private function request(string $method, string $url, $body, bool $withKey): array
    {
        $headers = "Content-Type: application/json\r\nAccept: application/json\r\n";
        if ($withKey) {
            $headers .= "Authorization: {$this->apiKey}\r\n";
        }
        $context = stream_context_create(['http' => [
            'method' => $method,
            'header' => $headers,
            'content' => $body === null ? '' : json_encode($body),
            'ignore_errors' => true,
            'timeout' => 10,
        ]]);
        $answer = file_get_contents($url, false, $context);
        if ($answer === '' || $answer === false) {
            return [];
        }
        $decoded = json_decode((string) $answer, true);
        if (!is_array($decoded)) {
            throw new \RuntimeException("$method $url answered: $answer");
        }
        return $decoded;
    }

    public function state(): array
    {
        return $this->console('GET', '/state');
    }

    public function order(string $orderId): array
    {
        foreach ($this->state()['orders'] as $order) {
            if ($order['order_id'] === $orderId) {
                return $order;
            }
        }
        throw new \RuntimeException("no order $orderId in the sandbox");
    }

    public function offer(string $sku): array
    {
        foreach ($this->state()['offers'] as $offer) {
            if (($offer['shop_sku'] ?? $offer['sku'] ?? null) === $sku) {
                return $offer;
            }
        }
        throw new \RuntimeException("no offer $sku in the sandbox");
    }
}
