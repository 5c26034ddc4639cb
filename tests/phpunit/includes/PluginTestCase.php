<?php

namespace MiraklConnector\Tests;

use PHPUnit\Framework\TestCase;

/**
 * Base class of the plugin's PHPUnit tests: probes with readable failure messages.
 */
abstract class PluginTestCase extends TestCase
{
    /** Runs a probe and fails the test, showing the child's output, when it did not answer. */
    protected function probe(string $probe, bool $withExtension): array
    {
        $run = Site::probe($probe, $withExtension);
        $this->assertIsArray(
            $run['result'],
            "probe '$probe' (" . ($withExtension ? 'with' : 'without') . " the extension) gave no result; exit {$run['exit']}\n"
            . "stdout:\n{$run['stdout']}\nstderr:\n{$run['stderr']}"
        );
        $this->assertSame([], $run['result']['plugin_errors'], "PHP errors in the plugin's files during probe '$probe'");
        $this->assertSame([], $run['result']['early_translations'], "the plugin translated strings before init during probe '$probe' (WordPress 6.7+ logs each as triggered too early)");
        return $run['result'];
    }

    /** The dashboard's admin notices as plain text (tags stripped, spaces collapsed). */
    protected function adminNoticesText(bool $withExtension): string
    {
        return self::plainText($this->probe('notices', $withExtension)['html']);
    }

    /**
     * The codes of the unmet requirements the dashboard's notice lists (its `data-requirement`
     * attributes, e.g. woocommerce_missing, extension_missing), with the notice's plain text.
     *
     * @return array{codes: list<string>, text: string}
     */
    protected function requirementsNotice(bool $withExtension): array
    {
        $html = $this->probe('notices', $withExtension)['html'];
        preg_match_all('/data-requirement="([a-z0-9_]+)"/', $html, $matches);
        return ['codes' => $matches[1], 'text' => self::plainText($html)];
    }

    private static function plainText(string $html): string
    {
        return trim(preg_replace('/\s+/', ' ', html_entity_decode(strip_tags($html), ENT_QUOTES)));
    }

    protected function assertPluginActive(): void
    {
        $this->assertTrue(is_plugin_active(Site::PLUGIN_FILE), Site::PLUGIN_FILE . ' is not active on the test site');
    }
}
