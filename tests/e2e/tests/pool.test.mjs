// The account pool page in a real browser, as a provider's admin: import a CSV file with bad
// rows (every problem listed, nothing imported), import the fixed file, read the counts, filter
// and search, edit an account, delete a selection, then delete every account. Screenshots of the
// list, the import errors and the edit page at 1280 and 375 px.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  backends, cli, runSql, screenshot, startBrowser, startServer, uniqueEmail,
} from '../lib/harness.mjs';

const PASSWORD = 'e2e long passphrase';

// 30 accounts: 20 SPAM of MP-0000, then 10 ECAM of MP-0001.
function goodCsv() {
  const lines = ['account_id;marketplace_id;account_model'];
  for (let i = 0; i < 30; i++) {
    const id = String(100000000000 + i * 1001);
    lines.push(i < 20 ? `${id};MP-0000;SPAM` : `${id};MP-0001;ecam`);
  }
  return lines.join('\r\n') + '\r\n';
}

for (const backend of backends()) {
  describe(`account pool (${backend})`, () => {
    let server;
    let browser;
    const shot = (page, name, options) => screenshot(page, `${backend}-${name}`, options);
    const admin = { email: uniqueEmail('pool-admin'), org: 'E2E Provider', slug: 'e2e-provider' };
    const market = { email: uniqueEmail('market-admin') };

    before(async () => {
      server = await startServer(backend);
      browser = await startBrowser();
      for (const who of [admin, market]) {
        cli(server.database, ['user', 'create', '--email', who.email, '--name', 'Pat Provider',
          '--password-stdin', '--verified'], `${PASSWORD}\n`);
      }
      cli(server.database, ['org', 'create', '--name', 'E2E Market', '--kind', 'marketplace',
        '--marketplace-id', 'MP-0000', '--admin', market.email]);
      cli(server.database, ['org', 'create', '--name', 'E2E Market Two', '--kind', 'marketplace',
        '--marketplace-id', 'MP-0001', '--admin', market.email]);
      cli(server.database, ['org', 'create', '--name', admin.org, '--kind', 'provider',
        '--admin', admin.email]);
    });

    after(async () => {
      await browser?.close();
      await server?.stop();
    });

    test('import, filter, edit, delete selected and delete all', async () => {
      await browser.context.clearCookies();
      const page = await browser.context.newPage();
      page.setDefaultTimeout(15000);
      await page.goto(`${server.url}/login`);
      await page.getByLabel('E-mail address').fill(admin.email);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(/\/orgs\/e2e-provider$/);

      // The navigation leads to the empty pool.
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Account pool' }).click();
      await page.getByRole('heading', { name: 'Account pool' }).waitFor();
      await page.getByText('The pool has no accounts yet.').waitFor();
      assert.equal(await page.getByRole('link', { name: 'AWS access' }).getAttribute('href'),
        '/orgs/e2e-provider/pool/settings');
      await shot(page, 'pool-empty', { mobile: true });

      // A file with bad rows: nothing imported, every problem listed, the form still there.
      await page.getByRole('link', { name: 'Import accounts' }).first().click();
      await page.getByRole('heading', { name: 'Import accounts' }).waitFor();
      const bad = goodCsv().replace('100000001001;MP-0000;SPAM', '10000001001;MP-0000;SPAM')
        .replace('100000002002;MP-0000;SPAM', '100000002002;MP-0000;BIG')
        .replace('100000003003;MP-0000;SPAM', '100000003003;MP-9999;SPAM');
      await page.getByLabel('CSV file').setInputFiles({ name: 'accounts.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
      await page.getByRole('button', { name: 'Import', exact: true }).click();
      await page.getByText('Nothing was imported: the file has 3 problems.').waitFor();
      const problems = page.locator('table.row-errors tbody tr');
      assert.equal(await problems.count(), 3);
      assert.equal((await problems.first().locator('td').first().innerText()).trim(), '3');
      assert.ok(await page.getByLabel('CSV file').isVisible(), 'the form stays for the fixed file');
      await shot(page, 'pool-import-errors', { mobile: true });

      await page.getByLabel('CSV file').setInputFiles({ name: 'accounts.csv', mimeType: 'text/csv', buffer: Buffer.from(goodCsv()) });
      await page.getByRole('button', { name: 'Import', exact: true }).click();
      await page.waitForURL(/\/pool$/);
      await page.getByText('Imported 30 accounts.').waitFor();
      const tabs = page.getByRole('navigation', { name: 'Status' });
      assert.match(await tabs.getByRole('link', { name: /^All\b/ }).innerText(), /All\s*30/);
      assert.match(await tabs.getByRole('link', { name: /^Ready/ }).innerText(), /Ready\s*30/);
      await page.getByText('Showing 1–30 of 30').waitFor();
      await shot(page, 'pool-list', { mobile: true });

      // Filters stay in the URL; search by the start of an account id.
      await page.getByLabel('Model').selectOption('ECAM');
      await page.getByRole('button', { name: 'Apply' }).click();
      await page.waitForURL(/model=ECAM/);
      assert.equal(await page.locator('table.accounts tbody tr').count(), 10);
      await page.getByLabel('Account id').fill('10000000');
      await page.getByLabel('Model').selectOption('');
      await page.getByRole('button', { name: 'Apply' }).click();
      await page.waitForURL(/q=10000000/);
      // 100000000000, 100000001001 … 100000009009.
      assert.equal(await page.locator('table.accounts tbody tr').count(), 10);
      await page.getByRole('link', { name: 'Clear' }).click();
      await page.waitForURL(/\/pool$/);

      // Edit one: another marketplace, made invalid with a reason; the history shows it.
      await page.getByRole('link', { name: 'Edit 100000005005' }).click();
      await page.getByRole('heading', { name: 'Account 100000005005' }).waitFor();
      await page.getByLabel('Status').selectOption('invalid');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByText('Say why the account is invalid.').first().waitFor();
      await shot(page, 'pool-edit-errors', { mobile: true });
      await page.getByLabel('Marketplace id').fill('MP-0001');
      await page.getByLabel('Reason').fill('Closed by the customer');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByText('Account 100000005005 saved.').waitFor();
      await page.getByRole('navigation', { name: 'Status' }).getByRole('link', { name: /^Invalid/ }).click();
      await page.waitForURL(/status=invalid/);
      assert.equal(await page.locator('table.accounts tbody tr').count(), 1);
      await page.getByRole('link', { name: 'Edit 100000005005' }).click();
      await page.getByRole('cell', { name: 'Closed by the customer' }).waitFor();
      await page.getByRole('cell', { name: 'Pat Provider' }).first().waitFor();
      await shot(page, 'pool-edit', { mobile: true });
      await page.getByRole('link', { name: 'Cancel' }).click();

      // Two orders take accounts and stop reporting: the page lists them as stuck, and the admin
      // resolves each with a reason.
      const token = cli(server.database, ['token', 'create', '--email', admin.email, '--org', admin.slug])
        .match(/mlk_[A-Za-z0-9_-]+/)[0];
      for (const order of ['order-1', 'order-2']) {
        const res = await fetch(`${server.url}/api/v1/orgs/${admin.slug}/pool/allocations`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({ marketplace_id: 'MP-0000', order_ref: order }),
        });
        assert.equal(res.status, 201, await res.text());
      }
      runSql(server.database,
        "UPDATE pool_accounts SET progress_at = '2026-01-01T00:00:00.000Z' WHERE status = 'provisioning'");
      await page.reload();
      await page.getByRole('heading', { name: '2 accounts stuck in Provisioning in progress' }).waitFor();
      await shot(page, 'pool-stuck', { mobile: true });
      await page.getByLabel('Reason for 100000000000').fill('Order abandoned by the buyer');
      await page.getByRole('button', { name: 'Mark failed 100000000000' }).click();
      await page.getByText('Account 100000000000 is marked Provisioning failed.').waitFor();
      await page.getByLabel('Reason for 100000001001').fill('Order cancelled');
      await page.getByRole('button', { name: 'Return to ready 100000001001' }).click();
      await page.getByText('Account 100000001001 is ready again.').waitFor();
      assert.equal(await page.getByText('stuck in Provisioning in progress').count(), 0);

      // Select two rows and delete them.
      await page.getByLabel('Select 100000002002').check();
      await page.getByLabel('Select 100000003003').check();
      await page.getByText('2 accounts selected').waitFor();
      await shot(page, 'pool-selection');
      page.once('dialog', (dialog) => {
        assert.match(dialog.message(), /^Delete 2 accounts\?/);
        dialog.accept();
      });
      await page.getByRole('button', { name: 'Delete 2 selected' }).click();
      await page.getByText('Deleted 2 accounts.').waitFor();
      assert.match(await page.getByRole('navigation', { name: 'Status' }).getByRole('link', { name: /^All\b/ }).innerText(), /28/);

      // The header checkbox selects the page and offers to delete every account.
      await page.getByLabel('Select every account on this page').check();
      await page.getByText('28 accounts selected (this page)').waitFor();
      await shot(page, 'pool-select-all');
      page.once('dialog', (dialog) => {
        assert.match(dialog.message(), /^Delete all 28 accounts of E2E Provider\?/);
        dialog.accept();
      });
      await page.getByRole('button', { name: 'Delete all 28 accounts' }).click();
      await page.getByText('Deleted 28 accounts.').waitFor();
      await page.getByText('The pool has no accounts yet.').waitFor();
      await page.close();
    });
  });
}
