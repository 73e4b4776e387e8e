// The operator's webhook settings and integration health pages in a real browser, on the sandbox
// (whose demo endpoint points at the hub's own /sandbox/webhook-receiver). As the operator's
// admin: the demo endpoint's deliveries; an endpoint added for a receiver this test runs on
// 127.0.0.1 (two events chosen with the keyboard), its secret shown once, a test event whose
// signature the test recomputes, a failed attempt and its retry, a replay, and its deletion after
// a confirmation. On /operator/health: the figures, a dead job (a delivery to a receiver that
// always fails, its attempts cut short) retried and another discarded, and Run metering now. An
// operator member sees the same pages without a form, and a forged form is refused. Screenshots of
// every page at 1280 and 375 px.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';

import {
  backends, cli, runSql, screenshot, startBrowser, startServer, uniqueEmail,
} from '../lib/harness.mjs';

const PASSWORD = 'marketlink-demo-password';
const OPERATOR = 'operator@demo.marketlink.test';
const OPERATOR_SLUG = 'marketlink-operations';
const SECRET = /^whsec_[A-Za-z0-9_-]{43}$/;
const DELIVER_JOB = 'saas.webhook_deliver';

// An application's webhook endpoint on 127.0.0.1: keeps every POST (raw body and headers) and
// answers 200 with a body of its own, or the statuses queued in `plan` (one per request), or
// `always` when set.
async function startReceiver() {
  const receiver = {
    requests: [],
    plan: [],
    always: 0,
    answer: `{"stored":"${crypto.randomBytes(4).toString('hex')}"}`,
  };
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      receiver.requests.push({
        method: req.method, path: req.url, headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      const status = receiver.always || receiver.plan.shift() || 200;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(status === 200 ? receiver.answer : `{"error":"e2e receiver answers ${status}"}`);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = (path) => `http://127.0.0.1:${server.address().port}${path}`;
  receiver.close = () => new Promise((resolve) => server.close(resolve));
  // Resolves with the request numbered `n` (from 1) to `path` once it arrived.
  receiver.nth = async (path, n, timeoutMs = 20000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hits = receiver.requests.filter((r) => r.path === path);
      if (hits.length >= n) return hits[n - 1];
      if (Date.now() > deadline) throw new Error(`${path} got ${hits.length} requests, not ${n}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  receiver.count = (path) => receiver.requests.filter((r) => r.path === path).length;
  return receiver;
}

// Marketlink-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of t + "." + body>.
function verifySignature(secret, header, body) {
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=', 2)));
  assert.match(parts.t, /^\d+$/);
  assert.match(parts.v1, /^[0-9a-f]{64}$/);
  assert.ok(Math.abs(Date.now() / 1000 - Number(parts.t)) < 300, `t=${parts.t} is recent`);
  const expected = crypto.createHmac('sha256', secret).update(`${parts.t}.${body}`).digest('hex');
  return crypto.timingSafeEqual(Buffer.from(expected), Buffer.from(parts.v1));
}

for (const backend of backends()) {
  describe(`operator's webhooks and integration health (${backend})`, () => {
    let server;
    let receiver;
    let browser;
    let page;
    const shot = (name) => screenshot(page, `${backend}-operator-${name}`, { mobile: true });

    before(async () => {
      server = await startServer(backend, { sandbox: true });
      receiver = await startReceiver();
    });

    after(async () => {
      await receiver?.close();
      await server?.stop();
    });

    beforeEach(async () => {
      browser = await startBrowser();
      page = await browser.context.newPage();
      page.setDefaultTimeout(15000);
    });

    afterEach(async () => {
      await browser?.close();
      browser = null;
    });

    // Signs in with the keyboard: the fields filled, Enter in the password field.
    async function signIn(email) {
      await page.goto(`${server.url}/login`);
      await page.getByLabel('E-mail address').fill(email);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByLabel('Password').press('Enter');
      await page.waitForURL(/\/orgs\/[a-z0-9-]+$/);
    }

    async function flash(text) {
      await page.locator('.flash').filter({ hasText: text }).waitFor();
    }

    // Reloads `url` until `done()` holds (the delivery page refreshes itself; this is quicker).
    async function reloadUntil(url, done, what, timeoutMs = 20000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        await page.goto(url);
        if (await done()) return;
        if (Date.now() > deadline) throw new Error(`${url}: ${what} did not happen`);
        await new Promise((r) => setTimeout(r, 300));
      }
    }

    // Adds an endpoint for `url` receiving `events` (every other box unticked with the space
    // bar), submitted with Enter; answers the secret and the endpoint page's address.
    async function addEndpoint(url, events) {
      await page.goto(`${server.url}/operator/webhooks`);
      await page.getByLabel('Endpoint URL').fill(url);
      const boxes = page.locator('fieldset#events input[type=checkbox]');
      for (let i = 0; i < await boxes.count(); i++) {
        const box = boxes.nth(i);
        const wanted = events.includes(await box.getAttribute('value'));
        if (wanted !== await box.isChecked()) {
          await box.focus();
          await page.keyboard.press('Space');
        }
        assert.equal(await box.isChecked(), wanted);
      }
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST'),
        page.getByLabel('Endpoint URL').press('Enter'),
      ]);
      assert.equal(response.status(), 201);
      assert.match(response.headers()['cache-control'] ?? '', /no-store/);
      await page.getByRole('heading', { name: 'Webhook endpoint added' }).waitFor();
      const secret = await page.getByRole('textbox', { name: 'Signing secret' }).inputValue();
      assert.match(secret, SECRET);
      assert.equal(await page.locator('.facts dd').first().textContent(), url);
      assert.equal(await page.locator('.facts dd').nth(1).textContent(), events.join(', '));
      const href = await page.getByRole('link', { name: 'I have saved the secret' }).getAttribute('href');
      assert.match(href, /^\/operator\/webhooks\/[A-Za-z0-9_-]+$/);
      return { secret, href: `${server.url}${href}`, id: href.split('/').pop() };
    }

    async function sendTestEvent() {
      await page.getByRole('button', { name: 'Send test event' }).focus();
      await page.keyboard.press('Enter');
      await flash('Test event queued');
    }

    function deliveryRows() {
      return page.locator('table.deliveries tbody tr');
    }

    // A delivery job that keeps failing, left with no attempt after the next one: waits for its
    // first failed attempt (the `n`th request to `path`), then, once that attempt is recorded
    // (the job queued again, never while it runs), lowers max_attempts to the attempts made.
    // Answers the job's id, its delivery and how many attempts it made once it is dead.
    async function deadDelivery(path, n) {
      const first = await receiver.nth(path, n);
      const delivery = first.headers['marketlink-delivery-id'];
      assert.ok(delivery);
      const job = `SELECT id FROM jobs WHERE kind = '${DELIVER_JOB}' AND payload LIKE '%${delivery}%'`;
      const deadline = Date.now() + 20000;
      const id = runSql(server.database, job).trim();
      assert.match(id, /^[A-Za-z0-9_-]+$/);
      while (runSql(server.database,
        `UPDATE jobs SET max_attempts = attempts WHERE id = '${id}' AND status = 'queued' AND attempts >= 1;
         SELECT status FROM jobs WHERE id = '${id}' AND max_attempts = attempts`).trim() === '') {
        if (Date.now() > deadline) throw new Error(`the job ${id} was not queued again`);
        await new Promise((r) => setTimeout(r, 100));
      }
      while (runSql(server.database, `${job} AND status = 'dead'`).trim() !== id) {
        if (Date.now() > deadline) throw new Error(`the job ${id} did not go dead`);
        await new Promise((r) => setTimeout(r, 200));
      }
      const attempts = Number(runSql(server.database, `SELECT attempts FROM jobs WHERE id = '${id}'`).trim());
      const tries = receiver.requests.filter((r) => r.headers['marketlink-delivery-id'] === delivery);
      assert.equal(tries.length, attempts, 'one POST per attempt');
      assert.ok(attempts >= 2);
      return { id, delivery, attempts };
    }

    test("the sandbox's demo endpoint has delivered its test event", async () => {
      await signIn(OPERATOR);
      await page.goto(`${server.url}/operator/webhooks`);
      await page.getByRole('heading', { name: 'Webhooks', exact: true }).waitFor();
      const demo = `${server.url}/sandbox/webhook-receiver`;
      const row = page.locator('table.webhooks tbody tr').filter({ hasText: demo });
      assert.equal(await row.count(), 1);
      assert.match(await row.locator('td').nth(1).textContent(), /linked, active, unsubscribe_pending, cancelled, entitlements_changed, metering_failed/);
      assert.match(await row.locator('td').nth(2).textContent(), /whsec_/);
      await shot('webhooks');
      await row.getByRole('link', { name: demo }).click();
      await page.getByRole('heading', { name: 'Webhook endpoint' }).waitFor();
      const href = page.url();
      await reloadUntil(href, async () => (await deliveryRows().filter({ hasText: 'Delivered' }).count()) > 0,
        'the demo test event delivered');
      const delivered = deliveryRows().filter({ hasText: 'Delivered' }).first();
      assert.match(await delivered.locator('td').nth(1).textContent(), /^test/);
      assert.match(await delivered.locator('.attempt').first().textContent(),
        /Attempt 1 · .* · 200 · \d+ ms/);
      assert.match(await delivered.locator('code.excerpt').first().textContent(), /"received":true/);
      await shot('webhook-demo');
    });

    test('add an endpoint: secret once, signed test event, failed attempt and retry, replay, delete', async () => {
      await signIn(OPERATOR);
      const hook = '/hook';
      const before = await page.goto(`${server.url}/operator/webhooks`);
      assert.equal(before.status(), 200);
      await page.getByRole('heading', { name: 'Add an endpoint' }).waitFor();

      // Nothing chosen: refused, the form kept with what was typed.
      await page.getByLabel('Endpoint URL').fill(receiver.url(hook));
      for (const box of await page.locator('fieldset#events input[type=checkbox]').all()) await box.uncheck();
      await page.getByRole('button', { name: 'Add endpoint' }).click();
      await page.locator('#events-error').waitFor();
      assert.equal(await page.getByLabel('Endpoint URL').inputValue(), receiver.url(hook));
      await shot('webhooks-form-error');

      const { secret, href, id } = await addEndpoint(receiver.url(hook), ['linked', 'cancelled']);
      await shot('webhook-created');

      // The secret is never on a page again: not on the list, not on the endpoint's page.
      await page.goto(`${server.url}/operator/webhooks`);
      const row = page.locator('table.webhooks tbody tr').filter({ hasText: receiver.url(hook) });
      assert.equal(await row.count(), 1);
      assert.equal(await row.locator('td').nth(1).textContent(), 'linked, cancelled');
      assert.equal((await page.content()).includes(secret), false);
      await page.getByRole('link', { name: receiver.url(hook) }).click();
      await page.waitForURL(href);
      assert.equal((await page.content()).includes(secret), false);
      const hint = await page.locator('.facts dd').nth(2).textContent();
      assert.ok(hint.length > 0 && hint.length < secret.length, `hint ${hint}`);
      await page.getByText('Nothing was sent to this endpoint yet.').waitFor();
      await shot('webhook-empty');

      // Send test event: a signed POST to the receiver.
      await sendTestEvent();
      const first = await receiver.nth(hook, 1);
      assert.equal(first.method, 'POST');
      assert.equal(first.headers['content-type'], 'application/json');
      assert.equal(first.headers['user-agent'], 'Marketlink-Webhooks/1');
      const event = JSON.parse(first.body);
      assert.equal(event.type, 'test');
      assert.equal(first.headers['marketlink-event-id'], event.id);
      assert.equal(verifySignature(secret, first.headers['marketlink-signature'], first.body), true);
      // The same header does not verify with another secret, nor over another body.
      assert.equal(verifySignature(`${secret}x`, first.headers['marketlink-signature'], first.body), false);
      assert.equal(verifySignature(secret, first.headers['marketlink-signature'], `${first.body} `), false);

      // The delivery log: the attempt and the receiver's answer.
      await reloadUntil(href, async () => (await deliveryRows().filter({ hasText: 'Delivered' }).count()) === 1,
        'the test event delivered');
      assert.equal(await deliveryRows().count(), 1);
      const ok = deliveryRows().first();
      assert.match(await ok.locator('td').nth(1).textContent(), new RegExp(`test${event.id}`));
      assert.equal(await ok.locator('td').nth(3).textContent(), '1');
      assert.match(await ok.locator('.attempt').textContent(), /Attempt 1 · .* · 200 · \d+ ms/);
      assert.equal(await ok.locator('code.excerpt').textContent(), receiver.answer);

      // The receiver answers 500 once: the failed attempt, then the retry's success.
      receiver.plan.push(500);
      await sendTestEvent();
      const failed = await receiver.nth(hook, 2);
      const retried = await receiver.nth(hook, 3);
      assert.equal(retried.headers['marketlink-delivery-id'], failed.headers['marketlink-delivery-id']);
      assert.equal(retried.headers['marketlink-event-id'], failed.headers['marketlink-event-id']);
      assert.equal(verifySignature(secret, retried.headers['marketlink-signature'], retried.body), true);
      await reloadUntil(href, async () => (await deliveryRows().filter({ hasText: 'Delivered' }).count()) === 2,
        'the retry delivered');
      const twice = deliveryRows().filter({ hasText: failed.headers['marketlink-event-id'] });
      assert.equal(await twice.locator('td').nth(3).textContent(), '2');
      const attempts = twice.locator('.attempt');
      assert.equal(await attempts.count(), 2);
      const texts = await attempts.allTextContents();
      const failure = texts.find((t) => t.startsWith('Attempt 1'));
      const success = texts.find((t) => t.startsWith('Attempt 2'));
      assert.match(failure, / · 500 · /);
      assert.match(failure, /The endpoint answered HTTP 500\./);
      assert.match(failure, /e2e receiver answers 500/);
      assert.match(success, / · 200 · /);
      await shot('webhook-deliveries');

      // Replay the first delivery: a new delivery of the same event, signed again.
      // Newest first: the retried delivery above the first one.
      assert.match(await deliveryRows().nth(1).locator('td').nth(1).textContent(), new RegExp(`test${event.id}`));
      await deliveryRows().filter({ hasText: event.id }).getByRole('button', { name: 'Replay' }).click();
      await flash('Delivery queued again');
      const replayed = await receiver.nth(hook, 4);
      assert.equal(replayed.headers['marketlink-event-id'], event.id);
      assert.notEqual(replayed.headers['marketlink-delivery-id'], first.headers['marketlink-delivery-id']);
      assert.equal(verifySignature(secret, replayed.headers['marketlink-signature'], replayed.body), true);
      await reloadUntil(href, async () => (await deliveryRows().filter({ hasText: 'Replay of' }).filter({ hasText: 'Delivered' }).count()) === 1,
        'the replay delivered');

      // The confirmation page (what the button leads to without JavaScript), then Cancel.
      await page.goto(`${href}/delete`);
      await page.getByRole('heading', { name: 'Delete webhook endpoint' }).waitFor();
      await page.getByText(receiver.url(hook)).waitFor();
      await shot('webhook-delete');
      await page.getByRole('link', { name: 'Cancel' }).click();
      await page.waitForURL(href);

      // Delete: the dialog refused keeps the endpoint; accepted, the endpoint is gone.
      page.once('dialog', (dialog) => {
        assert.match(dialog.message(), /^Delete the endpoint http:\/\/127\.0\.0\.1:\d+\/hook\?/);
        dialog.dismiss();
      });
      await page.getByRole('button', { name: 'Delete endpoint…' }).click();
      await page.waitForTimeout(300);
      assert.equal(page.url(), href);
      await page.goto(`${server.url}/operator/webhooks`);
      assert.equal(await page.getByRole('link', { name: receiver.url(hook) }).count(), 1);
      await page.goto(href);
      page.once('dialog', (dialog) => dialog.accept());
      await page.getByRole('button', { name: 'Delete endpoint…' }).click();
      await page.waitForURL(/\/operator\/webhooks(\?.*)?$/);
      await flash(`Webhook endpoint ${receiver.url(hook)} deleted`);
      assert.equal(await page.getByRole('link', { name: receiver.url(hook) }).count(), 0);
      assert.equal((await page.goto(href)).status(), 404);
      assert.equal(runSql(server.database, `SELECT count(*) FROM saas_webhook_endpoints WHERE id = '${id}'`).trim(), '0');
    });

    test('integration health: figures, a dead job retried, another discarded, metering run', async () => {
      await signIn(OPERATOR);
      await page.goto(`${server.url}/operator/health`);
      await page.getByRole('heading', { name: 'Integration health' }).waitFor();
      const webhooks = page.locator('section[aria-labelledby=webhooks-heading]');
      const fact = async (section, name) => {
        const dt = section.locator('dt').filter({ hasText: new RegExp(`^${name}$`) });
        return (await dt.locator('xpath=following-sibling::dd[1]').textContent()).trim();
      };
      const endpoints = Number(runSql(server.database, 'SELECT count(*) FROM saas_webhook_endpoints').trim());
      assert.equal(await fact(webhooks, 'Endpoints'), String(endpoints));
      assert.ok(Number(await fact(webhooks, 'Deliveries delivered')) >= 1);
      assert.equal(await fact(webhooks, 'Deliveries failed'), '0');
      await page.getByRole('heading', { name: 'Metering' }).waitFor();
      await page.getByText('No dead job: every job finished or is still being tried.').waitFor();
      assert.match(await page.locator('#jobs-heading').textContent(), /\(0\)/);

      // An endpoint whose receiver always fails; its delivery runs out of attempts.
      const hook = '/always-fails';
      receiver.always = 503;
      const { href } = await addEndpoint(receiver.url(hook), ['metering_failed']);
      await page.goto(href);
      await sendTestEvent();
      const dead = await deadDelivery(hook, 1);
      await page.goto(`${server.url}/operator/health`);
      const job = page.locator('table.dead-jobs tbody tr').filter({ hasText: dead.id });
      assert.equal(await job.count(), 1);
      assert.equal(await job.locator('td').first().textContent(), DELIVER_JOB);
      assert.equal(await job.locator('td').nth(2).textContent(), String(dead.attempts));
      assert.match(await job.locator('td').nth(3).textContent(), /The endpoint answered HTTP 503\./);
      assert.match(await page.locator('#jobs-heading').textContent(), /\(1\)/);
      assert.equal(await fact(webhooks, 'Deliveries failed'), '1');
      assert.equal(await fact(webhooks, 'Endpoints'), String(endpoints + 1));
      await shot('health-dead-job');

      // Retry, with the receiver answering again: the job leaves the list and is delivered.
      receiver.always = 0;
      const tried = receiver.count(hook);
      await job.getByRole('button', { name: 'Retry' }).focus();
      await page.keyboard.press('Enter');
      await flash('Job queued again');
      assert.equal(await page.locator('table.dead-jobs tbody tr').filter({ hasText: dead.id }).count(), 0);
      const again = await receiver.nth(hook, tried + 1);
      assert.equal(again.headers['marketlink-delivery-id'], dead.delivery);
      await reloadUntil(href, async () => (await deliveryRows().filter({ hasText: 'Delivered' }).count()) === 1,
        'the retried job delivered');

      // Another dead job, discarded: the dialog refused keeps it, the confirmation page deletes it.
      receiver.always = 503;
      await sendTestEvent();
      const second = await deadDelivery(hook, tried + 2);
      await page.goto(`${server.url}/operator/health`);
      const other = page.locator('table.dead-jobs tbody tr').filter({ hasText: second.id });
      assert.equal(await other.count(), 1);
      page.once('dialog', (dialog) => {
        assert.equal(dialog.message(), `Discard the ${DELIVER_JOB} job ${second.id}? It will not run again.`);
        dialog.dismiss();
      });
      await other.getByRole('button', { name: 'Discard' }).click();
      await page.waitForTimeout(300);
      await page.reload();
      assert.equal(await other.count(), 1);
      // Without the dialog (no JavaScript), the form leads to the confirmation page.
      await Promise.all([
        page.waitForURL(`${server.url}/operator/health/jobs/${second.id}/discard`),
        other.locator('form[action$="/discard"]').evaluate((form) => form.submit()),
      ]);
      await page.getByRole('heading', { name: 'Discard dead job' }).waitFor();
      await page.getByText(second.id).waitFor();
      await shot('health-discard');
      await page.getByRole('button', { name: 'Discard job' }).focus();
      await page.keyboard.press('Enter');
      await flash('Job discarded');
      assert.equal(await page.locator('table.dead-jobs tbody tr').count(), 0);
      assert.equal(runSql(server.database, `SELECT count(*) FROM jobs WHERE id = '${second.id}'`).trim(), '0');
      await page.waitForTimeout(500);
      assert.equal(receiver.count(hook), tried + 1 + second.attempts, 'a discarded job is not tried again');

      // The metering action answers with its flash.
      await page.getByRole('button', { name: 'Run metering now' }).click();
      await flash('Metering ran: every closed hour not yet sent was sent.');
      await shot('health');
    });

    test('an operator member sees the pages but no form, and a forged form is refused', async () => {
      const member = uniqueEmail('operator-member');
      cli(server.database, ['user', 'create', '--email', member, '--name', 'Oscar Observer',
        '--password-stdin', '--verified'], `${PASSWORD}\n`);
      runSql(server.database, `INSERT INTO memberships (org_id, user_id, role, created_at)
        SELECT o.id, u.id, 'member', '2026-01-01T00:00:00.000Z' FROM organizations o, users u
        WHERE o.slug = '${OPERATOR_SLUG}' AND u.email = '${member}'`);
      await signIn(member);
      assert.match(page.url(), new RegExp(`/orgs/${OPERATOR_SLUG}$`));

      await page.goto(`${server.url}/operator/webhooks`);
      const demo = `${server.url}/sandbox/webhook-receiver`;
      assert.equal(await page.getByRole('link', { name: demo }).count(), 1);
      assert.equal(await page.getByRole('heading', { name: 'Add an endpoint' }).count(), 0);
      assert.equal(await page.getByLabel('Endpoint URL').count(), 0);
      assert.equal(await page.locator('main form').count(), 0);
      await shot('webhooks-member');

      await page.getByRole('link', { name: demo }).click();
      await page.getByRole('heading', { name: 'Webhook endpoint' }).waitFor();
      const href = page.url();
      assert.ok((await deliveryRows().count()) >= 1);
      for (const name of ['Send test event', 'Replay', 'Delete endpoint…']) {
        assert.equal(await page.getByRole('button', { name }).count(), 0, name);
      }
      assert.equal(await page.locator('main form').count(), 0);
      await shot('webhook-member');

      await page.goto(`${server.url}/operator/health`);
      await page.getByRole('heading', { name: 'Integration health' }).waitFor();
      assert.equal(await page.getByRole('button', { name: 'Run metering now' }).count(), 0);
      assert.equal(await page.locator('main form').count(), 0);
      await shot('health-member');

      // The session's own CSRF token (from the sign-out form) does not make a member an admin.
      const csrf = await page.locator('input[name=csrf_token]').first().inputValue();
      assert.ok(csrf.length > 0);
      for (const [path, form] of [
        ['/operator/webhooks', { url: receiver.url('/forged'), events: 'linked' }],
        [`${new URL(href).pathname}/test`, {}],
        ['/operator/health/actions/meter', {}],
      ]) {
        const response = await page.request.post(`${server.url}${path}`, {
          form: { csrf_token: csrf, ...form }, maxRedirects: 0,
        });
        assert.equal(response.status(), 403, path);
        // Refused for the role, not for the form's token.
        assert.match(await response.text(), /Only an admin of the operator&#39;s organization can do this\.|Only an admin of the operator's organization can do this\./, path);
      }
      assert.equal(runSql(server.database,
        `SELECT count(*) FROM saas_webhook_endpoints WHERE url = '${receiver.url('/forged')}'`).trim(), '0');
    });
  });
}
