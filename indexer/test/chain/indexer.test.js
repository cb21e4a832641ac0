// The indexer against a real dev node (run by scripts/test.sh after the end-to-end suite, so
// the chain already holds every kind of event): a scripted trading session, then
// - SQLite: the indexer killed (SIGKILL) mid-stream and restarted ends with the same rows as
//   PostgreSQL indexing the same blocks in one go, table by table;
// - the rows match the chain: every block and event, every fill of the session's blocks;
// - the REST API serves the session (fills, PnL, orders, candles) and names bad input;
// - following live, a new trade is pushed over the websocket and the lag stays ≤ 2 blocks.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import { nodeProxy } from '../node-proxy.js';
import WebSocket from 'ws';
import { connect, submit, feed, fundTrader, WS_URL } from '../../../scripts/e2e/tests/helpers.js';
import { openStore } from '../../src/db.js';
import { HISTORY_TABLES } from '../../src/schema.js';

const INDEXER = join(dirname(fileURLToPath(import.meta.url)), '../../src/main.js');
const PG_URL = process.env.INDEXER_PG_URL;
const FIXED = 10n ** 18n;
const SIZE = 1_000_000n; // 0.01 BTC
const BTC = 2;
let ctx;
let maker;
let taker;
let dir;
let session; // { first, last, cancelled, closed }
const children = new Set();
const SESSION_TABLES = ['blocks', 'events', 'trades', 'fills', 'orders', 'order_events', 'positions', 'collateral', 'oracle_prices', 'markets', 'candles'];

const freePort = () => new Promise((resolve) => {
  const server = net.createServer();
  server.listen(0, '127.0.0.1', () => { const { port } = server.address(); server.close(() => resolve(port)); });
});
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function startIndexer(db, { until, port, ws = WS_URL } = {}) {
  const args = [INDEXER, '--ws', ws, '--db', db, '--port', String(port ?? 0)];
  if (until) args.push('--until', String(until));
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  child.log = '';
  child.stderr.on('data', (chunk) => { child.log += chunk; });
  child.exited = new Promise((resolve) => child.on('exit', (code, signal) => { children.delete(child); resolve({ code, signal }); }));
  children.add(child);
  return child;
}

async function indexedIn(db) {
  const store = await openStore(db);
  try { return (await store.get('SELECT block_number FROM cursor WHERE id = 1'))?.block_number ?? 0; } finally { await store.close(); }
}

async function waitFor(check, what, ms = 600_000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(250);
  }
  throw new Error(`timed out waiting for ${what}`);
}

const order = (side, dollars, kind) => ctx.api.tx.orderbook.placeOrder(0, 0, side, BigInt(dollars) * FIXED, SIZE, kind, false);
async function place(who, side, dollars, kind, options) {
  const result = await submit(ctx.api, order(side, dollars, kind), who, options);
  assert.equal(result.error, null, `${side} ${dollars} ${kind}`);
  const header = await ctx.api.rpc.chain.getHeader(result.blockHash);
  const placed = result.events.find(({ event }) => event.section === 'orderbook' && event.method === 'OrderPlaced');
  return { block: header.number.toNumber(), id: placed.event.data.id.toString() };
}

before(async () => {
  ctx = await connect();
  maker = ctx.fresh();
  taker = ctx.fresh();
  dir = mkdtempSync(join(tmpdir(), 'clearing-indexer-chain-'));
  await fundTrader(ctx.api, ctx.alice, maker, 5_000_000_000n);
  await fundTrader(ctx.api, ctx.alice, taker, 5_000_000_000n);
  await feed('/control/set', { asset: 'BTC', price: '60000' });
  await waitFor(async () => {
    const quote = await ctx.api.call.oracleApi.price(BTC);
    return quote.isSome && quote.unwrap().price.toBigInt() === 60_000n * FIXED && quote.unwrap().status.isFresh;
  }, 'BTC at $60,000', 60_000);
  // The session: a trade that opens, an order cancelled, a trade that closes at a loss.
  const first = await place(maker, 'Sell', 60_010, 'Limit');
  await place(taker, 'Buy', 60_100, 'ImmediateOrCancel');
  const cancelled = await place(maker, 'Sell', 60_500, 'Limit');
  assert.equal((await submit(ctx.api, ctx.api.tx.orderbook.cancelOrder(cancelled.id), maker)).error, null);
  await place(maker, 'Buy', 59_990, 'Limit');
  const closed = await place(taker, 'Sell', 59_900, 'ImmediateOrCancel', { finalized: true });
  session = { first: first.block, last: closed.block, cancelled: cancelled.id, opened: first.id };
});

