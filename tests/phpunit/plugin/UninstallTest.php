<?php

namespace MiraklConnector\Tests\Plugin;

use MiraklConnector\Tests\PluginTestCase;
use MiraklConnector\Tests\Site;

/**
 * Deleting the plugin in wp-admin runs its uninstall.php, which removes the options it created.
 * The test puts the site back as it was (plugin active, options restored) afterwards.
 */
final class UninstallTest extends PluginTestCase
{
    /** @var array<string, mixed> */
    private array $saved = [];

    protected function setUp(): void
    {
        Site::forgetCachedOptions();
        foreach (Site::pluginOptionNames() as $name) {
            $this->saved[$name] = get_option($name);
        }
    }

    protected function tearDown(): void
    {
        $this->probe('reactivate', true);
        Site::forgetCachedOptions();
        foreach ($this->saved as $name => $value) {
            update_option($name, $value, false);
        }
    }

    public function test_uninstall_removes_the_plugin_options(): void
    {
        $this->assertFileExists(WP_PLUGIN_DIR . '/' . Site::PLUGIN_SLUG . '/uninstall.php');
        update_option(Site::OPTION_PREFIX . 'settings', ['api_url' => 'http://127.0.0.1:9/api', 'api_key' => 'test-key'], false);
        $before = Site::pluginOptionNames();
        $this->assertContains(Site::OPTION_PREFIX . 'settings', $before);
        // The state directory holds the state file with its order payloads: it goes too.
        $this->assertTrue(\MiraklConnector\StateDirectory::ensure());
        $state_dir = \MiraklConnector\StateDirectory::path();
        $this->assertDirectoryExists($state_dir);

        $result = $this->probe('uninstall', true);
        $this->assertTrue($result['uninstallable'], 'WordPress sees the plugin as uninstallable');
        $this->assertSame('', $result['output'], 'uninstall printed something');
        $this->assertFalse($result['active']);

        $left = array_values(array_intersect($before, Site::pluginOptionNames()));
        $this->assertSame([], $left, 'uninstall.php removes every option the plugin had created');
        clearstatcache();
        $this->assertFileDoesNotExist($state_dir . '/state.sqlite', 'the state file (and the payloads in it) is removed');
        $this->assertDirectoryDoesNotExist($state_dir, 'the state directory is removed');
    }
}
