// The AWS Marketplace buyer's path in a real browser, on the sandbox (demo data, AWS simulated
// in-process): the buyer subscribes in the simulator's console and chooses Set up product, which
// posts a registration token to this hub's /aws/fulfillment; then onboarding, sign-in or sign-up,
// authorize, and the organization's subscription page. The refusals (a member, an organization
// without a plan, a buyer or an organization linked already) and the failures (an expired token,
// AWS not answering, a token AWS does not know) each end on their own page with a support
// reference. Screenshots of every step and error page at 1280 and 375 px.
// Runs once per backend against a fresh `marketlink serve --sandbox`; every test has a browser of
// its own and, where it links, AWS accounts or organizations of its own, so that tests can run
// alone (--test-name-pattern).
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';

import {
  backends, cli, runSql, screenshot, startBrowser, startServer, uniqueEmail, waitForMailLink,
} from '../lib/harness.mjs';

const PASSWORD = 'marketlink-demo-password';
const ADMIN = 'admin@demo.marketlink.test';
const MEMBER = 'member@demo.marketlink.test';
const LEGACY = { code: 'marketlinkdemo00000000001', name: 'Marketlink Demo (SaaS)' };
const ANALYTICS = { code: 'marketlinkdemo00000000002', name: 'Marketlink Analytics' };
const BUYERS = ['444455556666', '444455557777', '444455558888'];
const REFERENCE = /^ML-[0-9A-Z]{4}-[0-9A-Z]{4}$/;
const ONBOARDING = /\/onboarding\/[A-Za-z0-9_-]+$/;