after(async () => {
  for (const child of children) child.kill('SIGKILL');
  await ctx?.api.disconnect();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function rows(db, table) {
  const store = await openStore(db);
  // In one order whatever the backend's: each row as JSON, sorted.
  try { return (await store.all(`SELECT * FROM ${table}`)).map((row) => JSON.stringify(row, Object.keys(row).sort())).sort(); } finally { await store.close(); }
}

test('killed mid-stream and restarted, SQLite ends with exactly the rows PostgreSQL gets in one go', async () => {
  assert.ok(PG_URL, 'INDEXER_PG_URL (a PostgreSQL database) is required: scripts/test.sh starts one');
  const sqlite = join(dir, 'indexer.sqlite');
  const until = session.last;
  const first = startIndexer(sqlite, { until });
  const half = Math.floor(until / 2);
  await waitFor(async () => (await indexedIn(sqlite)) >= half, `block ${half} indexed`);
  first.kill('SIGKILL');
  const killed = await first.exited;
  assert.equal(killed.signal, 'SIGKILL', 'the indexer finished before it could be killed');
  const stoppedAt = await indexedIn(sqlite);
  assert.ok(stoppedAt < until, `killed at ${stoppedAt}, before ${until}`);

  const started = Date.now();
  const [resumed, postgres] = [startIndexer(sqlite, { until }), startIndexer(PG_URL, { until })];
  const outcomes = await Promise.all([resumed.exited, postgres.exited]);
  assert.deepEqual(outcomes.map((o) => o.code), [0, 0], `${resumed.log}\n${postgres.log}`);
  console.log(`# indexed blocks ${stoppedAt + 1}..${until} (SQLite) and 1..${until} (PostgreSQL) in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  assert.equal(await indexedIn(sqlite), until);
  for (const table of HISTORY_TABLES) {
    const [lite, pg] = [await rows(sqlite, table), await rows(PG_URL, table)];
    // What the session itself makes is never empty (the rest depends on what ran before).
    if (SESSION_TABLES.includes(table)) assert.ok(lite.length > 0, `${table} is empty`);
    assert.deepEqual(lite, pg, `${table} differs between the resumed SQLite run and PostgreSQL`);
  }
  const blocks = (await rows(sqlite, 'blocks')).map((row) => JSON.parse(row)).sort((a, b) => a.number - b.number);
  assert.equal(blocks.length, until, 'one row per block, none lost or twice');
  assert.deepEqual(blocks.map((b) => b.number), Array.from({ length: until }, (_, i) => i + 1));
});

test("the rows match the chain: every block's hash and events, every fill of the session", async () => {
  const sqlite = join(dir, 'indexer.sqlite');
  const parsed = async (table) => (await rows(sqlite, table)).map((row) => JSON.parse(row));
  const blocks = new Map((await parsed('blocks')).map((b) => [b.number, b]));
  const events = (await parsed('events')).sort((a, b) => a.block_number - b.block_number || a.event_index - b.event_index);
  const trades = (await parsed('trades')).sort((a, b) => a.block_number - b.block_number || a.event_index - b.event_index);
  // A field of a chain event by the runtime's name (polkadot.js renames `size` to `size_`).
  const field = (data, name) => data[data.names.findIndex((n) => n.replace(/_+$/, '') === name)];
  for (let number = session.first - 2; number <= session.last; number += 1) {
    const hash = (await ctx.api.rpc.chain.getBlockHash(number)).toHex();
    assert.equal(blocks.get(number).hash, hash, `block ${number}`);
    const records = await (await ctx.api.at(hash)).query.system.events();
    const mine = events.filter((e) => e.block_hash === hash);
    assert.deepEqual(mine.map((e) => `${e.pallet}.${e.method}`), records.map(({ event }) => `${event.section}.${event.method}`), `events of ${number}`);
    const fills = records.filter(({ event }) => event.section === 'orderbook' && event.method === 'OrderFilled');
    const indexed = trades.filter((t) => t.block_hash === hash);
    assert.deepEqual(indexed.map((t) => [t.maker_order, t.taker_order, t.price, t.size]),
      fills.map(({ event }) => ['makerOrder', 'takerOrder', 'price', 'size'].map((name) => field(event.data, name).toString())),
      `fills of ${number}`);
  }
  // Blocks across the whole history (other runtimes' included, after the suite's upgrade).
  const step = Math.max(1, Math.floor(session.last / 40));
  for (let number = 1; number <= session.last; number += step) {
    const hash = (await ctx.api.rpc.chain.getBlockHash(number)).toHex();
    const records = await (await ctx.api.at(hash)).query.system.events();
    assert.equal(blocks.get(number).hash, hash, `block ${number}`);
    assert.equal(blocks.get(number).events, records.length, `events of block ${number}`);
  }
  // Over the whole chain: as many trades as fills the chain emitted (counted from the events rows).
  assert.equal(trades.length, events.filter((e) => e.pallet === 'orderbook' && e.method === 'OrderFilled').length);
});

test('following live: the API serves the session and names bad input; a new trade is pushed over the websocket', async () => {
  const sqlite = join(dir, 'indexer.sqlite');
  const port = await freePort();
  const live = startIndexer(sqlite, { port });
  const base = `http://127.0.0.1:${port}`;
  const get = async (path) => { const r = await fetch(base + path); return [r.status, await r.json()]; };
  await waitFor(async () => { try { return (await get('/status'))[1].lag <= 2; } catch { return false; } }, 'the live indexer to catch up', 120_000);

  let [, body] = await get(`/accounts/${taker.address}/fills`);
  assert.deepEqual(body.items.map((f) => [f.side, f.price]), [['Sell', String(59_990n * FIXED)], ['Buy', String(60_010n * FIXED)]]);
  [, body] = await get(`/accounts/${taker.address}/pnl?subaccount=0`);
  // Bought 0.01 BTC at $60,010, sold at $59,990: −$0.20.
  assert.deepEqual(body.items.map((p) => [p.size, p.realized]), [['0', '-200000'], [String(SIZE), '0']]);
  [, body] = await get(`/accounts/${maker.address}/orders`);
  const statuses = Object.fromEntries(body.items.map((o) => [o.order_id, o.status]));
  assert.equal(statuses[session.cancelled], 'cancelled');
  assert.equal(statuses[session.opened], 'filled');
  [, body] = await get(`/accounts/${taker.address}/collateral`);
  assert.equal(body.items[0].kind, 'deposit');
  [, body] = await get('/markets/0/candles?interval=1m&limit=1000');
  const prices = body.items.flatMap((c) => [c.high, c.low]);
  assert.ok(prices.includes(String(60_010n * FIXED)) && prices.includes(String(59_990n * FIXED)), 'the session trades in the candles');
  [, body] = await get('/markets');
  assert.ok(body.items.some((m) => m.market === 0 && BigInt(m.volume_24h) >= 2n * SIZE));
  for (const [path, code] of [['/markets/zero/trades', 'BadMarket'], ['/markets/0/candles?interval=7m', 'BadInterval'], ['/accounts/0x12/fills', 'BadAddress']]) {
    const [status, error] = await get(path);
    assert.equal(status, 400);
    assert.equal(error.error, code);
  }

  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
  const messages = [];
  ws.on('message', (raw) => messages.push(JSON.parse(String(raw))));
  await new Promise((resolve, reject) => { ws.on('open', resolve); ws.on('error', reject); });
  ws.send(JSON.stringify({ subscribe: 'trades', market: 0 }));
  ws.send(JSON.stringify({ subscribe: 'account', address: taker.address }));
  ws.send(JSON.stringify({ subscribe: 'nothing' }));
  await waitFor(() => messages.length >= 3, 'the subscriptions acknowledged', 10_000);
  assert.equal(messages.find((m) => m.error)?.error, 'BadChannel');

  await place(maker, 'Sell', 60_020, 'Limit');
  const crossed = await place(taker, 'Buy', 60_100, 'ImmediateOrCancel', { finalized: true });
  await waitFor(() => messages.some((m) => m.channel === 'trades' && m.block === crossed.block), 'the trade pushed', 30_000);
  const pushed = messages.find((m) => m.channel === 'trades' && m.block === crossed.block);
  assert.equal(pushed.data[0].taker, taker.address);
  assert.equal(pushed.data[0].price, String(60_020n * FIXED));
  await waitFor(() => messages.some((m) => m.channel === 'account' && m.block === crossed.block), 'the account update pushed', 10_000);
  ws.close();
  [, body] = await get('/status');
  assert.ok(body.lag <= 2, `lag ${body.lag} blocks behind finality`);
  // SIGTERM: the block being applied commits, then it exits cleanly.
  live.kill('SIGTERM');
  assert.equal((await live.exited).code, 0);
});

test('the node gone and back: the indexer reconnects and indexes what happened meanwhile', async () => {
  const sqlite = join(dir, 'indexer.sqlite');
  const proxy = nodeProxy(WS_URL);
  await new Promise((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
  const port = await freePort();
  const live = startIndexer(sqlite, { port, ws: `ws://127.0.0.1:${proxy.server.address().port}` });
  const get = async (path) => (await fetch(`http://127.0.0.1:${port}${path}`)).json();
  await waitFor(async () => { try { return (await get('/status')).lag <= 2; } catch { return false; } }, 'the indexer behind the proxy to catch up', 120_000);
  proxy.drop();
  // While it is cut off: a trade.
  await place(maker, 'Sell', 60_030, 'Limit');
  const crossed = await place(taker, 'Buy', 60_100, 'ImmediateOrCancel', { finalized: true });
  await sleep(3000);
  assert.equal(live.exitCode, null, `the indexer exited while the node was away:\n${live.log}`);
  proxy.restore();
  await waitFor(async () => { try { return (await get('/status')).indexed >= crossed.block; } catch { return false; } }, 'the trade made while away indexed', 120_000);
  const { items } = await get(`/accounts/${taker.address}/fills?limit=1`);
  assert.equal(items[0].price, String(60_030n * FIXED));
  assert.equal(items[0].block_number, crossed.block);
  live.kill('SIGTERM');
  assert.equal((await live.exited).code, 0);
  proxy.server.close();
});
