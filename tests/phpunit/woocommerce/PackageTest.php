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
}
