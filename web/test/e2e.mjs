// End-to-end test of the verify page in headless Chromium (Debian's package),
// driven by playwright-core: verdicts offline (valid, revoked, tampered,
// compact, national certificates suspended and withdrawn), the amber state for
// old status, and the online check against a node's /v1 API: a certificate
// revoked after its QR was made shows 已撤销, a node serving a bad proof gets
// a warning and never a green verdict.
// Usage: node web/test/e2e.mjs [PAGE_DIR] [SCREENSHOT_DIR]
import { chromium } from 'playwright-core';
import { createServer } from 'node:http';
import { readFileSync, mkdirSync, existsSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const pageDir = path.resolve(process.argv[2] || path.join(root, 'target/web'));
const shots = process.argv[3] ? path.resolve(process.argv[3]) : null;
const vec = (f) => readFileSync(path.join(root, 'tests/vectors', f));
const b64 = (buf) => buf.toString('base64url');
// Bytes as decimal digits, the QR links' `d=` form (docs/spec/qr.md §2):
// 7 bytes → 17 digits, a last group of k bytes → [0,3,5,8,10,13,15][k].
const digits = (buf) => {
  let out = '';
  for (let i = 0; i < buf.length; i += 7) {
    const g = buf.subarray(i, i + 7);
    const v = g.reduce((acc, b) => (acc << 8n) | BigInt(b), 0n);
    out += v.toString().padStart([0, 3, 5, 8, 10, 13, 15, 17][g.length], '0');
  }
  return out;
};

// A stand-in for a node's HTTP side: the page's files, and /v1/bundle/record/<id>
// answering each vector's full bundle (docs/spec/node-api.md); under /liar/ a
// node that answers garbage.
const full = new Map();
for (const c of JSON.parse(vec('manifest.json'))) {
  if (c.record_id && c.bundle.endsWith('-full.bundle') && !full.has(c.record_id)) full.set(c.record_id, c.bundle);
}
const TYPES = { html: 'text/html; charset=utf-8', js: 'text/javascript', wasm: 'application/wasm', css: 'text/css', json: 'application/json' };
const server = createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  const cors = { 'access-control-allow-origin': '*' };
  const m = url.pathname.match(/^(\/liar)?\/v1\/bundle\/record\/([0-9a-f]{64})$/);
  if (m) {
    if (m[1]) { res.writeHead(200, cors); res.end(Buffer.from('not a bundle at all')); return; }
    const f = full.get(m[2]);
    if (!f) { res.writeHead(404, cors); res.end('{"code":"NOT_FOUND"}'); return; }
    res.writeHead(200, { ...cors, 'content-type': 'application/x-protobuf; proto=yinzheng.v1.Bundle' });
    res.end(vec(f));
    return;
  }
  // Under /mirror/ a copy of the page whose genesis lists public endpoints
  // (genesis.md §1): an unreachable one, then this stand-in node.
  const mirror = url.pathname.startsWith('/mirror/');
  const rel = mirror ? url.pathname.slice('/mirror'.length) : url.pathname;
  const file = path.join(pageDir, path.normalize(rel === '/' ? '/index.html' : rel));
  if (!file.startsWith(pageDir) || !existsSync(file)) { res.writeHead(404); res.end(); return; }
  if (mirror && rel === '/index.html') {
    const html = readFileSync(file, 'utf8').replace(
      /(<script id="genesis" type="application\/json">)([\s\S]*?)(<\/script>)/,
      (_, open, text, close) => {
        const g = JSON.parse(text);
        g.endpoints = ['http://127.0.0.1:9', origin];
        return open + JSON.stringify(g) + close;
      });
    res.writeHead(200, { 'content-type': TYPES.html });
    res.end(html);
    return;
  }
  res.writeHead(200, { 'content-type': TYPES[file.split('.').pop()] || 'application/octet-stream' });
  res.end(readFileSync(file));
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const origin = `http://127.0.0.1:${server.address().port}`;
const base = `${origin}/index.html`;
const genesisJson = JSON.parse(vec('genesis.json'));
const validId = JSON.parse(vec('manifest.json')).find((c) => c.bundle === 'valid-full.bundle').record_id;
const reference = (id, n) => [Buffer.from(genesisJson.chain_id).toString('base64url'), id, '1',
  Buffer.from(n).toString('base64url')].join('~');
const node = (b, n = origin) => `${base}#d=${digits(vec(b))}&n=${encodeURIComponent(n)}`;

// The vectors' chain lives a day after its genesis: a page whose clock says so
// sees their status as fresh; the real clock sees it as old.
const genesisTime = JSON.parse(vec('genesis.json')).genesis_time_ms;
const vectorNow = genesisTime + 24 * 3600 * 1000;

const cases = [
  { name: 'valid', url: `${base}#b=${b64(vec('valid-full.bundle'))}`, status: 'valid', text: '离线核验' },
  { name: 'revoked', url: `${base}#b=${b64(vec('revoked-full.bundle'))}`, status: 'revoked', text: '已撤销' },
  { name: 'tampered', url: `${base}#b=${b64(vec('invalid-step3-record.bundle'))}`, status: 'invalid', text: '无效或伪造' },
  { name: 'compact', url: `${base}#b=${b64(vec('valid-compact.bundle'))}`, status: 'valid', text: '签发时' },
  // National-form certificates: the status code in Chinese.
  { name: 'ecert-suspended', url: `${base}#b=${b64(vec('ecert/suspended-full.bundle'))}`, status: 'suspended', text: '02 暂扣' },
  { name: 'ecert-withdrawn', url: `${base}#b=${b64(vec('ecert/withdrawn-full.bundle'))}`, status: 'revoked', text: '07 吊销' },
  // Online: the QR was made while the certificate was valid; the node proves it revoked since.
  { name: 'online-revoked-since', url: node('revoked-compact.bundle'), status: 'revoked', text: '联网核验' },
  { name: 'online-valid', url: node('valid-compact.bundle'), status: 'valid', text: '联网核验' },
  // A node answering garbage: a warning, the offline verdict, never green.
  { name: 'lying-node', url: node('valid-compact.bundle', `${origin}/liar`), status: 'stale', text: '未通过核验' },
  // Display fields: three shown and proven; one altered → invalid at step 8.
  { name: 'fields', url: `${base}#d=${digits(vec('fields-3-compact.bundle'))}`, status: 'valid', text: '持证人（已核验）' },
  // Fields shown in the QR stay shown when the status is checked online.
  { name: 'fields-online', url: node('fields-3-compact.bundle'), status: 'valid', text: '有效期（已核验）' },
  // No node in the link, a page not served by a node: the genesis's endpoints.
  { name: 'genesis-endpoints', url: `${origin}/mirror/index.html#d=${digits(vec('revoked-compact.bundle'))}`, status: 'revoked', text: '联网核验' },
  { name: 'field-altered', url: `${base}#b=${b64(vec('invalid-step8-field.bundle'))}`, status: 'invalid', text: '第 8 步' },
  // A reference link: fetched from the node it names, verified here.
  { name: 'reference', url: `${base}#r=${reference(validId, origin)}`, status: 'valid', text: '联网核验' },
  { name: 'reference-unreachable', url: `${base}#r=${reference(validId, 'http://127.0.0.1:9')}`, status: 'unknown', text: '需联网' },
];

let failures = 0;
let passed = 0;
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const newPage = async (now) => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, locale: 'zh-CN' });
  if (now) await context.addInitScript((t) => { const d = t - Date.now(); const real = Date.now; Date.now = () => real() + d; }, now);
  return { context, page: await context.newPage() };
};
try {
  const { context, page } = await newPage(vectorNow);
  const check = async (c, p = page) => {
    await p.waitForFunction(() => document.body.dataset.settled === '1');
    const status = await p.evaluate(() => document.body.dataset.status);
    const body = await p.evaluate(() => document.body.innerText);
    const ok = status === c.status && body.includes(c.text);
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${c.name}: status=${status}`);
    if (ok) passed++; else { failures++; console.log(body); }
    return ok;
  };
  for (const c of cases) {
    await page.goto(c.url);
    await check(c);
    if (shots) {
      mkdirSync(shots, { recursive: true });
      await page.screenshot({ path: path.join(shots, `verify-${c.name}.png`), fullPage: true });
    }
    await page.goto('about:blank');
  }
  // Today's clock: the vectors' status is more than 30 days old: amber, not green.
  {
    const real = await newPage(null);
    await real.page.goto(`${base}#b=${b64(vec('valid-full.bundle'))}`);
    await check({ name: 'old status offline', status: 'stale', text: '天前' }, real.page);
    if (shots) await real.page.screenshot({ path: path.join(shots, 'verify-old-status.png'), fullPage: true });
    await real.context.close();
  }
  // After one visit the service worker keeps the page: it reloads and
  // verifies with the network off.
  await page.goto(`${base}#b=${b64(vec('valid-full.bundle'))}`);
  await page.waitForFunction(() => document.body.dataset.offlineReady === '1', null, { timeout: 15000 });
  await context.setOffline(true);
  await page.goto(`${base}#b=${b64(vec('revoked-full.bundle'))}`);
  await check({ name: 'reloaded offline (service worker)', status: 'revoked', text: '已保存在本机' });
  await context.setOffline(false);
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
  server.close();
}
console.log(`${passed} passed, ${failures} failed`);
process.exit(failures ? 1 : 0);
