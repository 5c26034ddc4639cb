<?php

namespace MiraklConnector\Tests\WooCommerce;

use MiraklConnector\Tests\PluginTestCase;
use MiraklConnector\Tests\Site;

/**
 * The sites of this suite are installed from the plugin zip (build/package), and PHP loads the
 * extension from the zip's bin/ folder: the file is where the plugin's own instructions say.
 */
final class PackageTest extends PluginTestCase
{
    public function test_the_extension_is_loaded_from_the_plugins_bin_folder(): void
    {
        $bin = WP_PLUGIN_DIR . '/' . Site::PLUGIN_SLUG . '/bin/';
        $this->assertStringStartsWith($bin, Site::extensionPath(), 'build/test loads the extension the zip ships');
        $this->assertTrue(extension_loaded('mirakl_connector'));
    }

    public function test_the_shipped_file_has_the_name_the_plugin_tells_admins_to_use(): void
    {
        $expected = WP_PLUGIN_DIR . '/' . Site::PLUGIN_SLUG . '/bin/' . \MiraklConnector\Requirements::extension_file_name();
        $this->assertFileExists($expected, 'the requirements notice points at this file');
        $this->assertSame(realpath($expected), realpath(Site::extensionPath()));
        $this->assertFileExists(WP_PLUGIN_DIR . '/' . Site::PLUGIN_SLUG . '/bin/README.txt');
    }

    public function test_the_zip_ships_a_build_for_each_php_it_was_packaged_for(): void
    {
        // build/test names the builds it packaged (this PHP's, and on PHP 8.4 the PHP 8.2 one too).
        $expected = preg_split('/\s+/', trim((string) getenv('MIRAKL_TEST_BUNDLED_SO')), -1, PREG_SPLIT_NO_EMPTY);
        $this->assertContains(\MiraklConnector\Requirements::extension_file_name(), $expected, 'build/test says what it packaged');
        $bin = WP_PLUGIN_DIR . '/' . Site::PLUGIN_SLUG . '/bin/';
        $shipped = array_map('basename', glob($bin . '*.so') ?: []);
        sort($shipped);
        sort($expected);
        $this->assertSame($expected, $shipped, 'one build per PHP ABI, named mirakl_connector-php<minor>-<nts|zts>-<arch>.so');
        $readme = (string) file_get_contents($bin . 'README.txt');
        foreach ($expected as $name) {
            $this->assertStringContainsString($name, $readme, 'bin/README.txt lists every build');
        }
    }
}
