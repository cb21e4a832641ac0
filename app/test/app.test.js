// The web app in a real headless Chromium (Debian's `chromium`, driven by puppeteer-core)
// against the dev node and a live indexer: two dev accounts deposit, one rests a limit order
// and sees it on the book, the other crosses it and sees its position and liquidation price;
// an order is cancelled; a candle is read; a bad order is refused by its error's name; the
// node connection drops and comes back (the banner says so). Screenshots of every screen go
// to $SCREENSHOT_DIR (default test/screenshots).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import { nodeProxy } from '../../indexer/test/node-proxy.js';
import puppeteer from 'puppeteer-core';
import { ApiPromise, WsProvider } from '@polkadot/api';

const HERE = dirname(fileURLToPath(import.meta.url));
const APP = join(HERE, '..');
const WS_URL = process.env.CLEARING_WS ?? 'ws://127.0.0.1:9944';
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const FEED_URL = process.env.PRICE_FEED_URL;
const FIXED = 10n ** 18n;
const SHOTS = process.env.SCREENSHOT_DIR ?? join(HERE, 'screenshots');
const MAKER = '5CiPPseXPECbkjWCa6MnjNokrgYjMqmKndv2rSnekmSK2DjL'; // //Ferdie
const TAKER = '5HGjWAeFDfFCWPsjFQdVV2Msvz2XtMktvgocEZcCj68kUMaw'; // //Eve
const children = [];
let browser;
let page;
let proxy;
let base;
let scratch;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const freePort = () => new Promise((resolve) => {
  const server = net.createServer();
  server.listen(0, '127.0.0.1', () => { const { port } = server.address(); server.close(() => resolve(port)); });
});

function run(command, args, options = {}) {
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'], ...options });
  child.log = '';
  child.stderr.on('data', (chunk) => { child.log += chunk; });
  children.push(child);
  return child;
}

async function waitForText(selector, pattern, what, ms = 60_000) {
  await page.waitForFunction((sel, source) => {
    const element = document.querySelector(sel);
    return element && new RegExp(source).test(element.textContent);
  }, { timeout: ms, polling: 250 }, selector, pattern.source);
  return page.$eval(selector, (element) => element.textContent).catch(() => { throw new Error(what); });
}

