// The live alert page in headless chromium: load the page, produce an
// alert through the real broker, see its card appear; produce a status
// update for the same event, see the same card change; check that markup
// in a headline is shown as text; filter by participant; take a phone-size
// screenshot into docs/alert-page.png.  Prints the time from producing an
// alert to its card appearing.  Exit 0 on success, 1 on failure.
'use strict';
const { chromium } = require('playwright-core');
const { spawn, execFileSync } = require('child_process');
const net = require('net');
const path = require('path');

const env = process.env;
const brokers = env.INK_BROKERS;
const suffix = `${process.pid}-${Date.now()}`;
const topic = `it-browser-${suffix}`;
const group = `it-browser-g-${suffix}`;

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

function produce(alert) {
  const t0 = Date.now();
  execFileSync(env.INK_PRODUCE_ALERT, [brokers, topic, JSON.stringify(alert)],
               { stdio: ['ignore', 'inherit', 'inherit'] });
  return t0;
}

function alert(over) {
  return Object.assign({
    alert_id: 'b-1', type: 'summit', event_key: 'summit|call|Ann Example|Bob Sample',
    participants: ['Ann Example', 'Bob Sample'], mode: 'call', status: 'planned',
    venues: ['Geneva'], when_text: 'next week', when_date: '2030-01-10',
    evidence: 'The two leaders will speak by phone next week.',
    article_id: 'art-b-1', article_title: '<script>window.__pwned=1</script>Leaders to talk',
    article_url: 'https://news.example/leaders',
  }, over);
}

async function waitPort(port, ms) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const ok = await new Promise((resolve) => {
      const c = net.connect(port, '127.0.0.1', () => { c.end(); resolve(true); });
      c.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`alert page did not listen on ${port}`);
}

function check(cond, what) {
  if (!cond) throw new Error(`failed: ${what}`);
  console.log(`ok: ${what}`);
}

async function main() {
  execFileSync(env.INK_PRODUCE_ALERT, [brokers, topic, '--create'], { stdio: 'inherit' });
  const port = await freePort();
  const proc = spawn(env.INK_BIN, ['alerts', '--brokers', brokers, '--topic', topic,
                                   '--group', group, '--serve', `127.0.0.1:${port}`],
                     { stdio: ['ignore', 'inherit', 'inherit'] });
  let browser;
  try {
    await waitPort(port, 15000);
    browser = await chromium.launch({ executablePath: env.CHROMIUM || '/usr/bin/chromium',
                                      args: ['--no-sandbox'] });
    const page = await browser.newPage({ viewport: { width: 390, height: 844 },
                                         deviceScaleFactor: 2 });
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForSelector('#conn.on', { timeout: 10000 });
    check(await page.locator('.card').count() === 0, 'no cards before any alert');

    // a warm-up event on another key lets the consumer group settle, so the
    // measured latency is the delivery path, not the group join
    produce(alert({ alert_id: 'b-0', event_key: 'summit|visit|Cy Person|Dee Person',
                    participants: ['Cy Person', 'Dee Person'], mode: 'visit',
                    status: 'proposed', article_title: 'A visit is floated',
                    article_id: 'art-b-0' }));
    await page.waitForSelector('.card[data-status=proposed]', { timeout: 30000 });

    const t0 = produce(alert({}));
    await page.waitForSelector('.card[data-status=planned]', { timeout: 10000 });
    const appear = Date.now() - t0;
    console.log(`latency: produce -> card on the page: ${appear} ms`);
    const card = page.locator('.card', { hasText: 'Bob Sample' });
    check(await card.count() === 1, 'one card for the event');
    const text = await card.innerText();
    check(text.includes('<script>window.__pwned=1</script>Leaders to talk'),
          'markup in the headline is shown as text');
    check(await page.evaluate(() => window.__pwned) === undefined,
          'markup in the headline did not run');
    check(text.includes('Geneva') && text.includes('next week'), 'venue and time on the card');

    const t1 = produce(alert({ alert_id: 'b-2', status: 'confirmed', article_id: 'art-b-2',
                               article_title: 'Call confirmed' }));
    await page.waitForSelector('.card[data-status=confirmed]', { timeout: 10000 });
    console.log(`latency: produce -> card updated: ${Date.now() - t1} ms`);
    check(await page.locator('.card').count() === 2, 'the update changed the card, not added one');
    const updated = await page.locator('.card', { hasText: 'Bob Sample' }).innerText();
    check(/planned\s*\u2192\s*confirmed/.test(updated), 'the card shows planned \u2192 confirmed');
    check(await page.locator('#cards .card').first().innerText() === updated,
          'the updated card moved to the top');

    await page.fill('#fp', 'cy');
    check(await page.locator('.card:visible').count() === 1, 'participant filter');
    await page.fill('#fp', '');
    await page.selectOption('#ft', 'summit');
    check(await page.locator('.card:visible').count() === 2, 'type filter');

    const shot = path.join(env.INK_SOURCE_DIR, 'docs', 'alert-page.png');
    await page.waitForTimeout(2100); // let the highlight fade
    await page.screenshot({ path: shot, fullPage: true });
    console.log(`screenshot: ${shot}`);
    check(errors.length === 0, `no script errors (${errors.join('; ')})`);

    // a reload gets the history
    await page.reload();
    await page.waitForSelector('.card[data-status=confirmed]', { timeout: 10000 });
    check(await page.locator('.card').count() === 2, 'history on load, one card per event');
  } finally {
    if (browser) await browser.close();
    proc.kill('SIGTERM');
  }
  const code = await new Promise((resolve) => proc.on('exit', (c) => resolve(c)));
  check(code === 0, 'inkstream alerts stopped cleanly');
}

main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
