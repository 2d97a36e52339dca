// End-to-end test of the verify page in headless Chromium (Debian's package),
// driven by playwright-core: a valid, a revoked and a tampered bundle each show
// the right verdict, also with the network off once the page is loaded.
// Usage: node web/test/e2e.mjs [PAGE_DIR] [SCREENSHOT_DIR]
import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import { readFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const pageDir = path.resolve(process.argv[2] || path.join(root, 'target/web'));
const shots = process.argv[3] ? path.resolve(process.argv[3]) : null;
const vec = (f) => readFileSync(path.join(root, 'tests/vectors', f));
const b64 = (buf) => buf.toString('base64url');

const port = 18000 + Math.floor(Math.random() * 2000);
const server = spawn('python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1', '--directory', pageDir],
  { stdio: 'ignore' });
const base = `http://127.0.0.1:${port}/index.html`;
for (let i = 0; i < 50; i++) {
  try { if ((await fetch(base)).ok) break; } catch { /* not up yet */ }
  await new Promise((r) => setTimeout(r, 100));
}

const cases = [
  { name: 'valid', bundle: 'valid-full.bundle', status: 'valid', text: '真实有效' },
  { name: 'revoked', bundle: 'revoked-full.bundle', status: 'revoked', text: '已撤销' },
  { name: 'tampered', bundle: 'invalid-step3-record.bundle', status: 'invalid', text: '无效或伪造' },
  { name: 'compact', bundle: 'valid-compact.bundle', status: 'valid', text: '签发时' },
];

let failures = 0;
let passed = 0;
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, locale: 'zh-CN' });
  const page = await context.newPage();
  const check = async (c) => {
    await page.waitForFunction(() => document.body.dataset.status && document.body.dataset.status !== 'loading');
    const status = await page.evaluate(() => document.body.dataset.status);
    const body = await page.evaluate(() => document.body.innerText);
    const ok = status === c.status && body.includes(c.text);
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${c.name}: status=${status}`);
    if (ok) passed++; else { failures++; console.log(body); }
    return ok;
  };
  for (const c of cases) {
    await page.goto(`${base}#b=${b64(vec(c.bundle))}`);
    await check(c);
    if (shots) {
      mkdirSync(shots, { recursive: true });
      await page.screenshot({ path: path.join(shots, `verify-${c.name}.png`), fullPage: true });
    }
    await page.goto('about:blank');
  }
  // Once loaded, the page needs no network: switch it off and scan again.
  await page.goto(`${base}#b=${b64(vec('valid-full.bundle'))}`);
  await check(cases[0]);
  await context.setOffline(true);
  await page.evaluate((h) => { location.hash = h; }, `b=${b64(vec('revoked-full.bundle'))}`);
  await page.waitForFunction(() => document.body.dataset.status === 'revoked');
  console.log('ok   offline re-verification');
  passed++;
  await page.evaluate(() => { location.hash = 'b=garbage!!'; });
  await page.waitForFunction(() => document.body.dataset.status === 'unknown');
  console.log('ok   damaged link → 无法核验');
  passed++;
  // The page remembers validator-set changes on the device (bundle.md §6.1):
  // after a bundle carrying a rotation, one certified by the retired
  // validators is refused, also after a reload.
  await context.setOffline(false);
  await page.goto(`${base}#b=${b64(vec('rotated-full.bundle'))}`);
  await check({ name: 'rotated set', status: 'valid', text: '真实有效' });
  await page.goto('about:blank');
  await page.goto(`${base}#b=${b64(vec('retired-forged.bundle'))}`);
  await check({ name: 'retired validators after reload', status: 'invalid', text: 'SUPERSEDED_SET' });
} catch (e) {
  failures++;
  console.log('FAIL', e);
} finally {
  await browser.close();
  server.kill();
}
console.log(`${passed} passed, ${failures} failed`);
process.exit(failures ? 1 : 0);