async function shot(name) {
  await sleep(500);
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

async function goto(hash) {
  await page.evaluate((h) => { location.hash = h; }, hash);
}

async function selectAccount(address) {
  await page.select('#account', address);
}

async function type(selector, value) {
  await page.$eval(selector, (element) => { element.value = ''; });
  await page.type(selector, value);
}

// Children (indexer, vite) never outlive the test, however it ends.
process.on('exit', () => { for (const child of children) child.kill('SIGKILL'); });

// BTC pinned at $60,000 (the price feed's control API) and a book this test can trade in:
// nothing between its ask at $60,123 and its cross at $60,200, no bid at or above $60,123.
async function pinTheMarket() {
  assert.ok(FEED_URL, 'PRICE_FEED_URL (the dev node\'s price feed) is required: scripts/test.sh passes it');
  const pinned = await fetch(`${FEED_URL}/control/set`, { method: 'POST', body: JSON.stringify({ asset: 'BTC', price: '60000' }) });
  assert.ok(pinned.ok, 'the price feed took the BTC price');
  const api = await ApiPromise.create({ provider: new WsProvider(WS_URL), noInitWarn: true });
  try {
    for (let i = 0; ; i += 1) {
      const quote = await api.call.oracleApi.price(2);
      if (quote.isSome && quote.unwrap().price.toBigInt() === 60_000n * FIXED && quote.unwrap().status.isFresh) break;
      if (i > 60) throw new Error('BTC not at $60,000 within 30 s');
      await sleep(500);
    }
    const depth = await api.call.orderbookApi.depth(0, 1);
    const bestBid = depth.bids[0]?.[0].toBigInt() ?? 0n;
    const bestAsk = depth.asks[0]?.[0].toBigInt() ?? null;
    if (bestBid >= 60_123n * FIXED) assert.fail(`a bid at $${bestBid / FIXED} would take the test's ask at $60,123`);
    if (bestAsk !== null && bestAsk <= 60_200n * FIXED) assert.fail(`an ask at $${bestAsk / FIXED} would fill the test's cross first`);
  } finally {
    await api.disconnect();
  }
}

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  await pinTheMarket();
  scratch = mkdtempSync(join(tmpdir(), 'clearing-app-'));
  const indexerPort = await freePort();
  run(process.execPath, [join(APP, '../indexer/src/main.js'), '--ws', WS_URL, '--db', join(scratch, 'indexer.sqlite'), '--port', String(indexerPort)]);
  const webPort = await freePort();
  run(process.execPath, [join(APP, 'node_modules/vite/bin/vite.js'), 'preview', '--port', String(webPort), '--strictPort'], { cwd: APP });
  proxy = nodeProxy(WS_URL);
  const proxyPort = await freePort();
  await new Promise((resolve) => proxy.server.listen(proxyPort, '127.0.0.1', resolve));
  // The indexer catches up with the whole history first (the app's candles and fills read it).
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      const status = await (await fetch(`http://127.0.0.1:${indexerPort}/status`)).json();
      if (status.lag !== null && status.lag <= 2) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) throw new Error('the indexer did not catch up within 5 minutes');
    await sleep(500);
  }
  for (let i = 0; ; i += 1) {
    try { await fetch(`http://127.0.0.1:${webPort}/`); break; } catch { if (i > 60) throw new Error('vite preview did not start'); await sleep(250); }
  }
  base = `http://127.0.0.1:${webPort}/?ws=${encodeURIComponent(`ws://127.0.0.1:${proxyPort}`)}&indexer=${encodeURIComponent(`http://127.0.0.1:${indexerPort}`)}&account=${MAKER}`;
  browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  page = await browser.newPage();
  await page.setViewport({ width: 1440, height: 900 });
  page.on('pageerror', (error) => console.log(`# page error: ${error.message}`));
  await page.goto(`${base}#/markets`);
  await page.waitForSelector('#markets-table', { timeout: 60_000 });
});

