// A SaaS subscription's whole life in a real browser, for both listing kinds of the sandbox: the
// legacy listing (SNS, CustomerIdentifier) and the concurrent-agreement listing (EventBridge,
// account + license). The buyer subscribes in the simulator's console "3 hours ago" and links an
// organization of its own; the events make the link Active; the seller application posts usage
// with the operator's API token; the operator runs metering from /operator/health; the
// simulator then holds one record per closed hour and dimension since the subscription (the
// usage in its hour, zero in the idle ones) and none for the current hour. An entitlement change
// reaches the page and the API; the buyer cancels in the console: Unsubscribe pending, the
// current hour flushed to AWS, then Cancelled. Screenshots of the subscription page in each state
// at 1280 and 375 px. Every wait is bounded.
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';

import { backends, cli, screenshot, startBrowser, startServer } from '../lib/harness.mjs';

const PASSWORD = 'marketlink-demo-password';
const ADMIN = 'admin@demo.marketlink.test';
const OPERATOR = 'operator@demo.marketlink.test';
const OPERATOR_SLUG = 'marketlink-operations';
const LEGACY = { code: 'marketlinkdemo00000000001', name: 'Marketlink Demo (SaaS)', kind: 'sns' };
const ANALYTICS = { code: 'marketlinkdemo00000000002', name: 'Marketlink Analytics', kind: 'eventbridge' };
const DIMENSIONS = ['api_calls', 'users'];
const HOUR = 3600 * 1000;
const STARTED_HOURS_AGO = 3;
const UNSUBSCRIBE_DELAY_SECONDS = 8;

const hourOf = (ms) => Math.floor(ms / HOUR) * HOUR;
// A case takes 25–35 s; one begun this close to the hour waits for the next hour first.
const CASE_BUDGET = 120000;
const iso = (ms) => new Date(ms).toISOString();

