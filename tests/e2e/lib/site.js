// The site under test and the browser: Debian's Chromium driven by playwright-core, headless.
// MIRAKL_E2E_URL, MIRAKL_E2E_USER and MIRAKL_E2E_PASSWORD name the build/run site; screenshots go
// to MIRAKL_E2E_ARTIFACTS (default: artifacts/ beside this folder, which git ignores).
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { chromium } = require('playwright-core');

const site = {
  url: (process.env.MIRAKL_E2E_URL || '').replace(/\/$/, ''),
  user: process.env.MIRAKL_E2E_USER || 'admin',
  password: process.env.MIRAKL_E2E_PASSWORD || '',
  artifacts: process.env.MIRAKL_E2E_ARTIFACTS || path.join(__dirname, '..', 'artifacts'),
};

const CHROMIUM_FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run',
];

async function launch() {
  if (!site.url || !site.password) {
    throw new Error('MIRAKL_E2E_URL and MIRAKL_E2E_PASSWORD must name the build/run site (build/test browser sets them)');
  }
  fs.mkdirSync(site.artifacts, { recursive: true });
  const browser = await chromium.launch({
    executablePath: process.env.MIRAKL_E2E_CHROMIUM || '/usr/bin/chromium',
    args: CHROMIUM_FLAGS,
  });
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  context.setDefaultTimeout(20000);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  return { browser, context, page, errors };
}

async function login(page) {
  await page.goto(`${site.url}/wp-login.php`);
  await page.fill('#user_login', site.user);
  await page.fill('#user_pass', site.password);
  await Promise.all([page.waitForURL(/wp-admin/), page.click('#wp-submit')]);
}

async function screenshot(page, name) {
  const file = path.join(site.artifacts, `${name}.png`);
  // wp-admin's bar is fixed: a page scrolled down would show it over the content.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

function admin(pathAndQuery) {
  return `${site.url}/wp-admin/${pathAndQuery}`;
}

module.exports = { site, launch, login, screenshot, admin };