after(async () => {
  await browser?.close();
  for (const child of children) child.kill('SIGTERM');
  proxy?.server.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

test('markets list BTC-USD with its index', async () => {
  const text = await waitForText('#markets-table', /BTC-USD/, 'BTC-USD listed');
  assert.match(text, /BTC-USD/);
  await waitForText('#markets-table', /\d{2},\d{3}/, 'an index price');
  await shot('markets');
});

test('deposit, a limit order shown with its margin effect and then on the book', async () => {
  await goto('#/account');
  await type('#collateral-amount', '5000');
  await page.select('#collateral-asset', '1');
  await page.click('#deposit');
  await waitForText('#account-result', /Deposited 5000 USDC/, 'the deposit confirmed');
  await waitForText('#collateral-table', /USDC/, 'USDC in the collateral table');

  await goto('#/market/0');
  await page.waitForSelector('#order-form');
  await page.select('#side', 'Sell');
  await page.select('#kind', 'Limit');
  await type('#price', '60123');
  await type('#size', '0.01');
  const freeAfter = await waitForText('#what-if', /Free collateral after/, 'the what-if shown before signing');
  assert.match(freeAfter, /Initial requirement after/);
  await page.click('#place');
  const placed = await waitForText('#order-result', /Order placed/, 'the order placed');
  const included = Number(/block (\d+)/.exec(placed)[1]);
  await waitForText('#asks', /60,123/, 'the ask on the ladder');
  // The book view follows best blocks: the order shows by the block after its own.
  const shownAt = Number(await page.$eval('#block', (element) => element.dataset.block));
  assert.ok(shownAt <= included + 1, `the order, included in block ${included}, first shown at block ${shownAt}`);
  await shot('market');
});

test('a bad order is refused by name, in plain words', async () => {
  await type('#price', '60123');
  await type('#size', '500');
  await page.click('#place');
  const refused = await waitForText('#order-result', /\w+\.\w+/, 'a named refusal');
  assert.match(refused, /(orderbook|margin|vaults)\.[A-Z]\w+/);
});

test('a second account crosses it and sees its position and liquidation price', async () => {
  await selectAccount(TAKER);
  await goto('#/account');
  await type('#collateral-amount', '100');
  await page.click('#deposit');
  await waitForText('#account-result', /Deposited 100 USDC/, 'the taker deposit');
  await goto('#/market/0');
  await page.waitForSelector('#order-form');
  await page.select('#side', 'Buy');
  await page.select('#kind', 'ImmediateOrCancel');
  await type('#price', '60200');
  await type('#size', '0.01');
  await page.click('#place');
  await waitForText('#order-result', /Order placed/, 'the crossing order');
  await goto('#/account');
  await waitForText('#positions-table', /BTC-USD/, 'the position');
  const size = await page.$$eval('#positions-table tbody tr', (rows) => rows.find((row) => row.cells[0].textContent === 'BTC-USD')?.cells[1].textContent);
  assert.ok(Number(size) >= 0.01, `a long of at least 0.01 BTC, got ${size}`);
  const liquidation = await page.$eval('.liquidation-price', (element) => element.textContent);
  assert.match(liquidation, /^\d{2},\d{3}/, `a liquidation price, got "${liquidation}"`);
  await waitForText('#health-text', /maintenance/, 'the health gauge');
  await waitForText('#fills-table', /60,123/, 'the fill in the history', 60_000);
  await shot('account');
});

test('an open order is cancelled from the account screen', async () => {
  await selectAccount(MAKER);
  await goto('#/market/0');
  await page.waitForSelector('#order-form');
  await page.select('#side', 'Sell');
  await page.select('#kind', 'Limit');
  await type('#price', '60777');
  await type('#size', '0.01');
  await page.click('#place');
  await waitForText('#order-result', /Order placed/, 'the order to cancel');
  await goto('#/account');
  await waitForText('#orders-table', /60,777/, 'the open order listed');
  const id = await page.$$eval('#orders-table tr', (rows) => rows.find((row) => row.textContent.includes('60,777'))?.querySelector('button.cancel')?.dataset.order);
  assert.ok(id, 'a cancel button for the order');
  await page.click(`button.cancel[data-order="${id}"]`);
  await waitForText('#account-result', new RegExp(`Order ${id} cancelled`), 'the cancel confirmed');
  await page.waitForFunction(() => !document.querySelector('#orders-table')?.textContent.includes('60,777'), { timeout: 30_000 });
});

test('a candle of the trade is read from the chart', async () => {
  await goto('#/market/0');
  const candle = await waitForText('#last-candle', /close 60,123/, 'the candle of the trade', 60_000);
  // Its minute may hold earlier trades too: at least this one's 0.01 BTC.
  const volume = Number(/volume ([\d.]+)/.exec(candle)[1]);
  assert.ok(volume >= 0.01, candle);
  await page.waitForSelector('#chart canvas');
});

test('options, governance and oracle screens render', async () => {
  for (const [hash, selector] of [['#/options', '#options-chain'], ['#/governance', '#pending-table'], ['#/oracle', '#oracle-prices table']]) {
    await goto(hash);
    await page.waitForSelector(selector, { timeout: 30_000 });
    await shot(hash.slice(2));
  }
});

test('a dropped node connection is announced and the app recovers by itself', async () => {
  await goto('#/markets');
  proxy.drop();
  await page.waitForFunction(() => !document.getElementById('banner').hidden && /Disconnected/.test(document.getElementById('banner').textContent), { timeout: 30_000 });
  await shot('disconnected');
  const before = Number(await page.$eval('#block', (element) => element.dataset.block));
  proxy.restore();
  await page.waitForFunction(() => document.getElementById('banner').hidden, { timeout: 60_000 });
  await page.waitForFunction((seen) => Number(document.getElementById('block').dataset.block) > seen, { timeout: 30_000 }, before);
});
