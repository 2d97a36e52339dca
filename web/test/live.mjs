// The verify page as a validator serves it, against the running consortium:
// open LINK in headless Chromium, wait for the online check, and expect a
// status and a text (e.g. `revoked 联网核验`).
// Usage: node web/test/live.mjs LINK STATUS TEXT
import { chromium } from 'playwright-core';

const [link, want, text] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
let ok = false;
try {
  const page = await (await browser.newContext({ locale: 'zh-CN' })).newPage();
  await page.goto(link);
  await page.waitForFunction(() => document.body.dataset.settled === '1', null, { timeout: 30000 });
  const status = await page.evaluate(() => document.body.dataset.status);
  const body = await page.evaluate(() => document.body.innerText);
  ok = status === want && body.includes(text);
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${want} (${text}): status=${status}`);
  if (!ok) console.log(body);
} finally {
  await browser.close();
}
process.exit(ok ? 0 : 1);
