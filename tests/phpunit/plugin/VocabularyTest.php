<?php

namespace MiraklConnector\Tests\Plugin;

use MiraklConnector\Admin\DashboardPage;
use MiraklConnector\Admin\Format;
use MiraklConnector\Admin\ProblemKinds;
use MiraklConnector\Finance\FinanceKinds;
use MiraklConnector\Native\EntityType;
use MiraklConnector\Native\JobKind;
use MiraklConnector\Native\ProblemKind;
use MiraklConnector\Tests\PluginTestCase;

/**
 * The screens speak the core's vocabulary: every problem kind the core can raise has a label,
 * every label is a kind the core knows, every job kind has its words, and a dead job links to
 * what its key names.
 */
final class VocabularyTest extends PluginTestCase
{
    public function test_every_problem_kind_has_a_label_and_every_label_is_a_kind(): void
    {
        $labels = ProblemKinds::labels() + FinanceKinds::labels();
        foreach (ProblemKind::all() as $kind) {
            $this->assertArrayHasKey($kind, $labels, "no label for the core's kind $kind");
            $this->assertNotSame($kind, $labels[$kind]);
        }
        $this->assertSame([], array_values(array_diff(array_keys($labels), ProblemKind::all())), 'labels for kinds the core never raises');
        $this->assertSame([], array_values(array_diff(ProblemKinds::DEFAULT_MAILED, ProblemKind::all())));
    }

    public function test_every_job_kind_has_its_words(): void
    {
        foreach (JobKind::all() as $kind) {
            $this->assertNotSame($kind, Format::job_label($kind), "no words for the job kind $kind");
        }
    }

    public function test_a_dead_job_links_to_what_its_key_names(): void
    {
        $this->assertSame(EntityType::MIRAKL_ORDER, JobKind::key_entity(JobKind::IMPORT_ORDER));
        $this->assertSame(EntityType::SHOP_ORDER, JobKind::key_entity(JobKind::SHIP_ORDER));
        $this->assertNull(JobKind::key_entity(JobKind::POLL_ORDERS));
        $this->assertNull(JobKind::key_entity('no_such_kind'));
        $order = DashboardPage::entity(JobKind::SHIP_ORDER, '42');
        $this->assertStringContainsString('#42', $order['text']);
        $mirakl = DashboardPage::entity(JobKind::SYNC_ORDER, 'M-7');
        $this->assertStringContainsString('M-7', $mirakl['text']);
        $this->assertStringContainsString('Mirakl', $mirakl['text']);
    }
}
