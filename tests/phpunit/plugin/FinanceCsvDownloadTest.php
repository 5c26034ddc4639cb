<?php

namespace MiraklConnector\Tests\Plugin;

require_once __DIR__ . '/AdminTestCase.php';

use MiraklConnector\Finance\CsvDownload;
use MiraklConnector\Native\Bridge;

/**
 * The finance CSV downloads (admin-post.php): refused without `manage_woocommerce` or without the
 * nonce; with both, a text/csv attachment whose first line is the export's header.
 */
final class FinanceCsvDownloadTest extends AdminTestCase
{
    /** @var array{headers: array<string, string>, body: string}|null */
    private ?array $sent = null;

    private function download(): CsvDownload
    {
        $this->sent = null;
        return new CsvDownload(new Bridge(), function (array $headers, string $body): void {
            $this->sent = ['headers' => $headers, 'body' => $body];
        });
    }

    private function ask(array $fields, bool $validNonce = true): void
    {
        $fields['_wpnonce'] = $validNonce ? wp_create_nonce(CsvDownload::ACTION) : 'not-a-nonce';
        $fields['action'] = CsvDownload::ACTION;
        $_GET = wp_slash($fields);
        $_REQUEST = $_GET;
    }

    public function test_a_user_without_manage_woocommerce_gets_no_csv(): void
    {
        $this->logIn('editor', false);
        $this->ask(['kind' => 'summary', 'month' => '2026-10']);
        $refusal = $this->refusal([$this->download(), 'on_download']);
        $this->assertNotNull($refusal);
        $this->assertSame(403, $refusal->getCode());
        $this->assertNull($this->sent, 'nothing was sent');
    }

    public function test_a_request_without_the_nonce_gets_no_csv(): void
    {
        $this->logIn('administrator', true);
        $this->ask(['kind' => 'summary', 'month' => '2026-10'], false);
        $refusal = $this->refusal([$this->download(), 'on_download']);
        $this->assertNotNull($refusal);
        $this->assertSame(403, $refusal->getCode());
        $this->assertNull($this->sent);
    }

    public function test_an_unknown_export_or_month_is_a_bad_request(): void
    {
        $this->logIn('administrator', true);
        foreach ([['kind' => 'balance', 'month' => '2026-10'], ['kind' => 'summary', 'month' => '2026-13'], ['kind' => 'ledger', 'month' => '2026-10', 'currency' => 'EURO']] as $fields) {
            $this->ask($fields);
            $refusal = $this->refusal([$this->download(), 'on_download']);
            $this->assertNotNull($refusal, json_encode($fields));
            $this->assertSame(400, $refusal->getCode());
            $this->assertNull($this->sent);
        }
    }

    /** @return array<string, array{string, string}> */
    public static function exports(): array
    {
        return [
            'summary' => ['summary', 'period,currency,gross_sales,shipping,taxes,refunds,refund_taxes,commissions,commission_vat,fees,'],
            'orders' => ['orders', 'period,currency,mirakl_order_id,wc_order_id,status,sales,shipping,taxes,refunds,refund_taxes,commissions,commission_vat,fees,net'],
            'ledger' => ['ledger', 'date,document_number,payout_reference,transaction_id,order_id,wc_order_id,line_id,refund_id,type,category,description,debit,credit,currency,payment_state,billing_cycle,account'],
        ];
    }

    /** @dataProvider exports */
    public function test_with_the_capability_and_the_nonce_the_csv_is_an_attachment_with_its_header_line(string $kind, string $header): void
    {
        $this->logIn('editor', true);
        $this->ask(['kind' => $kind, 'month' => '2026-10', 'currency' => 'eur']);
        $refusal = $this->refusal([$this->download(), 'on_download']);
        $this->assertNull($refusal, $refusal ? $refusal->getMessage() : '');
        $this->assertNotNull($this->sent);
        $this->assertSame('text/csv; charset=utf-8', $this->sent['headers']['Content-Type']);
        $this->assertSame("attachment; filename=\"mirakl-finance-$kind-2026-10-EUR.csv\"", $this->sent['headers']['Content-Disposition']);
        $first = strtok($this->sent['body'], "\r\n");
        $this->assertStringStartsWith($header, (string) $first);
    }

    public function test_the_download_link_carries_the_action_the_nonce_and_the_month(): void
    {
        $this->logIn('administrator', true);
        $url = CsvDownload::url('orders', '2026-10', 'EUR');
        parse_str((string) parse_url(html_entity_decode($url), PHP_URL_QUERY), $query);
        $this->assertSame(CsvDownload::ACTION, $query['action']);
        $this->assertSame('orders', $query['kind']);
        $this->assertSame('2026-10', $query['month']);
        $this->assertSame('EUR', $query['currency']);
        $this->assertSame(1, wp_verify_nonce($query['_wpnonce'], CsvDownload::ACTION));
    }
}
