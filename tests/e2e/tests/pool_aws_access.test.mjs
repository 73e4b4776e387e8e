// A provider's AWS access in a real browser, on the sandbox (demo data, AWS simulated in-process):
// the saved keys and the first access check, keys AWS refuses, a role the pool accounts do not
// have (every ready account becomes Invalid with the reason), then the right role again (they come
// back to Ready). Screenshots of the settings page at 1280 and 375 px.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { backends, screenshot, startBrowser, startServer } from '../lib/harness.mjs';

const ADMIN = 'admin@demo.marketlink.test';
const PASSWORD = 'marketlink-demo-password';
const KEY_ID = 'AKIAMARKETLINKPROV01';

for (const backend of backends()) {
  describe(`pool AWS access (${backend})`, () => {
    let server;
    let browser;
    const shot = (page, name, options) => screenshot(page, `${backend}-${name}`, options);

    before(async () => {
      server = await startServer(backend, { sandbox: true });
      browser = await startBrowser();
    });

    after(async () => {
      await browser?.close();
      await server?.stop();
    });

    // Reloads the settings page until the latest check has ended; returns its counts.
    async function waitForCheck(page) {
      for (let i = 0; i < 60; i++) {
        const status = await page.locator('#check-status .chip').textContent();
        if (status.trim() !== 'Running') {
          const fact = async (name) =>
            Number(await page.locator(`dl.facts dt:text-is("${name}") + dd`).textContent());
          return {
            status: status.trim(),
            checked: await fact('Checked'),
            invalidated: await fact('Made invalid'),
            restored: await fact('Ready again'),
          };
        }
        await page.waitForTimeout(500);
        await page.reload();
      }
      throw new Error('the access check did not end');
    }

    async function count(page, label) {
      await page.goto(`${server.url}/orgs/demo-provider/pool`);
      const tab = page.locator('.status-tabs a').filter({ hasText: label }).first();
      return Number((await tab.locator('.tab-count').textContent()).replace(/\D/g, ''));
    }

    test('keys, refused keys, a missing role and back', async () => {
      await browser.context.clearCookies();
      const page = await browser.context.newPage();
      page.setDefaultTimeout(15000);
      await page.goto(`${server.url}/login`);
      await page.getByLabel('E-mail address').fill(ADMIN);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(/\/orgs\//);

      // From the pool to its AWS access: the demo keys, and the check the sandbox started.
      await page.goto(`${server.url}/orgs/demo-provider/pool`);
      await page.getByRole('link', { name: 'AWS access' }).click();
      await page.waitForURL(/\/pool\/settings$/);
      await assert.doesNotReject(page.getByText(KEY_ID, { exact: true }).waitFor());
      await assert.doesNotReject(page.getByText('555566667777').waitFor());
      const first = await waitForCheck(page);
      assert.equal(first.status, 'Finished');
      assert.equal(first.invalidated, 2, 'the two demo accounts without the role');
      await shot(page, 'pool-aws-access', { mobile: true });
      const readyBefore = await count(page, 'Ready');
      assert.ok(readyBefore > 0);

      // Keys AWS refuses: the error is next to the key, nothing is saved, the secret is not shown.
      await page.goto(`${server.url}/orgs/demo-provider/pool/settings`);
      await page.getByLabel('Secret access key').fill('not-the-secret-access-key-000000000000');
      await page.getByRole('button', { name: 'Save and verify' }).click();
      await assert.doesNotReject(page.locator('#access_key_id-error').waitFor());
      assert.match(await page.locator('#access_key_id-error').textContent(), /SignatureDoesNotMatch/);
      assert.equal(await page.getByLabel('Secret access key').inputValue(), '');
      await shot(page, 'pool-aws-access-refused');

      // A role the accounts do not have: the check that starts makes every ready account Invalid.
      await page.getByLabel('Role name').fill('MissingRole');
      await page.getByRole('button', { name: 'Save and verify' }).click();
      await assert.doesNotReject(page.getByText(/Saved\. The keys belong to AWS account 555566667777/).waitFor());
      const missing = await waitForCheck(page);
      assert.equal(missing.invalidated, readyBefore);
      assert.equal(await count(page, 'Ready'), 0);
      // The reason is in the account's history.
      await page.goto(`${server.url}/orgs/demo-provider/pool/accounts/210000000008/edit`);
      await assert.doesNotReject(page.getByText(/role MissingRole cannot be assumed/).first().waitFor());

      // The right role again (secret kept): a check brings them back to Ready.
      await page.goto(`${server.url}/orgs/demo-provider/pool/settings`);
      await page.getByLabel('Role name').fill('OrganizationAccountAccessRole');
      await page.getByRole('button', { name: 'Save and verify' }).click();
      const back = await waitForCheck(page);
      assert.equal(back.restored, readyBefore, 'every account the role reaches');
      assert.equal(back.invalidated, 0, 'the two without the role were Invalid already');
      assert.equal(await count(page, 'Ready'), readyBefore);
    });
  });
}
