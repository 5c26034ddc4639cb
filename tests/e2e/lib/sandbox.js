// The Mirakl sandbox's operator console (create offers and orders, debit customers, read state).
'use strict';

const base = () => (process.env.MIRAKL_E2E_SANDBOX || '').replace(/\/$/, '');

async function consoleCall(method, path, body) {
  if (!base()) {
    throw new Error('MIRAKL_E2E_SANDBOX must name the sandbox (http://HOST:PORT)');
  }
  const response = await fetch(`${base()}/_sandbox${path}`, {
    method,
    headers: { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) {
    throw new Error(`sandbox ${method} ${path} answered ${response.status}: ${text}`);
  }
  return JSON.parse(text);
}

async function order(orderId) {
  const state = await consoleCall('GET', '/state');
  return state.orders.find((o) => o.order_id === orderId);
}

module.exports = { consoleCall, order, apiUrl: () => `${base()}/api` };