for (const backend of backends()) {
  describe(`AWS Marketplace buyer's path (${backend})`, () => {
    let server;
    let browser;
    let page;
    const shot = (name) => screenshot(page, `${backend}-saas-${name}`, { mobile: true });

    before(async () => {
      server = await startServer(backend, { sandbox: true });
    });

    after(async () => {
      await server?.stop();
    });

    // A browser of its own for each test: no cookie of another test's buyer or user.
    beforeEach(async () => {
      browser = await startBrowser();
      page = await browser.context.newPage();
      page.setDefaultTimeout(15000);
    });

    afterEach(async () => {
      await browser?.close();
      browser = null;
    });

    // The simulator's control API.
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

    // --- The simulator's buyer console ---

    async function consoleSignIn(account) {
      await page.goto(`${server.simUrl}/console`);
      if (!/\/console\/marketplace$/.test(page.url())) {
        await page.getByLabel('AWS account').selectOption(account);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.waitForURL(/\/console\/marketplace$/);
      }
      assert.equal(await page.locator('.acct .mono').textContent(), account);
    }

    // A new AWS account, signed in to the console; returns its id.
    async function consoleNewAccount() {
      await page.goto(`${server.simUrl}/console`);
      await page.getByRole('button', { name: 'Create a new AWS account' }).click();
      await page.waitForURL(/\/console\/marketplace\?flash=/);
      const account = (await page.locator('.acct .mono').textContent()).trim();
      assert.match(account, /^\d{12}$/);
      return account;
    }

    // Marketplace → product → Subscribe, as the signed-in buyer; ends on Manage subscriptions.
    async function consoleSubscribe(product, { freeTrial = false } = {}) {
      await page.getByRole('link', { name: 'Discover products' }).click();
      await page.getByRole('link', { name: product.name, exact: true }).click();
      await page.getByRole('heading', { name: product.name }).waitFor();
      if (freeTrial) await page.getByLabel('Start with a free trial').check();
      await page.getByRole('button', { name: 'Subscribe' }).click();
      await page.getByText('Subscribed. Choose Set up product to finish.').waitFor();
    }

    // Manage subscriptions → Set up product: the console's set-up page, with a fresh token. The
    // buyer has `agreements` subscriptions to the product; the newest (listed first) is set up.
    async function consoleOpenSetUp(product, { agreements = 1 } = {}) {
      await page.goto(`${server.simUrl}/console/marketplace/subscriptions`);
      const rows = page.getByRole('row').filter({ hasText: product.code });
      assert.equal(await rows.count(), agreements, `subscriptions to ${product.code}`);
      await rows.first().getByRole('link', { name: 'Set up product' }).click();
      await page.getByRole('heading', { name: 'Set up your account' }).waitFor();
    }

    // The set-up page's button: the token is posted to the hub.
    async function consolePostSetUp() {
      await page.getByRole('button', { name: 'Click here to set up your account' }).click();
      await page.waitForURL((url) => url.origin === server.url);
    }

    async function setUpProduct(product, options) {
      await consoleOpenSetUp(product, options);
      await consolePostSetUp();
    }

    // --- The hub ---

    async function signIn(email) {
      await page.waitForURL(/\/login\?/);
      await page.getByLabel('E-mail address').fill(email);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
    }

    // Step 1 of the setup, then "Sign in and link" as `email`: ends on the authorize step.
    async function signInAndLink(email) {
      await page.waitForURL(ONBOARDING);
      await page.getByRole('button', { name: 'Sign in and link' }).click();
      await signIn(email);
      await page.waitForURL(/\/onboarding\/[A-Za-z0-9_-]+\/authorize$/);
      await page.getByRole('heading', { name: 'Authorize the link' }).waitFor();
    }

    function option(name) {
      return page.locator('.org-option').filter({ has: page.getByText(name, { exact: true }) });
    }

    // Chooses an organization the page shows disabled, with `reason` next to it, and submits it
    // anyway, as a forged form would (without a Confirm button when none can be linked): the
    // server must refuse it on its own.
    async function forceChoose(name, reason) {
      const radio = option(name).getByRole('radio');
      assert.equal(await radio.isDisabled(), true, `${name} is disabled on the page`);
      assert.match(await option(name).locator('.reason').textContent(), reason);
      await radio.evaluate((input) => input.removeAttribute('disabled'));
      await radio.check();
      const confirm = page.getByRole('button', { name: 'Confirm and link' });
      if (await confirm.count() === 1) {
        await confirm.click();
      } else {
        await radio.evaluate((input) => input.form.requestSubmit());
      }
    }

    // Confirm and link: the answer redirects to the organization's subscription page with the
    // flash; returns that page's HTTP status.
    async function confirmAndLand(slug, flash = 'Linked to AWS Marketplace') {
      const posted = page.waitForResponse((r) => r.request().method() === 'POST' &&
        /\/onboarding\/[^/]+\/authorize$/.test(new URL(r.url()).pathname));
      await page.getByRole('button', { name: 'Confirm and link' }).click();
      const redirect = await posted;
      assert.equal(redirect.status(), 303);
      assert.equal(new URL(redirect.headers().location, server.url).pathname,
        `/orgs/${slug}/subscription`);
      const cookie = (await redirect.headerValue('set-cookie')) ?? '';
      const value = cookie.match(/ml_flash=([^;]*)/);
      assert.ok(value, `a flash cookie in ${cookie}`);
      assert.equal(decodeURIComponent(value[1]), `ok:${flash}`);
      await page.waitForURL(new RegExp(`/orgs/${slug}/subscription$`));
      await page.waitForLoadState();
      const landed = await redirect.request().redirectedTo()?.response();
      const status = landed ? landed.status() : 0;
      // The subscription page shows the flash; until it exists the URL and the cookie are all.
      if (status === 200) await page.getByText(flash).first().waitFor();
      return status;
    }

    // The support block of an error page: its reference.
    async function supportReference() {
      const reference = (await page.locator('.support .reference').textContent()).trim();
      assert.match(reference, REFERENCE);
      return reference;
    }

    async function heading(text) {
      await page.getByRole('heading', { level: 1, name: text }).waitFor();
    }

    // A refusal page reloaded: the refused form is sent again, refused again, the same setup.
    async function reloadRefusal(text) {
      const reference = await supportReference();
      await page.reload();
      await heading(text);
      assert.equal(await supportReference(), reference);
    }

    function sqlCount(sql) {
      return Number(runSql(server.database, sql).trim());
    }

    function orgId(slug) {
      return runSql(server.database, `SELECT id FROM organizations WHERE slug = '${slug}'`).trim();
    }

    function linksOf(slug) {
      return sqlCount(`SELECT COUNT(*) FROM saas_links WHERE org_id = '${orgId(slug)}'`);
    }

    function linksOfBuyer(account) {
      return sqlCount(`SELECT COUNT(*) FROM saas_links WHERE customer_aws_account_id = '${account}'`);
    }

    // A customer organization of its own with the demo admin as its admin and an active plan.
    function newCustomerOrg(name) {
      cli(server.database, ['org', 'create', '--name', name, '--kind', 'customer',
        '--subscription', 'active', '--admin', ADMIN]);
      return name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
    }

    // A buyer of its own linked to `org` for `product`, through the whole path.
    async function linkNewBuyer(orgName, slug, product = LEGACY) {
      const buyer = await consoleNewAccount();
      await consoleSubscribe(product);
      await setUpProduct(product);
      await signInAndLink(ADMIN);
      await option(orgName).getByRole('radio').check();
      await confirmAndLand(slug);
      await page.context().clearCookies();
      return buyer;
    }

    test('link an existing organization as its admin', async (t) => {
      const buyer = BUYERS[0];
      await consoleSignIn(buyer);
      await consoleSubscribe(LEGACY, { freeTrial: true });
      const row = page.getByRole('row').filter({ hasText: LEGACY.code });
      await row.getByText('Free trial').waitFor();
      await shot('console-subscriptions');
      await consoleOpenSetUp(LEGACY);
      const token = await page.locator('input[name="x-amzn-marketplace-token"]').inputValue();
      await shot('console-set-up');
      await consolePostSetUp();

      // Step 1: what is being set up, and the steps.
      await page.waitForURL(ONBOARDING);
      const start = page.url();
      assert.ok(!start.includes('token'), start);
      await heading(`Set up ${LEGACY.name}`);
      const summary = page.getByLabel('What is being set up');
      await summary.getByText(LEGACY.name).waitFor();
      await summary.getByText(buyer, { exact: true }).waitFor();
      await summary.getByText('Free trial', { exact: true }).waitFor();
      const steps = page.getByRole('list', { name: 'Progress' }).getByRole('listitem');
      assert.equal(await steps.count(), 3);
      assert.deepEqual((await steps.allTextContents()).map((s) => s.replace(/\s+/g, ' ').trim()),
        ['1Account', '2Authorize', '3Done']);
      assert.equal(await steps.nth(0).getAttribute('aria-current'), 'step');
      await shot('step1');
      // The page can be reloaded.
      await page.reload();
      await heading(`Set up ${LEGACY.name}`);
      assert.equal(page.url(), start);

      // The same token posted again (a double click, a form sent again) is the same setup: back
      // on the console's set-up page, which has a new token by now, the first one goes again.
      await page.goBack();
      await page.getByRole('heading', { name: 'Set up your account' }).waitFor();
      const tokenField = page.locator('input[name="x-amzn-marketplace-token"]');
      assert.notEqual(await tokenField.inputValue(), token, 'the console issued a new token');
      await tokenField.evaluate((input, value) => { input.value = value; }, token);
      await consolePostSetUp();
      assert.equal(page.url(), start);

      await page.getByRole('button', { name: 'Sign in and link' }).click();
      await page.waitForURL(/\/login\?next=/);
      await shot('sign-in');
      await signIn(ADMIN);
      await page.waitForURL(`${start}/authorize`);
      await heading('Authorize the link');
      assert.equal(await steps.nth(1).getAttribute('aria-current'), 'step');
      const customer = option('Demo Customer').getByRole('radio');
      assert.equal(await customer.isDisabled(), false);
      assert.equal(await customer.isChecked(), true, 'the first organization that can be linked');
      const startup = option('Demo Startup');
      assert.equal(await startup.getByRole('radio').isDisabled(), true);
      assert.equal(await startup.locator('.reason').textContent(),
        'Demo Startup has no active or trial subscription, so it cannot be linked to AWS Marketplace.');
      await shot('authorize');
      await page.reload();
      await heading('Authorize the link');
      assert.equal(await option('Demo Startup').getByRole('radio').isDisabled(), true);

      await customer.check();
      const status = await confirmAndLand('demo-customer');
      if (status !== 200) t.diagnostic(`/orgs/demo-customer/subscription answered ${status}`);
      await shot('linked');
      assert.equal(linksOf('demo-customer'), 1);

      // Back to the authorize step and reload: set up already, and no second link.
      await page.goBack();
      await page.waitForURL(`${start}/authorize`);
      await page.reload();
      await heading('This subscription is set up');
      await page.getByText(`${LEGACY.name} from AWS Marketplace is linked to Demo Customer.`).waitFor();
      assert.equal(await page.getByRole('button', { name: 'Confirm and link' }).count(), 0);
      await shot('already-set-up');
      assert.equal(linksOf('demo-customer'), 1);
      await page.goto(start);
      await heading('This subscription is set up');
    });

    test('Set up product chosen again continues the same setup, before and after the link', async () => {
      await consoleNewAccount();
      await consoleSubscribe(LEGACY);
      await setUpProduct(LEGACY);
      await page.waitForURL(ONBOARDING);
      const first = page.url();
      await page.getByRole('button', { name: 'Sign in and link' }).click();
      await signIn(ADMIN);
      await page.waitForURL(`${first}/authorize`);
      const slug = newCustomerOrg('E2E Again');
      // Half-way through, the buyer goes back to AWS and chooses Set up product once more.
      await setUpProduct(LEGACY);
      assert.equal(page.url(), first, 'the open setup, not a new one');
      await page.getByRole('button', { name: /^Continue as/ }).click();
      await page.waitForURL(`${first}/authorize`);
      await option('E2E Again').getByRole('radio').check();
      await confirmAndLand(slug);
      // And once more after the link: the setup, done.
      await setUpProduct(LEGACY);
      assert.equal(page.url(), first);
      await heading('This subscription is set up');
      await page.getByText(`${LEGACY.name} from AWS Marketplace is linked to E2E Again.`).waitFor();
      await page.reload();
      await heading('This subscription is set up');
      await shot('set-up-again');
      assert.equal(linksOf(slug), 1);
      assert.equal(sqlCount(`SELECT COUNT(*) FROM saas_registrations WHERE product_code = '${LEGACY.code}'` +
        ` AND linked_org_id = '${orgId(slug)}'`), 1);
    });

    test('a member cannot link the organization', async () => {
      await consoleSignIn(BUYERS[1]);
      await consoleSubscribe(LEGACY);
      await setUpProduct(LEGACY);
      await signInAndLink(MEMBER);
      await page.getByText('None of your organizations can be linked').waitFor();
      assert.equal(await page.getByRole('button', { name: 'Confirm and link' }).count(), 0);
      await shot('authorize-member');
      await forceChoose('Demo Customer', /admin/i);
      await heading('Only an admin can link this organization');
      const admins = page.locator('ul.admins li');
      assert.ok(await admins.count() >= 1);
      assert.match(await admins.allTextContents().then((a) => a.join('\n')), /Alex Admin/);
      assert.equal(await page.locator('ul.admins a').first().getAttribute('href'), `mailto:${ADMIN}`);
      await reloadRefusal('Only an admin can link this organization');
      await shot('refused-not-admin');
      assert.equal(linksOfBuyer(BUYERS[1]), 0);
    });

    test('an organization without a plan cannot be linked', async () => {
      const buyer = await consoleNewAccount();
      await consoleSubscribe(ANALYTICS);
      await setUpProduct(ANALYTICS);
      await signInAndLink(ADMIN);
      await forceChoose('Demo Startup', /no active or trial subscription/);
      await heading('This organization has no active plan');
      await reloadRefusal('This organization has no active plan');
      await page.getByRole('link', { name: 'Choose another organization' }).waitFor();
      await shot('refused-no-plan');
      assert.equal(linksOf('demo-startup'), 0);
      assert.equal(linksOfBuyer(buyer), 0);
    });

    test('a buyer linked to one organization cannot link another', async () => {
      const first = newCustomerOrg('E2E Linked First');
      const second = newCustomerOrg('E2E Linked Second');
      const buyer = await linkNewBuyer('E2E Linked First', first, ANALYTICS);

      // The same AWS account makes a second agreement (concurrent agreements) and sets it up.
      await consoleSignIn(buyer);
      await consoleSubscribe(ANALYTICS);
      await setUpProduct(ANALYTICS, { agreements: 2 });
      await signInAndLink(ADMIN);
      await shot('authorize-buyer-linked');
      await forceChoose('E2E Linked Second',
        new RegExp(`AWS account ${buyer} is already linked to another organization`));
      await heading('This AWS account is already linked');
      await page.getByText(`AWS account ${buyer} already uses ${ANALYTICS.name} through E2E Linked First.`).waitFor();
      assert.equal(await page.getByRole('link', { name: 'Open E2E Linked First' }).getAttribute('href'),
        `/orgs/${first}/subscription`);
      await reloadRefusal('This AWS account is already linked');
      await shot('refused-buyer-linked');
      assert.equal(linksOf(first), 1);
      assert.equal(linksOf(second), 0);
    });

    test('an organization linked to the product cannot take a second buyer', async () => {
      const org = newCustomerOrg('E2E Taken');
      await linkNewBuyer('E2E Taken', org);

      await consoleSignIn(BUYERS[2]);
      await consoleSubscribe(LEGACY);
      await setUpProduct(LEGACY);
      await signInAndLink(ADMIN);
      await shot('authorize-org-taken');
      await forceChoose('E2E Taken', /E2E Taken is already linked to an AWS Marketplace subscription/);
      await heading(`This organization already has ${LEGACY.name}`);
      await reloadRefusal(`This organization already has ${LEGACY.name}`);
      await page.getByRole('link', { name: 'Create a new account' }).waitFor();
      await shot('refused-org-linked');
      assert.equal(linksOf(org), 1);
    });

    test('create a new account, confirm the e-mail address and link it', async () => {
      const email = uniqueEmail('buyer');
      const orgName = `E2E New ${email.slice(6, 18)}`;
      await consoleNewAccount();
      await consoleSubscribe(ANALYTICS);
      await setUpProduct(ANALYTICS);
      await page.waitForURL(ONBOARDING);
      const start = page.url();
      await page.getByRole('button', { name: 'Create an account' }).click();
      await page.waitForURL(`${start}/signup`);
      await page.getByText(`Then you link ${ANALYTICS.name} from AWS Marketplace`).waitFor();
      await shot('signup');
      await page.getByLabel('Work e-mail address').fill(email);
      await page.getByLabel('Your name').fill('Bea Buyer');
      await page.getByLabel('Organization name').fill(orgName);
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await page.getByRole('button', { name: 'Create account' }).click();
      await heading('Check your inbox');
      await page.getByText(`We sent a link to ${email}`).waitFor();
      await shot('check-email');

      const link = await waitForMailLink(email, /http:\/\/[^\s"<>]+\/verify-email\?[^\s"<>]+/);
      assert.ok(link.startsWith(server.url), link);
      await page.goto(link);
      await page.getByRole('heading', { name: 'E-mail address confirmed' }).waitFor();
      await shot('email-confirmed');
      await page.locator('main').getByRole('link', { name: 'Sign in' }).click();
      await page.waitForURL(/\/login\?/);
      assert.equal(await page.getByLabel('E-mail address').inputValue(), email);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(`${start}/authorize`);
      const mine = option(orgName).getByRole('radio');
      assert.equal(await mine.isDisabled(), false);
      await mine.check();
      await shot('authorize-new');
      const slug = orgName.toLowerCase().replace(/[^a-z0-9]+/g, '-');
      await confirmAndLand(slug);
      assert.equal(linksOf(slug), 1);
    });

    test('a setup link older than 4 hours has expired', async () => {
      await consoleNewAccount();
      await consoleSubscribe(LEGACY);
      // Set up product issues the token; it is posted after its 4 hours.
      await consoleOpenSetUp(LEGACY);
      await sim('POST', '/_sim/clock/advance', { seconds: 4 * 3600 + 1 });
      await consolePostSetUp();
      await page.waitForURL(ONBOARDING);
      await heading('This setup link has expired');
      await supportReference();
      await page.reload();
      await heading('This setup link has expired');
      // AWS did not say which product: the way back is AWS Marketplace's own list.
      await page.getByRole('link', { name: 'Start again in AWS Marketplace' }).waitFor();
      await shot('expired-token');
    });

    test('AWS not answering offers to try again', async () => {
      await consoleNewAccount();
      await consoleSubscribe(LEGACY);
      await consoleOpenSetUp(LEGACY);
      await sim('POST', '/_sim/faults',
        { operation: 'ResolveCustomer', error: 'ThrottlingException', rate: 1 });
      try {
        await consolePostSetUp();
        await heading('AWS Marketplace did not answer');
        assert.equal(new URL(page.url()).pathname, '/aws/fulfillment');
        await supportReference();
        await shot('aws-unavailable');
      } finally {
        await sim('DELETE', '/_sim/faults');
      }
      await page.getByRole('button', { name: 'Try again' }).click();
      await page.waitForURL(ONBOARDING);
      await heading(`Set up ${LEGACY.name}`);
    });

    test('a token AWS does not know', async () => {
      await page.goto(`${server.url}/aws/fulfillment?x-amzn-marketplace-token=garbage`);
      await page.waitForURL(ONBOARDING);
      assert.ok(!page.url().includes('garbage'), page.url());
      await heading("AWS Marketplace's link did not work");
      await supportReference();
      await shot('invalid-token');
      await page.reload();
      await heading("AWS Marketplace's link did not work");
    });
  });
}
