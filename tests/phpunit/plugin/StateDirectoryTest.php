<?php

namespace MiraklConnector\Tests\Plugin;

use MiraklConnector\StateDirectory;
use MiraklConnector\Tests\PluginTestCase;

/**
 * The state folder is the owner's only (0700), and its deny files are ones the servers accept: an
 * IIS web.config with request filtering (allowed in a folder web.config), rewritten when an
 * earlier version left another one.
 */
final class StateDirectoryTest extends PluginTestCase
{
    public function test_the_folder_is_owner_only_and_the_iis_rule_is_request_filtering(): void
    {
        $path = StateDirectory::path();
        $this->assertTrue(StateDirectory::ensure());
        @chmod($path, 0755);
        file_put_contents($path . '/web.config', '<configuration><system.webServer><authorization><deny users="*" /></authorization></system.webServer></configuration>');
        clearstatcache();
        $this->assertTrue(StateDirectory::ensure());
        clearstatcache();
        $this->assertSame(0700, fileperms($path) & 0777);
        $xml = simplexml_load_string((string) file_get_contents($path . '/web.config'));
        $this->assertNotFalse($xml, 'web.config is well-formed XML');
        $this->assertCount(0, $xml->xpath('/configuration/system.webServer/authorization'), 'no element IIS rejects in a folder');
        $this->assertSame('false', (string) $xml->xpath('/configuration/system.webServer/security/requestFiltering/fileExtensions')[0]['allowUnlisted']);
        $segments = array_map('strval', $xml->xpath('//hiddenSegments/add/@segment'));
        $this->assertContains('state.sqlite', $segments);
        $this->assertSame(StateDirectory::guards()['web.config'], file_get_contents($path . '/web.config'));
    }

    public function test_the_readme_nginx_rule_matches_the_state_folder_and_not_the_plugin_assets(): void
    {
        $readme = (string) file_get_contents(dirname(__DIR__, 3) . '/README.md');
        $this->assertSame(1, preg_match('/location ~ (\S+) \{ deny all;/', $readme, $m));
        $pattern = '#' . str_replace('#', '\#', $m[1]) . '#';
        $this->assertSame(1, preg_match($pattern, '/wp-content/mirakl-connector-' . str_repeat('a1', 16) . '/state.sqlite'));
        $this->assertSame(0, preg_match($pattern, '/wp-content/plugins/mirakl-connector-for-woocommerce/assets/admin.css'));
    }
}
