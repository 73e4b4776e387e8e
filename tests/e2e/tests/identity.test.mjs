// Identity in a real browser: sign-up with e-mail verification, sign-in and sign-out, a wrong
// password, an expired verification link, a forged form, and another organization's pages.
// Runs once per backend against a fresh `marketlink serve`.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  backends, cli, runSql, screenshot, sha256Hex, startBrowser, startServer, uniqueEmail,
  waitForMailLink,
} from '../lib/harness.mjs';

const PASSWORD = 'e2e long passphrase';

for (const backend of backends()) {
  describe(`identity (${backend})`, () => {
    let server;
    let browser;
    const shot = (page, name, options) => screenshot(page, `${backend}-${name}`, options);

    // Two organizations made with the command line, each with its own admin.
    const alpha = { email: uniqueEmail('alpha-admin'), org: 'E2E Alpha', slug: 'e2e-alpha' };
    const beta = { email: uniqueEmail('beta-admin'), org: 'E2E Beta', slug: 'e2e-beta' };

    before(async () => {
      server = await startServer(backend);
      browser = await startBrowser();
      for (const who of [alpha, beta]) {
        cli(server.database, ['user', 'create', '--email', who.email, '--password-stdin', '--verified'],
          `${PASSWORD}\n`);
        cli(server.database, ['org', 'create', '--name', who.org, '--kind', 'customer',
          '--subscription', 'active', '--admin', who.email]);
      }
    });

    after(async () => {
      await browser?.close();
      await server?.stop();
    });

    // Each test starts signed out, as a new visitor.
    async function newPage() {
      await browser.context.clearCookies();
      const page = await browser.context.newPage();
      page.setDefaultTimeout(15000);
      return page;
    }

    async function signIn(page, email, password = PASSWORD) {
      await page.goto(`${server.url}/login`);
      await page.getByLabel('E-mail address').fill(email);
      await page.getByLabel('Password').fill(password);
      await page.getByRole('button', { name: 'Sign in' }).click();
    }

    async function signOut(page) {
      await page.locator('.user-menu summary').click();
      await page.getByRole('menuitem', { name: 'Sign out' }).click();
      await page.waitForURL(/\/login$/);
    }

    test('sign up, confirm the e-mail address from the mail, sign in and sign out', async () => {
      const page = await newPage();
      const email = uniqueEmail('Signup');
      const response = await page.goto(`${server.url}/`);
      for (const [name, value] of [
        ['x-frame-options', 'DENY'], ['x-content-type-options', 'nosniff'],
        ['referrer-policy', 'same-origin'],
      ]) {
        assert.equal(response.headers()[name], value, name);
      }
      assert.match(response.headers()['content-security-policy'], /script-src 'self'/);
      await shot(page, 'home', { mobile: true });

      await page.getByRole('link', { name: 'Create an account' }).first().click();
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.getByText('Some fields need your attention.').waitFor();
      await shot(page, 'signup-errors', { mobile: true });

      await page.getByLabel('Work e-mail address').fill(email);
      await page.getByLabel('Your name').fill('Sam Signup');
      await page.getByLabel('Organization name').fill('Signup Test Co');
      await page.getByLabel('Password', { exact: true }).fill('short');
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.getByText('Use at least 12 characters.').first().waitFor();
      assert.equal(await page.getByLabel('Work e-mail address').inputValue(), email, 'input kept');
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();
      await shot(page, 'signup-check-email', { mobile: true });

      // Not confirmed yet: signing in says so and offers a new link.
      await signIn(page, email);
      await page.getByText('Confirm your e-mail address before signing in').waitFor();
      assert.ok(await page.getByRole('button', { name: 'Send a new confirmation link' }).isVisible());
      await shot(page, 'login-unverified');

      const link = await waitForMailLink(email, /http:\/\/[^\s"<>]+\/verify-email\?token=[A-Za-z0-9_-]+/);
      assert.ok(link.startsWith(server.url), link);
      await page.goto(link);
      await page.getByRole('heading', { name: 'E-mail address confirmed' }).waitFor();
      await shot(page, 'verify-email-ok');
      // The link works once.
      await page.goto(link);
      await page.getByRole('heading', { name: 'This link does not work' }).waitFor();

      await signIn(page, email);
      await page.waitForURL(/\/orgs\/signup-test-co$/);
      await page.getByRole('heading', { name: 'Signup Test Co' }).waitFor();
      assert.ok(await page.getByText('Free trial').isVisible());
      await shot(page, 'org-overview', { mobile: true });
      await page.getByRole('link', { name: 'Members' }).first().click();
      await page.getByRole('heading', { name: 'Members' }).waitFor();
      await shot(page, 'members', { mobile: true });
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API tokens' }).click();
      await page.getByLabel('Name').fill('nightly export');
      await page.getByRole('button', { name: 'Create token' }).last().click();
      await page.getByText('Copy your new token now').waitFor();
      assert.match(await page.locator('#new-token').inputValue(), /^mlk_/);
      await shot(page, 'tokens', { mobile: true });
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' }).click();
      await page.getByText('user.signed_in').first().waitFor();
      await shot(page, 'audit', { mobile: true });

      await signOut(page);
      await page.getByText('You are signed out.').waitFor();
      await page.goto(`${server.url}/orgs/signup-test-co`);
      await page.waitForURL(/\/login\?next=/);
      await page.close();
    });

    test('a wrong password and an unknown address get the same answer', async () => {
      const page = await newPage();
      await signIn(page, alpha.email, 'not the right password');
      await page.getByText('The e-mail address or password is not correct.').waitFor();
      assert.equal(await page.getByLabel('E-mail address').inputValue(), alpha.email);
      await shot(page, 'login-bad-password', { mobile: true });
      await signIn(page, uniqueEmail('nobody'), 'not the right password');
      await page.getByText('The e-mail address or password is not correct.').waitFor();
      await page.close();
    });

    test('an expired verification link offers a new one', async () => {
      const page = await newPage();
      const email = uniqueEmail('late');
      await page.goto(`${server.url}/signup`);
      await page.getByLabel('Work e-mail address').fill(email);
      await page.getByLabel('Your name').fill('Lee Late');
      await page.getByLabel('Organization name').fill('Late Co');
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();
      const link = await waitForMailLink(email, /http:\/\/[^\s"<>]+\/verify-email\?token=[A-Za-z0-9_-]+/);
      // 24 hours pass: the link's expiry moves into the past.
      const token = new URL(link).searchParams.get('token');
      runSql(server.database,
        `UPDATE email_tokens SET expires_at = '2000-01-01T00:00:00.000Z' WHERE token_hash = '${sha256Hex(token)}'`);
      const response = await page.goto(link);
      assert.equal(response.status(), 410);
      await page.getByRole('heading', { name: 'This link has expired' }).waitFor();
      await shot(page, 'verify-email-expired', { mobile: true });
      await page.getByLabel('E-mail address').fill(email);
      await page.getByRole('button', { name: 'Send a new link' }).click();
      await page.getByText('a new link is on its way').waitFor();
      const fresh = await waitForMailLink(email, /http:\/\/[^\s"<>]+\/verify-email\?token=[A-Za-z0-9_-]+/,
        { exclude: link });
      await page.goto(fresh);
      await page.getByRole('heading', { name: 'E-mail address confirmed' }).waitFor();
      await page.close();
    });

    test('a form without the right CSRF token is refused', async () => {
      const page = await newPage();
      await signIn(page, alpha.email);
      await page.waitForURL(new RegExp(`/orgs/${alpha.slug}$`));
      await page.goto(`${server.url}/orgs/${alpha.slug}/members`);
      await page.locator('#invite input[name=csrf_token]').evaluate((el) => { el.value = 'forged'; });
      await page.getByLabel('E-mail address').fill(uniqueEmail('invitee'));
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST'),
        page.getByRole('button', { name: 'Send invitation' }).click(),
      ]);
      assert.equal(response.status(), 403);
      await page.getByText('did not come from Marketlink').waitFor();
      await shot(page, 'csrf-refused');
      // Scripts posting with the session cookie but no token are refused too.
      const api = await page.request.post(`${server.url}/api/v1/orgs/${alpha.slug}/tokens`, {
        data: { name: 'sneaky' }, headers: { accept: 'application/json' },
      });
      assert.equal(api.status(), 403);
      assert.equal((await api.json()).error.code, 'csrf_failed');
      await signOut(page);
      await page.close();
    });

    test("another organization's pages answer 404", async () => {
      const page = await newPage();
      await signIn(page, alpha.email);
      await page.waitForURL(new RegExp(`/orgs/${alpha.slug}$`));
      for (const suffix of ['', '/members', '/tokens', '/audit']) {
        const response = await page.goto(`${server.url}/orgs/${beta.slug}${suffix}`);
        assert.equal(response.status(), 404, suffix);
        await page.getByRole('heading', { name: 'Page not found' }).waitFor();
      }
      await shot(page, 'other-org-404', { mobile: true });
      const api = await page.request.get(`${server.url}/api/v1/orgs/${beta.slug}/members`,
        { headers: { accept: 'application/json' } });
      assert.equal(api.status(), 404);
      await signOut(page);
      await page.close();
    });

    test('an API token works for its own organization only, until revoked', async () => {
      const out = cli(server.database, ['token', 'create', '--email', alpha.email, '--org', alpha.slug]);
      const token = out.trim().split(/\s+/).pop();
      assert.match(token, /^mlk_/);
      const page = await newPage();
      const headers = { authorization: `Bearer ${token}`, accept: 'application/json' };
      const own = await page.request.get(`${server.url}/api/v1/orgs/${alpha.slug}/members`, { headers });
      assert.equal(own.status(), 200);
      const other = await page.request.get(`${server.url}/api/v1/orgs/${beta.slug}/members`, { headers });
      assert.equal(other.status(), 404);
      const list = await (await page.request.get(`${server.url}/api/v1/orgs/${alpha.slug}/tokens`, { headers })).json();
      const id = list.tokens[0].id;
      const revoked = await page.request.delete(`${server.url}/api/v1/orgs/${alpha.slug}/tokens/${id}`, { headers });
      assert.equal(revoked.status(), 204);
      const after = await page.request.get(`${server.url}/api/v1/orgs/${alpha.slug}/members`, { headers });
      assert.equal(after.status(), 401);
      await page.close();
    });
  });
}
