// Waiting for the connector's runner (WP-Cron, driven by visits to wp-cron.php) to do something.
'use strict';

const { site } = require('./site');

async function driveCron() {
  // WP-Cron runs on visits; the test visits it directly so nothing waits for traffic.
  await fetch(`${site.url}/wp-cron.php?doing_wp_cron=${Date.now() / 1000}`).catch(() => {});
}

// Polls `check` (async, truthy when done) while driving WP-Cron, up to `seconds`.
async function until(description, check, seconds = 240) {
  const deadline = Date.now() + seconds * 1000;
  let last;
  while (Date.now() < deadline) {
    await driveCron();
    last = await check();
    if (last) {
      return last;
    }
    await new Promise((resolve) => setTimeout(resolve, 5000));
  }
  throw new Error(`timed out after ${seconds} s waiting for ${description}`);
}

module.exports = { until, driveCron };
