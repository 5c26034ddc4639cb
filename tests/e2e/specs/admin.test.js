// The connector's wp-admin as an operator uses it, in headless Chromium against the build/run
// site: settings refused with a clear error, the connection tested against the sandbox, a carrier
// mapped, held orders retried from the dashboard, and one order taken from WAITING_ACCEPTANCE to
// SHIPPED from WooCommerce's screens. Screenshots go to the artefacts folder.
'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { site, launch, login, screenshot, admin } = require('../lib/site');
const sandbox = require('../lib/sandbox');
const { until } = require('../lib/wait');

const SETTINGS = 'admin.php?page=mirakl-connector-settings';
const DASHBOARD = 'admin.php?page=mirakl-connector';
const RUN = Date.now().toString(36).toUpperCase();

describe('wp-admin: WooCommerce → Mirakl', () => {
  let browser;
  let page;
  let errors;

  before(async () => {
    ({ browser, page, errors } = await launch());
    page.on('dialog', (dialog) => dialog.accept());
    await login(page);
  });

  after(async () => {
    if (browser) {
      await browser.close();
    }
  });

  async function flash() {
    return (await page.locator('.mirakl-flash').first().innerText()).trim();
  }

  async function openSection(name) {
    await page.click(`.mirakl-tabs a[data-section="${name}"]`);
    await page.locator(`#mirakl-section-${name}`).waitFor({ state: 'visible' });
  }

  it('refuses a bad API URL with a message naming the field, and saves nothing', async () => {
    await page.goto(admin(SETTINGS));
    const stored = await page.inputValue('#mirakl-field-api_url');
    assert.match(stored, /^http:\/\/127\.0\.0\.1:\d+\/api$/, 'build/run stored the sandbox URL');
    assert.equal(await page.inputValue('#mirakl-field-api_key'), '', 'the stored API key is never printed');
    assert.match(await page.locator('#mirakl-secret-state').innerText(), /key is stored/);

    await page.fill('#mirakl-field-api_url', 'ftp://marketplace.example.com/api');
    await openSection('stock');
    await page.fill('#mirakl-field-stock_buffer', '7');
    await Promise.all([page.waitForNavigation(), page.click('#mirakl-save')]);

    assert.match(await flash(), /Nothing was saved/);
    const error = await page.locator('#mirakl-error-api_url').innerText();
    assert.match(error, /^API URL: .*https/, `the error names the field and says why: ${error}`);
    await page.locator('#mirakl-section-connection').waitFor({ state: 'visible' });
    assert.equal(await page.inputValue('#mirakl-field-api_url'), 'ftp://marketplace.example.com/api', 'what was typed is kept for correction');
    await screenshot(page, '01-settings-bad-url');

    await page.goto(admin(SETTINGS));
    assert.equal(await page.inputValue('#mirakl-field-api_url'), stored, 'the stored URL is unchanged');
    await openSection('stock');
    assert.notEqual(await page.inputValue('#mirakl-field-stock_buffer'), '7', 'no other section was saved either');
  });

  it('tests the connection against the sandbox and shows the shop name and state', async () => {
    await page.goto(admin(SETTINGS));
    await Promise.all([page.waitForNavigation(), page.click('#mirakl-test-connection')]);
    const message = await flash();
    assert.match(message, /Connected to Mirakl: shop "Sandbox Shop" \(id \d+\), state OPEN/, message);
    assert.match(await page.locator('.mirakl-connection-status').innerText(), /Connected/);
    await screenshot(page, '02-connection-tested');
  });

  it('maps a WooCommerce carrier name to a Mirakl carrier from SH21', async () => {
    await page.goto(admin(SETTINGS));
    await openSection('shipping');
    const codeField = page.locator('#mirakl-field-carrier_map .mirakl-carrier-code').first();
    if ((await codeField.evaluate((el) => el.tagName)) === 'INPUT') {
      // The carrier list is read on the first sync: drive the runner until it is there.
      await until('the Mirakl carriers (SH21) to be read', async () => {
        await page.goto(admin(SETTINGS) + '#mirakl-section-shipping');
        return (await page.locator('#mirakl-field-carrier_map select.mirakl-carrier-code').count()) > 0;
      }, 180);
      await openSection('shipping');
    }
    const options = await page.locator('#mirakl-field-carrier_map select.mirakl-carrier-code').first().locator('option').allInnerTexts();
    assert.ok(options.some((o) => o.startsWith('COLISSIMO')), `SH21 carriers offered: ${options.join(', ')}`);
    const row = page.locator('#mirakl-field-carrier_map tr.mirakl-carrier-row').last();
    await row.locator('.mirakl-carrier-name').fill('Colissimo');
    await row.locator('select.mirakl-carrier-code').selectOption('COLISSIMO');
    await Promise.all([page.waitForNavigation(), page.click('#mirakl-save')]);
    assert.match(await flash(), /Settings saved/);

    await openSection('shipping');
    const names = await page.locator('#mirakl-field-carrier_map .mirakl-carrier-name').evaluateAll((inputs) => inputs.map((i) => i.value));
    const index = names.indexOf('Colissimo');
    assert.ok(index >= 0, `the mapping is kept: ${names.join(', ')}`);
    assert.equal(await page.locator('#mirakl-field-carrier_map select.mirakl-carrier-code').nth(index).inputValue(), 'COLISSIMO');
    await screenshot(page, '03-carrier-mapped');
  });

  it('lists a held marketplace order on the dashboard and retries it', async () => {
    const sku = `E2E-UNKNOWN-${RUN}`;
    await sandbox.consoleCall('POST', '/offers', { sku, price: '12.00', quantity: 5 });
    const { order_id: orderId } = await sandbox.consoleCall('POST', '/orders', { lines: [{ offer_sku: sku, quantity: 1 }] });

    const row = page.locator(`tr.mirakl-problem:has-text("${orderId}")`).first();
    await until(`the dashboard to list order ${orderId} as a problem`, async () => {
      await page.goto(admin(DASHBOARD));
      return (await row.count()) > 0;
    });
    const kind = page.locator('details.mirakl-kind', { has: row });
    assert.match(await kind.locator('summary').innerText(), /open/);
    assert.match(await row.locator('.mirakl-entity').innerText(), new RegExp(`Mirakl order ${orderId}`), 'the row names the order');
    await row.scrollIntoViewIfNeeded();
    await screenshot(page, '04-dashboard-problems');

    const retry = row.locator('button.mirakl-retry');
    assert.equal(await retry.count(), 1, 'a held order can be retried');
    await Promise.all([page.waitForNavigation(), retry.click()]);
    assert.match(await flash(), /queued again/);
    await screenshot(page, '05-dashboard-retried');
  });

  it('takes a marketplace order from WAITING_ACCEPTANCE to SHIPPED from WooCommerce', async () => {
    const sku = `E2E-SKU-${RUN}`;
    // A product in WooCommerce, through its REST API with the logged-in browser's cookie.
    const product = await page.evaluate(async ({ sku }) => {
      const nonce = await (await fetch('/wp-admin/admin-ajax.php?action=rest-nonce')).text();
      const response = await fetch('/?rest_route=/wc/v3/products', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-WP-Nonce': nonce },
        body: JSON.stringify({ name: `E2E product ${sku}`, type: 'simple', regular_price: '19.90', sku, manage_stock: true, stock_quantity: 10 }),
      });
      return { status: response.status, body: await response.json() };
    }, { sku });
    assert.equal(product.status, 201, JSON.stringify(product.body));

    await sandbox.consoleCall('POST', '/offers', { sku, price: '19.90', quantity: 10 });
    const { order_id: orderId } = await sandbox.consoleCall('POST', '/orders', { lines: [{ offer_sku: sku, quantity: 1 }] });
    assert.equal((await sandbox.order(orderId)).state, 'WAITING_ACCEPTANCE');

    await until(`order ${orderId} to be accepted`, async () => (await sandbox.order(orderId)).state !== 'WAITING_ACCEPTANCE');
    if ((await sandbox.order(orderId)).state === 'WAITING_DEBIT_PAYMENT') {
      // build/run's sandbox debits customers at once; another sandbox is told to.
      await sandbox.consoleCall('POST', `/orders/${orderId}/debit`);
    }
    assert.equal((await sandbox.order(orderId)).state, 'SHIPPING');

    // The orders list, filtered to marketplace orders and searched by the product, finds it.
    await page.goto(admin(`edit.php?post_type=shop_order&mirakl_channel=marketplace&s=${encodeURIComponent(sku)}`));
    assert.equal(await page.locator('#mirakl-channel-filter').inputValue(), 'marketplace', 'the list has the marketplace filter');
    const link = page.locator('#the-list tr a.order-view, .wc-orders-list-table tr a.order-view').first();
    await link.waitFor();
    await Promise.all([page.waitForNavigation(), link.click()]);
    const box = page.locator('#mirakl-connector-order');
    await until(`the order box to show ${orderId} in SHIPPING`, async () => {
      await page.reload();
      const text = await box.innerText();
      return text.includes(orderId) && text.includes('SHIPPING');
    });

    await page.fill('#mirakl-carrier', 'Colissimo');
    await page.fill('#mirakl-tracking-number', `8V${RUN}`);
    await page.evaluate(() => {
      const status = document.getElementById('order_status');
      status.value = 'wc-completed';
      status.dispatchEvent(new Event('change', { bubbles: true }));
    });
    await Promise.all([page.waitForNavigation(), page.click('button.save_order')]);

    const shipped = await until(`order ${orderId} to be SHIPPED on Mirakl`, async () => {
      const order = await sandbox.order(orderId);
      return order.state === 'SHIPPED' ? order : null;
    });
    assert.equal(shipped.state, 'SHIPPED');
    await page.reload();
    await screenshot(page, '06-order-shipped-on-mirakl');
    // The box shows Mirakl's state as the connector last read it (OR11, polled every minute).
    await until('the order box to show SHIPPED', async () => {
      await page.reload();
      return (await box.innerText()).includes('SHIPPED');
    }, 300);
    await screenshot(page, '07-order-box-shipped');
  });

  it('raised no JavaScript error in the connector\'s script', () => {
    const ours = errors.filter((e) => /admin\.js|mirakl/i.test(e));
    assert.deepEqual(ours, []);
  });
});
