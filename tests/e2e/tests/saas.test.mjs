// The AWS Marketplace buyer's path in a real browser, on the sandbox (demo products and buyers in
// the in-process simulator): subscribe in the simulator's buyer console → Set up product →
// onboarding → link an existing organization (admin), a member refused, a new account through
// e-mail verification, an expired token, AWS not answering, a token AWS does not know. Every step
// is reloaded once. Screenshots at 1280 and 375 px.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { backends, screenshot, startBrowser, startServer, uniqueEmail, waitForMailLink } from '../lib/harness.mjs';

const PASSWORD = 'marketlink-demo-password';
const LEGACY = 'marketlinkdemo00000000001';
const CONCURRENT = 'marketlinkdemo00000000002';

for (const backend of backends()) {
  describe(`AWS Marketplace buyer's path (${backend})`, () => {
    let server;
    let browser;
    const shot = (page, name) => screenshot(page, `${backend}-saas-${name}`, { mobile: true });

    before(async () => {
      server = await startServer(backend, { sandbox: true });
      assert.ok(server.simUrl, 'the sandbox printed its simulator URL');
      browser = await startBrowser();
    });

    after(async () => {
      await browser?.close();
      await server?.stop();
    });

    // Each test starts signed out of both the hub and the buyer console.
    async function newPage() {
      await browser.context.clearCookies();
      const page = await browser.context.newPage();
      page.setDefaultTimeout(15000);
      return page;
    }

    async function control(method, path, body) {
      const res = await fetch(server.simUrl + path, {
        method,
        headers: { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      assert.ok(res.ok, `${method} ${path}: ${res.status}`);
      return res.status === 204 ? null : res.json();
    }

    // In the buyer console as `account`: subscribe to `code` through the product page.
    async function subscribeInConsole(page, account, code, { freeTrial = false } = {}) {
      await page.goto(server.simUrl + '/console');
      if (await page.locator('#account_id').count()) {
        await page.selectOption('#account_id', account);
        await Promise.all([page.waitForURL(/\/console\/marketplace/), page.click('button:has-text("Sign in")')]);
      }
      await page.goto(`${server.simUrl}/console/marketplace/products/${code}`);
      if (freeTrial) await page.check('input[name="free_trial"]');
      await Promise.all([page.waitForURL(/subscriptions/), page.click('button:has-text("Subscribe")')]);
    }

    // The console's Set up product for an agreement: AWS's form post to the hub.
    async function setUp(page, agreementId) {
      await page.goto(`${server.simUrl}/console/marketplace/subscriptions/${agreementId}/setup`);
      await Promise.all([
        page.waitForURL((u) => u.href.startsWith(server.url)),
        page.click('button:has-text("Click here to set up your account")'),
      ]);
    }

    // A subscription made through the control API, then Set up product in the console.
    async function landWith(page, account, code) {
      const sub = await control('POST', '/_sim/subscriptions', { buyer_account_id: account, product_code: code });
      await page.goto(server.simUrl + '/console');
      if (await page.locator('#account_id').count()) {
        await page.selectOption('#account_id', account);
        await Promise.all([page.waitForURL(/\/console\/marketplace/), page.click('button:has-text("Sign in")')]);
      }
      await setUp(page, sub.agreement_id);
      return sub;
    }

    async function signIn(page, email) {
      await page.fill('#email', email);
      await page.fill('#password', PASSWORD);
      await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
    }

    test('an admin links an existing organization; reloads and a second click change nothing', async () => {
      const page = await newPage();
      await subscribeInConsole(page, '444455558888', CONCURRENT, { freeTrial: true });
      await Promise.all([page.waitForURL(/setup$/), page.click('a:has-text("Set up product")')]);
      const setupUrl = page.url();
      await Promise.all([
        page.waitForURL((u) => u.href.startsWith(server.url)),
        page.click('button:has-text("Click here to set up your account")'),
      ]);
      assert.match(page.url(), /\/onboarding\/[A-Za-z0-9_-]+$/);
      const onboarding = page.url();
      await page.reload();
      await page.getByRole('heading', { name: 'Set up Marketlink Analytics' }).waitFor();
      assert.match(await page.textContent('.summary'), /444455558888/);
      assert.match(await page.textContent('.summary'), /Free trial/);
      assert.equal(await page.locator('[aria-current="step"]').textContent(), '1Account');
      await shot(page, 'step1');

      await Promise.all([page.waitForURL(/\/login/), page.click('button:has-text("Sign in and link")')]);
      await signIn(page, 'admin@demo.marketlink.test');
      assert.ok(page.url().endsWith('/authorize'), page.url());
      await page.reload();
      assert.ok(await page.locator('input[name="org"]:not([disabled])').count() >= 1);
      const startup = page.locator('.org-option', { hasText: 'Demo Startup' });
      assert.ok(await startup.locator('input[disabled]').count(), 'Demo Startup has no plan');
      assert.match(await startup.textContent(), /no active or trial subscription/);
      await shot(page, 'authorize');
      await page.check('.org-option:has-text("Demo Customer") input');
      await Promise.all([page.waitForURL(/\/orgs\/demo-customer\/subscription$/), page.click('button:has-text("Confirm and link")')]);
      assert.match(await page.textContent('.flash'), /Linked to AWS Marketplace/);
      await shot(page, 'linked');

      // Back to the authorize page and reload, then Set up product again: the same setup, done.
      await page.goBack();
      await page.reload();
      await page.getByRole('heading', { name: 'This subscription is set up' }).waitFor();
      // Set up product again: the console issues a new token, for the same agreement; the
      // link is not made twice.
      await page.goto(setupUrl);
      await Promise.all([
        page.waitForURL((u) => u.href.startsWith(server.url)),
        page.click('button:has-text("Click here to set up your account")'),
      ]);
      assert.notEqual(page.url(), onboarding);
      await Promise.all([page.waitForURL(/\/authorize$/), page.click('button:has-text("Continue as")')]);
      await page.check('.org-option:has-text("Demo Customer") input');
      await Promise.all([page.waitForURL(/\/subscription$/), page.click('button:has-text("Confirm and link")')]);
      assert.match(await page.textContent('.flash'), /Already linked to AWS Marketplace/);
      const subscription = await page.request.get(`${server.url}/api/v1/orgs/demo-customer/subscription`);
      const body = await subscription.json();
      assert.equal(body.subscriptions.filter((s) => s.customer_aws_account_id === '444455558888').length, 1);
      await page.close();
    });

    test('a member is told to ask an admin', async () => {
      const page = await newPage();
      await landWith(page, '444455557777', LEGACY);
      await Promise.all([page.waitForURL(/\/login/), page.click('button:has-text("Sign in and link")')]);
      await signIn(page, 'member@demo.marketlink.test');
      const option = page.locator('.org-option', { hasText: 'Demo Customer' });
      assert.ok(await option.locator('input[disabled]').count());
      assert.match(await option.textContent(), /Alex Admin \(admin@demo\.marketlink\.test\)/);
      await shot(page, 'member');
      await page.close();
    });

    test('a new account verifies its e-mail and comes back to link', async (t) => {
      if (!process.env.MARKETLINK_TEST_SMTP_MAILDIR) {
        t.skip('no test SMTP server');
        return;
      }
      const page = await newPage();
      await landWith(page, '444455556666', CONCURRENT);
      const onboarding = page.url();
      await Promise.all([page.waitForURL(/\/signup$/), page.click('button:has-text("Create an account")')]);
      await page.reload();
      const email = uniqueEmail('buyer');
      await page.fill('#email', email);
      await page.fill('#name', 'Nora New');
      await page.fill('#organization_name', `Nora's Team ${Date.now()}`);
      await page.fill('#password', 'a long enough passphrase');
      await shot(page, 'signup');
      await Promise.all([page.waitForURL(/check-email/), page.click('button:has-text("Create account")')]);
      await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();
      await shot(page, 'check-email');
      const link = await waitForMailLink(email, /http:\/\/[^\s"<>]*\/verify-email\?token=[^\s"<>]+/);
      await page.goto(link.replace(/&amp;/g, '&'));
      await page.getByRole('heading', { name: 'E-mail address confirmed' }).waitFor();
      await Promise.all([page.waitForURL(/\/login/), page.click('a.button.primary:has-text("Sign in")')]);
      await page.fill('#password', 'a long enough passphrase');
      await Promise.all([page.waitForURL(/\/authorize$/), page.click('button[type="submit"]')]);
      assert.ok(page.url().startsWith(onboarding));
      await Promise.all([page.waitForURL(/\/subscription$/), page.click('button:has-text("Confirm and link")')]);
      assert.match(await page.textContent('.flash'), /Linked to AWS Marketplace/);
      await page.close();
    });

    test('error pages: expired token, AWS not answering, a token AWS does not know', async () => {
      const page = await newPage();
      // Expired: the buyer opens Set up product and leaves it for more than 4 hours.
      const sub = await control('POST', '/_sim/subscriptions', { buyer_account_id: '444455556666', product_code: LEGACY });
      await page.goto(server.simUrl + '/console');
      if (await page.locator('#account_id').count()) {
        await page.selectOption('#account_id', '444455556666');
        await Promise.all([page.waitForURL(/\/console\/marketplace/), page.click('button:has-text("Sign in")')]);
      }
      await page.goto(`${server.simUrl}/console/marketplace/subscriptions/${sub.agreement_id}/setup`);
      await control('POST', '/_sim/clock/advance', { seconds: 4 * 3600 + 1 });
      await Promise.all([
        page.waitForURL((u) => u.href.startsWith(server.url)),
        page.click('button:has-text("Click here to set up your account")'),
      ]);
      await page.getByRole('heading', { name: 'This setup link has expired' }).waitFor();
      assert.match(await page.textContent('.support'), /ML-[0-9A-Z]{4}-[0-9A-Z]{4}/);
      await page.reload();
      await page.getByRole('heading', { name: 'This setup link has expired' }).waitFor();
      await shot(page, 'expired');

      // AWS not answering, then back: Try again posts the token once more.
      await control('POST', '/_sim/faults', { operation: 'ResolveCustomer', error: 'ThrottlingException', rate: 1 });
      const fresh = await control('POST', '/_sim/subscriptions', { buyer_account_id: '444455556666', product_code: CONCURRENT });
      await setUp(page, fresh.agreement_id);
      await page.getByRole('heading', { name: 'AWS Marketplace did not answer' }).waitFor();
      await shot(page, 'aws-unavailable');
      await control('DELETE', '/_sim/faults');
      await Promise.all([page.waitForURL(/\/onboarding\//), page.click('button:has-text("Try again")')]);
      await page.getByRole('heading', { name: 'Set up Marketlink Analytics' }).waitFor();

      // A token AWS does not know, through a GET: the redirect drops it from the URL.
      await page.goto(`${server.url}/aws/fulfillment?x-amzn-marketplace-token=garbage-token-value`);
      assert.doesNotMatch(page.url(), /garbage-token-value/);
      await page.getByRole('heading', { name: "AWS Marketplace's link did not work" }).waitFor();
      await shot(page, 'invalid-token');
      await page.close();
    });
  });
}