// Polls `check` (async, truthy when done) every 300 ms for at most `ms`.
async function until(check, what, ms = 20000) {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

for (const backend of backends()) {
  describe(`a subscription's lifecycle end to end (${backend})`, () => {
    let server;
    let token;
    let browser;
    let operatorBrowser;
    let page;
    let operatorPage;

    before(async () => {
      server = await startServer(backend, { sandbox: true });
      const out = cli(server.database, ['token', 'create', '--email', OPERATOR, '--org', OPERATOR_SLUG,
        '--name', 'e2e seller application']);
      token = String(out).trim().split(/\s+/).pop();
      assert.match(token, /^mlk_/);
    });

    after(async () => {
      await server?.stop();
    });

    beforeEach(async () => {
      browser = await startBrowser();
      page = await browser.context.newPage();
      page.setDefaultTimeout(15000);
      operatorBrowser = await startBrowser();
      operatorPage = await operatorBrowser.context.newPage();
      operatorPage.setDefaultTimeout(15000);
    });

    afterEach(async () => {
      await browser?.close();
      await operatorBrowser?.close();
      browser = null;
      operatorBrowser = null;
    });

    async function sim(method, path, body) {
      const response = await fetch(`${server.simUrl}${path}`, {
        method,
        headers: body ? { 'content-type': 'application/json' } : {},
        body: body ? JSON.stringify(body) : undefined,
      });
      const text = await response.text();
      assert.ok(response.ok, `${method} ${path}: ${response.status} ${text}`);
      return text ? JSON.parse(text) : null;
    }

    async function api(method, path, body, headers = {}) {
      const response = await fetch(`${server.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
        body: body ? JSON.stringify(body) : undefined,
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : null };
    }

    function newCustomerOrg(name) {
      cli(server.database, ['org', 'create', '--name', name, '--kind', 'customer',
        '--subscription', 'active', '--admin', ADMIN]);
      return name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
    }

    // The subscription page's card of the product: its status chip.
    async function pageStatus(slug, product) {
      await page.goto(`${server.url}/orgs/${slug}/subscription`);
      const card = page.locator('section.subscription').filter({ hasText: product.code });
      assert.equal(await card.count(), 1, 'one card for the product');
      return (await card.locator('.chip').textContent()).trim();
    }

    async function waitForStatus(slug, product, status) {
      await until(async () => (await pageStatus(slug, product)) === status, `the page to show ${status}`);
    }

    // The simulator's metering records of this buyer.
    async function recordsOf(product, customer) {
      const { records } = await sim('GET', '/_sim/metering-records');
      return records.filter((r) => r.product_code === product.code && r.customer === customer);
    }

    async function runMeteringNow() {
      await operatorPage.goto(`${server.url}/operator/health`);
      await operatorPage.getByRole('button', { name: 'Run metering now' }).click();
      await operatorPage.getByText('Metering ran: every closed hour not yet sent was sent.').waitFor();
    }

    for (const product of [LEGACY, ANALYTICS]) {
      test(`${product.name} (${product.kind}): subscribe 3 hours ago → link → active → metered → entitlements → cancelled`, async () => {
        const shot = (state) => screenshot(page, `${backend}-lifecycle-${product.kind}-${state}`, { mobile: true });
        // The hours asserted below are those of the clock when the test starts: a test begun
        // less than CASE_BUDGET before the hour turns waits for the new hour first, so that no
        // hour closes while it runs.
        const left = hourOf(Date.now()) + HOUR - Date.now();
        if (left < CASE_BUDGET) await new Promise((resolve) => setTimeout(resolve, left + 2000));
        await sim('POST', '/_sim/settings', { unsubscribe_delay_seconds: UNSUBSCRIBE_DELAY_SECONDS });

        // The operator signs in (another browser) for Run metering now.
        await operatorPage.goto(`${server.url}/login`);
        await operatorPage.getByLabel('E-mail address').fill(OPERATOR);
        await operatorPage.getByLabel('Password').fill(PASSWORD);
        await operatorPage.getByLabel('Password').press('Enter');
        await operatorPage.waitForURL(/\/orgs\/[a-z0-9-]+$/);

        // 1. A fresh buyer subscribes in the console, "3 hours ago".
        await page.goto(`${server.simUrl}/console`);
        await page.getByRole('button', { name: 'Create a new AWS account' }).click();
        await page.waitForURL(/\/console\/marketplace\?flash=/);
        const buyer = (await page.locator('.acct .mono').textContent()).trim();
        assert.match(buyer, /^\d{12}$/);
        await page.getByRole('link', { name: 'Discover products' }).click();
        await page.getByRole('link', { name: product.name, exact: true }).click();
        await page.getByRole('heading', { name: product.name }).waitFor();
        const started = page.getByLabel('Subscribed');
        assert.deepEqual((await started.locator('option').allTextContents()).map((s) => s.trim()),
          ['now', '1 hour ago', '2 hours ago', '3 hours ago', '4 hours ago', '5 hours ago']);
        assert.equal(await started.inputValue(), '0', 'now by default');
        await started.selectOption({ label: '3 hours ago' });
        await screenshot(page, `${backend}-lifecycle-${product.kind}-console-subscribe`, { mobile: true });
        const subscribedAt = Date.now();
        await page.getByRole('button', { name: 'Subscribe' }).click();
        await page.getByText('Subscribed. Choose Set up product to finish.').waitFor();
        const agreements = (await sim('GET', '/_sim/subscriptions')).subscriptions
          .filter((a) => a.buyer_account_id === buyer && a.product_code === product.code);
        assert.equal(agreements.length, 1);
        const agreement = agreements[0];
        const start = Date.parse(agreement.created_at);
        const expectedStart = subscribedAt - STARTED_HOURS_AGO * HOUR;
        assert.ok(Math.abs(start - expectedStart) < 60000, `started ${agreement.created_at}, 3 h ago`);
        const customer = product === LEGACY ? agreement.customer_identifier
          : `${buyer}|${agreement.license_arn}`;

        // 2. Set up product → sign in as the demo admin → authorize an organization of its own.
        const orgName = `E2E Lifecycle ${product.kind} ${backend}`;
        const slug = newCustomerOrg(orgName);
        const row = page.getByRole('row').filter({ hasText: product.code });
        assert.equal(await row.count(), 1);
        await row.getByRole('link', { name: 'Set up product' }).click();
        await page.getByRole('heading', { name: 'Set up your account' }).waitFor();
        await page.getByRole('button', { name: 'Click here to set up your account' }).click();
        await page.waitForURL(/\/onboarding\/[A-Za-z0-9_-]+$/);
        await page.getByRole('button', { name: 'Sign in and link' }).click();
        await page.waitForURL(/\/login\?/);
        await page.getByLabel('E-mail address').fill(ADMIN);
        await page.getByLabel('Password').fill(PASSWORD);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.waitForURL(/\/onboarding\/[A-Za-z0-9_-]+\/authorize$/);
        await page.locator('.org-option').filter({ has: page.getByText(orgName, { exact: true }) })
          .getByRole('radio').check();
        await page.getByRole('button', { name: 'Confirm and link' }).click();
        await page.waitForURL(new RegExp(`/orgs/${slug}/subscription$`));
        const card = page.locator('section.subscription').filter({ hasText: product.code });
        await card.getByText(buyer, { exact: true }).waitFor();

        // 3. The events (sent 3 hours "ago", delivered now) make the link Active.
        await waitForStatus(slug, product, 'Active');
        const cancelHelp = card.getByText('Cancellation happens in AWS Marketplace', { exact: false });
        assert.equal(await cancelHelp.count(), 1, 'how to cancel, while active');
        await shot('active');

        // 4. Usage: 7 users in the hour 2 hours ago, 5 in the current hour.
        const now = Date.now();
        const current = hourOf(now);
        const twoHoursAgo = hourOf(now - 2 * HOUR);
        const posted = await api('POST', '/api/v1/usage', { records: [
          { org: slug, product_code: product.code, dimension: 'users', quantity: 7, timestamp: iso(twoHoursAgo + 60000) },
          { org: slug, product_code: product.code, dimension: 'users', quantity: 5, timestamp: iso(now) },
        ] }, { 'idempotency-key': `e2e-lifecycle-${product.kind}-${backend}-${now}` });
        assert.equal(posted.status, 202, JSON.stringify(posted.body));
        assert.deepEqual(posted.body.records.map((r) => r.state), ['pending', 'pending'], JSON.stringify(posted.body));

        // 5. Run metering now, in the browser: one record per closed hour and dimension since
        //    the start, the usage in its hour, zeros elsewhere, nothing for the current hour.
        await runMeteringNow();
        const records = await recordsOf(product, customer);
        const closed = [];
        for (let h = hourOf(start); h < current; h += HOUR) closed.push(h);
        assert.equal(closed.length, STARTED_HOURS_AGO, 'three closed hours since the start');
        const expected = [];
        for (const h of closed) {
          for (const d of DIMENSIONS) expected.push(`${iso(h)} ${d} ${h === twoHoursAgo && d === 'users' ? 7 : 0}`);
        }
        const got = records.map((r) => `${iso(Date.parse(r.hour))} ${r.dimension} ${r.quantity}`).sort();
        assert.deepEqual(got, expected.sort());
        for (const r of records) assert.equal(r.status, 'Success', JSON.stringify(r));
        assert.equal(records.filter((r) => Date.parse(r.hour) === current).length, 0, 'the current hour is not sent');
        // Run again: nothing new, no duplicate.
        await runMeteringNow();
        assert.equal((await recordsOf(product, customer)).length, records.length);

        // 6. The entitlements change at AWS: the page and the API show them.
        await sim('POST', `/_sim/subscriptions/${agreement.agreement_id}/entitlements`, { users: 25 });
        const entitlements = async () => {
          const r = await api('GET', `/api/v1/orgs/${slug}/entitlements?product_code=${product.code}`);
          assert.equal(r.status, 200, JSON.stringify(r.body));
          return r.body;
        };
        const read = await until(async () => {
          const e = await entitlements();
          return e.entitlements.some((x) => x.dimension === 'users' && x.value === 25) ? e : null;
        }, 'the new entitlements in the API');
        assert.equal(read.entitled, true);
        assert.equal(read.status, 'active');
        await page.goto(`${server.url}/orgs/${slug}/subscription`);
        const table = card.locator('table.entitlements');
        await table.waitFor();
        const cells = await table.locator('tbody tr').first().locator('td').allTextContents();
        assert.deepEqual(cells.slice(0, 2).map((s) => s.trim()), ['users', '25']);
        await shot('entitlements');

        // 7. The buyer cancels in the console: Unsubscribe pending, the current hour flushed.
        await page.goto(`${server.simUrl}/console/marketplace/subscriptions`);
        await page.getByRole('row').filter({ hasText: product.code }).getByRole('link', { name: 'Cancel' }).click();
        await page.getByRole('button', { name: 'Cancel subscription' }).click();
        await page.waitForURL(/\/console\/marketplace\/subscriptions/);
        await waitForStatus(slug, product, 'Unsubscribe pending');
        await card.getByText('The subscription was cancelled in AWS Marketplace and ends when AWS confirms it.').waitFor();
        assert.equal(await cancelHelp.count(), 0, 'no "how to cancel" once cancelled');
        await shot('unsubscribe-pending');
        const flushed = await until(async () => {
          const all = await recordsOf(product, customer);
          return all.some((r) => Date.parse(r.hour) === current) ? all : null;
        }, 'the current hour flushed to the simulator');
        const currentRecords = flushed.filter((r) => Date.parse(r.hour) === current)
          .map((r) => `${r.dimension} ${r.quantity}`).sort();
        assert.deepEqual(currentRecords, ['api_calls 0', 'users 5']);
        const keys = flushed.map((r) => `${r.hour} ${r.dimension}`);
        assert.equal(new Set(keys).size, keys.length, 'one record per hour and dimension');

        // 8. unsubscribe-success after the delay: Cancelled.
        await until(async () => (await pageStatus(slug, product)) === 'Cancelled', 'Cancelled',
          (UNSUBSCRIBE_DELAY_SECONDS + 20) * 1000);
        await card.getByText('This subscription has ended.').waitFor();
        assert.equal(await cancelHelp.count(), 0);
        await shot('cancelled');
        const ended = await entitlements();
        assert.equal(ended.status, 'cancelled');
        assert.equal(ended.entitled, false);
      });
    }
  });
}
