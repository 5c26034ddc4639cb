<?php

namespace MiraklConnector\Tests\Plugin;

use MiraklConnector\Admin\Format;
use MiraklConnector\Admin\View;
use MiraklConnector\Tests\PluginTestCase;

/**
 * The admin templates: View resolves names inside plugin/views/ only and a template sees only what
 * it is given; Format writes times, money and codes the one way the screens show them.
 */
final class AdminViewTest extends PluginTestCase
{
    public function test_a_template_name_cannot_leave_the_views_folder(): void
    {
        foreach (['../mirakl-connector-for-woocommerce', 'dashboard/../html-admin-dashboard', '/etc/passwd', 'html-admin-dashboard.php', 'a/b/c', 'HTML-Admin-Dashboard', "html-entity-link\n", ''] as $name) {
            try {
                View::html($name);
                $this->fail("'$name' was rendered");
            } catch (\InvalidArgumentException $refused) {
                $this->assertNotSame('', $refused->getMessage());
            }
        }
        $this->expectException(\InvalidArgumentException::class);
        View::html('dashboard/html-no-such-template');
    }

    public function test_a_template_prints_what_it_is_given_escaped(): void
    {
        $html = View::html('html-entity-link', ['url' => '', 'text' => '<b>SKU 1</b>']);
        $this->assertSame('<span class="mirakl-entity">&lt;b&gt;SKU 1&lt;/b&gt;</span>', $html);
        $html = View::html('html-entity-link', ['url' => 'javascript:alert(1)', 'text' => 'x']);
        $this->assertStringNotContainsString('javascript:', $html, 'URLs are escaped');
        $this->assertSame(realpath(dirname(MIRAKL_CONNECTOR_FILE) . '/views'), realpath(View::directory()), 'the templates ship beside src/');
    }

    public function test_format_writes_times_money_and_labels(): void
    {
        $this->assertSame('—', Format::ago(null));
        $this->assertSame('—', Format::when(''));
        $this->assertSame('—', Format::countdown('not a time'));
        $this->assertStringEndsWith(' ago', Format::ago(gmdate('c', time() - 180)));
        $this->assertStringStartsWith('in ', Format::ago(gmdate('c', time() + 600)));
        $this->assertStringContainsString('mirakl-text-critical', Format::countdown(gmdate('c', time() - 60)), 'a past deadline is red');
        $this->assertStringContainsString('mirakl-text-warning', Format::countdown(gmdate('c', time() + 3600)));
        $this->assertStringContainsString('mirakl-text-good', Format::countdown(gmdate('c', time() + 2 * DAY_IN_SECONDS)));
        $this->assertSame('12.50 EUR', Format::money('12.5', 'EUR'));
        $this->assertSame('0.125 EUR', Format::money('0.125', 'EUR'), 'as many decimals as the core sent');
        $this->assertSame('Critical', Format::severity_label('critical'));
        $this->assertSame('unknown_kind', Format::job_label('unknown_kind'), 'an unknown code shows as itself');
        $this->assertSame('Differs', Format::match_status_label('mismatch'));
    }
}
