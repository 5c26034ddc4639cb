<?php

namespace MiraklConnector\Tests;

/**
 * The test site seen from a test: where things are, the captured mail, and probes that run one
 * wp-admin request in a separate PHP process (with or without the extension) and return its result.
 * Probes exist because the plugin decides at load time what to hook, and a PHPUnit process is
 * neither an admin request nor able to unload an extension.
 */
final class Site
{
    public const PLUGIN_SLUG = 'mirakl-connector-for-woocommerce';
    public const PLUGIN_FILE = self::PLUGIN_SLUG . '/' . self::PLUGIN_SLUG . '.php';
    public const OPTION_PREFIX = 'mirakl_connector_';

    /** @var list<array<string, mixed>> Mail WordPress tried to send during this process. */
    public static array $mail = [];

    /** Like WordPress's tests_add_filter(): a hook in place before WordPress loads. */
    public static function addFilterBeforeLoad(string $hook, callable $callback, int $priority = 10, int $acceptedArgs = 1): void
    {
        $GLOBALS['wp_filter'][$hook][$priority][] = ['function' => $callback, 'accepted_args' => $acceptedArgs];
    }

    /** `pre_wp_mail` filter: records the mail and reports it sent, so nothing tries a mail server. */
    public static function captureMail($shortCircuit, array $atts): bool
    {
        self::$mail[] = $atts;
        return true;
    }

    public static function dir(): string
    {
        return rtrim((string) getenv('MIRAKL_TEST_WP_DIR'), '/');
    }

    /** Absolute path of the built extension (it may not be loaded in this process). */
    public static function extensionPath(): string
    {
        return (string) getenv('MIRAKL_TEST_EXTENSION');
    }

    public static function pluginMainFile(): string
    {
        return WP_PLUGIN_DIR . '/' . self::PLUGIN_FILE;
    }

    /**
     * Runs a probe of includes/admin-probe.php in a fresh PHP process as the site's administrator.
     *
     * @return array{result: mixed, stdout: string, stderr: string, exit: int}
     */
    public static function probe(string $probe, bool $withExtension): array
    {
        $php = getenv('MIRAKL_TEST_PHP') ?: PHP_BINARY;
        $command = [$php];
        if ($withExtension) {
            $command[] = '-d';
            $command[] = 'extension=' . self::extensionPath();
        }
        array_push($command, __DIR__ . '/admin-probe.php', self::dir(), $probe);
        $process = proc_open($command, [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
        if (!is_resource($process)) {
            throw new \RuntimeException('cannot start ' . implode(' ', $command));
        }
        $stdout = stream_get_contents($pipes[1]);
        $stderr = stream_get_contents($pipes[2]);
        fclose($pipes[1]);
        fclose($pipes[2]);
        $exit = proc_close($process);
        $result = null;
        foreach (explode("\n", $stdout) as $line) {
            if (strncmp($line, 'MIRAKL_PROBE_RESULT ', 20) === 0) {
                $result = json_decode(substr($line, 20), true, 512, JSON_THROW_ON_ERROR);
            }
        }
        return ['result' => $result, 'stdout' => $stdout, 'stderr' => $stderr, 'exit' => $exit];
    }

    /**
     * Forgets this process's cached options, so the next get_option()/update_option() reads the
     * database: probes change options in other processes behind this one's back.
     */
    public static function forgetCachedOptions(): void
    {
        wp_cache_delete('alloptions', 'options');
        wp_cache_delete('notoptions', 'options');
        foreach (self::pluginOptionNames() as $name) {
            wp_cache_delete($name, 'options');
        }
        wp_cache_delete(self::OPTION_PREFIX . 'settings', 'options');
    }

    /** The names of the plugin's options, read from the database (not this process's cache). */
    public static function pluginOptionNames(): array
    {
        global $wpdb;
        return $wpdb->get_col($wpdb->prepare(
            "SELECT option_name FROM {$wpdb->options} WHERE option_name LIKE %s ORDER BY option_name",
            $wpdb->esc_like(self::OPTION_PREFIX) . '%'
        ));
    }
}
