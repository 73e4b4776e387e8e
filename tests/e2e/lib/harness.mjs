// What every browser test needs: a real `marketlink serve` on a free port (SQLite or a fresh
// PostgreSQL schema), the `marketlink` command line on the same database, a headless Chromium,
// the mail the server sent (read from the test SMTP server's Maildir), and screenshots.
import { spawn, execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..', '..', '..');
export const binary = process.env.MARKETLINK_BINARY || path.join(repoRoot, 'build', 'marketlink');
export const screenshotDir = path.join(repoRoot, 'test-output', 'screenshots');

// The backends to run against: SQLite always, PostgreSQL when the test command started one.
export function backends() {
  const list = ['sqlite'];
  if (process.env.MARKETLINK_TEST_PG_URL) {
    list.push('postgresql');
  } else if (process.env.MARKETLINK_TEST_REQUIRE_PG === '1') {
    throw new Error('MARKETLINK_TEST_REQUIRE_PG=1 but MARKETLINK_TEST_PG_URL is unset');
  }
  return list;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function randomSuffix() {
  return crypto.randomBytes(6).toString('hex');
}

// A database URL of its own for one suite.
function freshDatabase(backend) {
  if (backend === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'marketlink-e2e-'));
    return { url: `sqlite:${path.join(dir, 'e2e.db')}`, kind: 'sqlite', file: path.join(dir, 'e2e.db'), dir };
  }
  const base = process.env.MARKETLINK_TEST_PG_URL;
  const schema = `e2e_${randomSuffix()}`;
  execFileSync('psql', [base, '-q', '-c', `CREATE SCHEMA ${schema}`], { stdio: 'pipe' });
  const sep = base.includes('?') ? '&' : '?';
  return { url: `${base}${sep}options=-csearch_path%3D${schema}`, kind: 'postgresql', base, schema };
}

// Runs one SQL statement against the suite's database (for test set-up such as ageing a link,
// or to read a count); returns what it printed: one line per row, columns separated by '|'.
export function runSql(database, sql) {
  if (database.kind === 'sqlite') {
    return execFileSync('sqlite3', [database.file, sql], { stdio: 'pipe' }).toString();
  }
  return execFileSync('psql', [database.base, '-q', '-A', '-t', '-c',
    `SET search_path TO ${database.schema}; ${sql}`], { stdio: 'pipe' }).toString();
}

// `marketlink ARGS…` on the suite's database; returns standard output.
export function cli(database, args, input) {
  return execFileSync(binary, [...args, '--db', database.url], {
    input: input ?? '',
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, MARKETLINK_LOG_LEVEL: 'warn' },
  }).toString();
}

// `sandbox`: `serve --sandbox` (demo data and an in-process AWS simulator on a free port), with a
// fixed secret key so AWS keys can be saved.
export async function startServer(backend, { sandbox = false } = {}) {
  const database = freshDatabase(backend);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const logFile = path.join(os.tmpdir(), `marketlink-e2e-${backend}-${port}.log`);
  const log = fs.openSync(logFile, 'w');
  const env = {
    ...process.env,
    MARKETLINK_PUBLIC_URL: url,
    MARKETLINK_LOG_LEVEL: 'info',
    // Mail goes to the test SMTP server when there is one; otherwise here, not into the checkout.
    MARKETLINK_OUTBOX_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'marketlink-e2e-outbox-')),
  };
  if (process.env.MARKETLINK_TEST_SMTP_URL) env.MARKETLINK_SMTP_URL = process.env.MARKETLINK_TEST_SMTP_URL;
  const args = ['serve', '--listen', `127.0.0.1:${port}`, '--db', database.url];
  if (sandbox) {
    args.push('--sandbox', '--sim-listen', '127.0.0.1:0');
    env.MARKETLINK_SECRET_KEY = crypto.randomBytes(32).toString('hex');
  }
  let simUrl = '';
  const child = spawn(binary, args, {
    env,
    stdio: ['ignore', 'pipe', log],
  });
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start; see ${logFile}`)), 30000);
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      // The sandbox prints its simulator's URL on the next line.
      const sim = out.match(/simulated AWS on (http:\/\/[0-9.:]+)\n/);
      if (out.includes('listening on') && (!sandbox || sim)) {
        if (sim) simUrl = sim[1];
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}; see ${logFile}`));
    });
  });
  child.stdout.resume();
  return {
    url,
    simUrl,
    database,
    logFile,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      fs.closeSync(log);
      fs.rmSync(env.MARKETLINK_OUTBOX_DIR, { recursive: true, force: true });
      if (database.kind === 'sqlite') fs.rmSync(database.dir, { recursive: true, force: true });
      else execFileSync('psql', [database.base, '-q', '-c', `DROP SCHEMA ${database.schema} CASCADE`], { stdio: 'pipe' });
    },
  };
}

export async function startBrowser() {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'marketlink-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run',
    ],
    viewport: { width: 1280, height: 800 },
  });
  return {
    context,
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

// Saves a full-page screenshot as test-output/screenshots/NAME.png (and at 375 px wide too when
// `mobile`), so reviewers can look at every main page.
export async function screenshot(page, name, { mobile = false } = {}) {
  fs.mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true });
  if (mobile) {
    const size = page.viewportSize();
    await page.setViewportSize({ width: 375, height: 740 });
    await page.screenshot({ path: path.join(screenshotDir, `${name}-375.png`), fullPage: true });
    await page.setViewportSize(size);
  }
}

function decodeQuotedPrintable(text) {
  return text
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
}

// Waits for a message to `to` in the test SMTP server's Maildir that contains a link matching
// `linkPattern` (a RegExp), and returns that link.
// The newest such message wins; `exclude` skips a link already used.
export async function waitForMailLink(to, linkPattern, { timeoutMs = 30000, exclude = '' } = {}) {
  const maildir = process.env.MARKETLINK_TEST_SMTP_MAILDIR;
  if (!maildir) throw new Error('MARKETLINK_TEST_SMTP_MAILDIR is unset: no mail to read');
  const deadline = Date.now() + timeoutMs;
  const wanted = to.toLowerCase();
  while (Date.now() < deadline) {
    const files = [];
    for (const sub of ['new', 'cur']) {
      const dir = path.join(maildir, sub);
      if (!fs.existsSync(dir)) continue;
      for (const file of fs.readdirSync(dir)) files.push(path.join(dir, file));
    }
    files.sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
    {
      for (const file of files) {
        const raw = fs.readFileSync(file, 'utf8');
        const header = raw.split(/\r?\n\r?\n/, 1)[0];
        const toLine = header.split(/\r?\n/).find((l) => /^to:/i.test(l)) || '';
        if (!toLine.toLowerCase().includes(wanted)) continue;
        const match = decodeQuotedPrintable(raw).match(linkPattern);
        if (match && match[0] !== exclude) return match[0];
      }
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no mail to ${to} with a link like ${linkPattern} within ${timeoutMs} ms`);
}

export function sha256Hex(text) {
  return crypto.createHash('sha256').update(text).digest('hex');
}

export function uniqueEmail(prefix) {
  return `${prefix}-${randomSuffix()}@example.com`;
}
