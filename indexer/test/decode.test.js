// The indexer without a chain: blocks of plain events applied to a fresh SQLite file, the
// rows they make, applying a block twice, candles, and the API's answers to bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../src/db.js';
import net from 'node:net';
import { applyBlock, enumText, notional, realizedPnl } from '../src/decode.js';
import { snakeCase } from '../src/chain.js';
import { INTERVALS, mergeCandles, sourceSpan } from '../src/candles.js';
import { createServer, parseAddress, parseCursor, parseInterval, parseLimit, parseMarket } from '../src/server.js';

const ALICE = '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY';
const BOB = '5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty';
const USD = 10n ** 18n;
const BTC = 100_000_000n;

async function withStore(fn) {
  const dir = mkdtempSync(join(tmpdir(), 'clearing-indexer-'));
  const store = await openStore(join(dir, 'test.sqlite'));
  try { await fn(store); } finally { await store.close(); rmSync(dir, { recursive: true, force: true }); }
}

const sub = (owner, number = 0) => ({ owner, number });
let index = 0;
const event = (pallet, method, data, extrinsic = 1) => ({ index: index++, extrinsic, pallet, method, data });
const BTC_MARKET = { market: 0, base_asset: 2, base_decimals: 8, status: 'Active', config: '{}' };

// Bob rests an ask (order 7) for 0.02 BTC at $60,000; Alice buys 0.01 with an IOC (order 8).
function tradeBlock(number) {
  index = 0;
  const size = String(BTC / 100n);
  const price = String(60_000n * USD);
  return {
    number, hash: `0x${String(number).padStart(64, '0')}`, ts: 1_700_000_000_000 + number * 1000, feeds: {}, markets: number === 1 ? [BTC_MARKET] : null,
    events: [
      event('orderbook', 'OrderPlaced', { id: '7', owner: sub(BOB), market: 0, side: 'Sell', price, size: String(2n * BTC / 100n), kind: 'Limit', client_id: null }, 1),
      event('orderbook', 'OrderRested', { id: '7', remaining: String(2n * BTC / 100n) }, 1),
      event('orderbook', 'OrderPlaced', { id: '8', owner: sub(ALICE), market: 0, side: 'Buy', price, size, kind: 'ImmediateOrCancel', client_id: null }, 2),
      event('margin', 'PositionChanged', { subaccount: sub(ALICE), market: 0, size, cost_basis: '600000000' }, 2),
      event('margin', 'PositionChanged', { subaccount: sub(BOB), market: 0, size: `-${size}`, cost_basis: '-600000000' }, 2),
      event('margin', 'FillApplied', { market: 0, taker: sub(ALICE), maker: sub(BOB), taker_side: 'Buy', price, size }, 2),
      event('orderbook', 'OrderFilled', { maker_order: '7', taker_order: '8', market: 0, price, size, taker_fee: '300000', maker_fee: '120000', maker_rebate: '0' }, 2),
      event('vaults', 'Deposited', { subaccount: sub(ALICE, 1), asset: 1, amount: '5000000' }, 3),
    ],
  };
}

// Alice sells her 0.01 BTC back at $61,000 into a resting bid of Bob's (order 9), then Bob
// cancels what is left of order 7.
function closeBlock(number) {
  index = 0;
  const size = String(BTC / 100n);
  const price = String(61_000n * USD);
  return {
    number, hash: `0x${String(number).padStart(64, '0')}`, ts: 1_700_000_000_000 + number * 1000 + 120_000, feeds: {}, markets: null,
    events: [
      event('orderbook', 'OrderPlaced', { id: '9', owner: sub(BOB), market: 0, side: 'Buy', price, size, kind: 'Limit', client_id: null }, 1),
      event('orderbook', 'OrderRested', { id: '9', remaining: size }, 1),
      event('orderbook', 'OrderPlaced', { id: '10', owner: sub(ALICE), market: 0, side: 'Sell', price, size, kind: 'ImmediateOrCancel', client_id: null }, 2),
      event('margin', 'PositionChanged', { subaccount: sub(BOB), market: 0, size: '0', cost_basis: '0' }, 2),
      event('margin', 'PositionChanged', { subaccount: sub(ALICE), market: 0, size: '0', cost_basis: '0' }, 2),
      event('margin', 'FillApplied', { market: 0, taker: sub(ALICE), maker: sub(BOB), taker_side: 'Sell', price, size }, 2),
      event('orderbook', 'OrderFilled', { maker_order: '9', taker_order: '10', market: 0, price, size, taker_fee: '305000', maker_fee: '122000', maker_rebate: '0' }, 2),
      event('orderbook', 'OrderCancelled', { id: '7', remaining: size, reason: 'Owner' }, 3),
      event('oracle', 'PricesFed', { feeder: ALICE, count: 2 }, 4),
    ],
  };
}

// The reference: candles computed from the trades themselves. `trades` ordered by time (ts, then block and event); each bucket starts at a multiple of
// the interval. Intervals without a trade are left out (a chart carries the last close).
function candles(trades, intervalMs) {
  const out = [];
  let current = null;
  for (const trade of trades) {
    const start = Math.floor(trade.ts / intervalMs) * intervalMs;
    const price = BigInt(trade.price);
    if (!current || current.start !== start) {
      current = { start, open: price, high: price, low: price, close: price, volume: 0n, trades: 0 };
      out.push(current);
    }
    if (price > current.high) current.high = price;
    if (price < current.low) current.low = price;
    current.close = price;
    current.volume += BigInt(trade.size);
    current.trades += 1;
  }
  return out.map((c) => ({
    start: c.start, open: String(c.open), high: String(c.high), low: String(c.low), close: String(c.close),
    volume: String(c.volume), trades: c.trades,
  }));
}

test('a fill becomes one trade, a fill row per side, and both orders move', async () => {
  await withStore(async (store) => {
    await store.transaction((tx) => applyBlock(tx, tradeBlock(1)));
    const trades = await store.all('SELECT * FROM trades');
    assert.equal(trades.length, 1);
    assert.equal(trades[0].maker, BOB);
    assert.equal(trades[0].taker, ALICE);
    assert.equal(trades[0].taker_side, 'Buy');
    assert.equal(trades[0].price, String(60_000n * USD));
    const fills = await store.all('SELECT role, owner, side, fee FROM fills ORDER BY role');
    assert.deepEqual(fills.map((f) => [f.role, f.owner, f.side, f.fee]), [['maker', BOB, 'Sell', '120000'], ['taker', ALICE, 'Buy', '300000']]);
    const orders = await store.all('SELECT order_id, status, remaining, filled FROM orders ORDER BY order_id');
    assert.deepEqual(orders.map((o) => [o.order_id, o.status, o.remaining, o.filled]),
      [['7', 'resting', String(BTC / 100n), String(BTC / 100n)], ['8', 'filled', '0', String(BTC / 100n)]]);
    const deposit = await store.get('SELECT * FROM collateral');
    assert.deepEqual([deposit.kind, deposit.owner, deposit.number, deposit.amount], ['deposit', ALICE, 1, '5000000']);
    const cursor = await store.get('SELECT block_number FROM cursor');
    assert.equal(cursor.block_number, 1);
  });
});

test('closing a position realizes its PnL at the fill price; a cancel closes the order', async () => {
  await withStore(async (store) => {
    await store.transaction((tx) => applyBlock(tx, tradeBlock(1)));
    const block = closeBlock(2);
    block.feeds = { 4: [[2, String(61_000n * USD)], [3, String(3_000n * USD)]] };
    await store.transaction((tx) => applyBlock(tx, block));
    const alice = await store.all('SELECT size, realized, price FROM positions WHERE owner = ? ORDER BY block_number', [ALICE]);
    // Bought 0.01 at $60,000, sold at $61,000: $10 = 10,000,000 units.
    assert.deepEqual(alice.map((p) => p.realized), ['0', '10000000']);
    const bob = await store.all('SELECT realized FROM positions WHERE owner = ? ORDER BY block_number', [BOB]);
    assert.deepEqual(bob.map((p) => p.realized), ['0', '-10000000']);
    const seven = await store.get("SELECT status, remaining FROM orders WHERE order_id = '7'");
    assert.deepEqual([seven.status, seven.remaining], ['cancelled', String(BTC / 100n)]);
    const prices = await store.all('SELECT source, asset, price FROM oracle_prices ORDER BY position');
    assert.deepEqual(prices.map((p) => [p.source, p.asset]), [[ALICE, 2], [ALICE, 3]]);
  });
});

test('applying a block twice adds no row and changes none', async () => {
  await withStore(async (store) => {
    const tables = ['blocks', 'events', 'trades', 'fills', 'positions', 'orders', 'order_events', 'collateral', 'markets', 'cursor'];
    const snapshot = () => Promise.all(tables.map((table) => store.all(`SELECT * FROM ${table} ORDER BY 1, 2`)));
    await store.transaction((tx) => applyBlock(tx, tradeBlock(1)));
    const once = await snapshot();
    await store.transaction((tx) => applyBlock(tx, tradeBlock(1)));
    const twice = await snapshot();
    tables.forEach((table, i) => assert.deepEqual(twice[i], once[i], `${table} changed on a second application`));
    assert.equal(once[tables.indexOf('trades')].length, 1);
  });
});

test('a failing block leaves nothing behind', async () => {
  await withStore(async (store) => {
    const block = tradeBlock(1);
    block.events.push({ index: 99, extrinsic: 5, pallet: 'vaults', method: 'Deposited', data: { subaccount: null, asset: 1, amount: '1' } });
    await assert.rejects(store.transaction((tx) => applyBlock(tx, block)));
    for (const table of ['events', 'trades', 'orders', 'blocks', 'cursor']) {
      assert.equal((await store.all(`SELECT * FROM ${table}`)).length, 0, `${table} kept rows of a failed block`);
    }
  });
});

test('notional and realized PnL follow the chain units', () => {
  assert.equal(notional(BTC, 8, 60_000n * USD), 60_000_000_000n);
  assert.equal(notional(-BTC / 100n, 8, 60_000n * USD), -600_000_000n);
  // A partial close of a 0.02 long (cost $1,200) by 0.01 at $59,000 realizes −$10.
  assert.equal(realizedPnl({ size: String(2n * BTC / 100n), cost_basis: '1200000000' },
    { size: String(BTC / 100n), cost_basis: '600000000' }, 8, 59_000n * USD), -10_000_000n);
});

test('candles bucket trades by interval with open, high, low, close and volume', () => {
  const minute = INTERVALS['1m'];
  const trades = [
    { ts: 0, price: '100', size: '1' }, { ts: 10_000, price: '120', size: '2' }, { ts: 59_999, price: '90', size: '3' },
    { ts: 60_000, price: '95', size: '4' }, { ts: 3 * minute + 1, price: '97', size: '5' },
  ];
  assert.deepEqual(candles(trades, minute), [
    { start: 0, open: '100', high: '120', low: '90', close: '90', volume: '6', trades: 3 },
    { start: 60_000, open: '95', high: '95', low: '95', close: '95', volume: '4', trades: 1 },
    { start: 180_000, open: '97', high: '97', low: '97', close: '97', volume: '5', trades: 1 },
  ]);
  assert.equal(candles(trades, INTERVALS['1h']).length, 1);
});

test('input validation names the bad parameter', () => {
  assert.throws(() => parseMarket('abc'), { code: 'BadMarket' });
  assert.throws(() => parseMarket('4294967296'), { code: 'BadMarket' });
  assert.equal(parseMarket('12'), 12);
  assert.throws(() => parseInterval('2m'), { code: 'BadInterval' });
  assert.equal(parseInterval('5m'), 300_000);
  assert.throws(() => parseAddress('5Grwva', 42), { code: 'BadAddress' });
  assert.throws(() => parseAddress('0x12', 42), { code: 'BadAddress' });
  assert.equal(parseAddress(`0x${'d4'.padEnd(64, '0')}`, 42).length, 48);
  assert.equal(parseAddress(ALICE, 42), ALICE);
  assert.throws(() => parseLimit('0'), { code: 'BadLimit' });
  assert.throws(() => parseLimit('1001'), { code: 'BadLimit' });
  assert.throws(() => parseCursor('12'), { code: 'BadCursor' });
  assert.deepEqual(parseCursor('12.3'), [12, 3]);
});

test('the REST API pages trades and answers bad input with named errors', async () => {
  await withStore(async (store) => {
    await store.transaction((tx) => applyBlock(tx, tradeBlock(1)));
    await store.transaction((tx) => applyBlock(tx, closeBlock(2)));
    const { server, close } = createServer({ store, follower: { finalized: 2 } });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${server.address().port}`;
    const get = async (path) => { const r = await fetch(base + path); return [r.status, await r.json()]; };
    try {
      let [status, body] = await get('/markets/0/trades?limit=1');
      assert.equal(status, 200);
      assert.equal(body.items.length, 1);
      assert.equal(body.items[0].price, String(61_000n * USD));
      [status, body] = await get(`/markets/0/trades?limit=1&cursor=${body.next}`);
      assert.equal(body.items[0].price, String(60_000n * USD));
      assert.equal(body.next, null);
      [, body] = await get(`/accounts/${ALICE}/fills`);
      assert.equal(body.items.length, 2);
      [, body] = await get(`/accounts/${ALICE}/pnl`);
      assert.deepEqual(body.items.map((p) => p.realized), ['10000000', '0']);
      [, body] = await get('/markets/0/candles?interval=1d');
      assert.equal(body.items.length, 1);
      assert.equal(body.items[0].volume, String(2n * BTC / 100n));
      [, body] = await get('/markets');
      assert.equal(body.items[0].trades_24h, 2);
      [, body] = await get('/status');
      assert.deepEqual([body.indexed, body.lag], [2, 0]);
      for (const [path, code, expected] of [
        ['/markets/x/trades', 400, 'BadMarket'], ['/markets/5/trades', 404, 'UnknownMarket'],
        ['/markets/0/candles?interval=3h', 400, 'BadInterval'], [`/accounts/nope/fills`, 400, 'BadAddress'],
        ['/markets/0/trades?limit=0', 400, 'BadLimit'], ['/markets/0/trades?cursor=x', 400, 'BadCursor'],
        [`/accounts/${ALICE}/orders?status=gone`, 400, 'BadStatus'], ['/nowhere', 404, 'NotFound'],
      ]) {
        [status, body] = await get(path);
        assert.equal(status, code, path);
        assert.equal(body.error, expected, path);
        assert.ok(body.message.length > 0);
      }
    } finally {
      await close();
    }
  });
});

test('candles kept as blocks land (minute, hour, day), merged, equal candles computed from the trades', async () => {
  await withStore(async (store) => {
    let seed = 7;
    const random = () => { seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31; return seed / 2 ** 31; };
    const trades = [];
    let ts = 1_700_000_000_000;
    for (let number = 1; number <= 120; number += 1) {
      index = 0;
      ts += Math.floor(random() * 90_000);
      const events = [];
      for (let k = 0; k < Math.floor(random() * 3); k += 1) {
        const price = String(BigInt(59_000 + Math.floor(random() * 2_000)) * USD);
        const size = String(1 + Math.floor(random() * 1_000_000));
        events.push(event('margin', 'FillApplied', { market: 0, taker: sub(ALICE), maker: sub(BOB), taker_side: 'Buy', price, size }, k));
        events.push(event('orderbook', 'OrderFilled', { maker_order: '1', taker_order: '2', market: 0, price, size, taker_fee: '0', maker_fee: '0', maker_rebate: '0' }, k));
        trades.push({ ts, price, size });
      }
      const block = { number, hash: `0x${String(number).padStart(64, '0')}`, ts, feeds: {}, markets: number === 1 ? [BTC_MARKET] : null, events };
      await store.transaction((tx) => applyBlock(tx, block));
    }
    assert.ok(trades.length > 50);
    for (const [name, interval] of Object.entries(INTERVALS)) {
      const stored = await store.all('SELECT * FROM candles WHERE market = 0 AND span = ? ORDER BY start', [sourceSpan(interval)]);
      assert.deepEqual(mergeCandles(stored, interval), candles(trades, interval), name);
    }
  });
});

test('event field names and enums read as the runtime names them', () => {
  assert.equal(snakeCase('makerOrder'), 'maker_order');
  assert.equal(snakeCase('costBasis'), 'cost_basis');
  assert.equal(snakeCase('size_'), 'size');
  assert.equal(snakeCase('takerSide'), 'taker_side');
  assert.equal(enumText('Buy'), 'Buy');
  assert.equal(enumText({ limit: null }), 'Limit');
  assert.equal(enumText({ goodTilBlock: 120 }), 'GoodTilBlock(120)');
});

test('an amended order filled to its cut size is filled; a reduce-only order matched short of its size is done', async () => {
  await withStore(async (store) => {
    await store.transaction((tx) => applyBlock(tx, tradeBlock(1)));
    index = 0;
    const price = String(60_000n * USD);
    const block = {
      number: 2, hash: `0x${'2'.padStart(64, '0')}`, ts: 1_700_000_003_000, feeds: {}, markets: null,
      events: [
        // Order 7 (0.01 left) is cut to 0.004, then filled by 0.004.
        event('orderbook', 'OrderReduced', { id: '7', remaining: '400000' }, 1),
        event('orderbook', 'OrderPlaced', { id: '11', owner: sub(ALICE), market: 0, side: 'Buy', price, size: '900000', kind: { immediateOrCancel: null }, client_id: null }, 2),
        event('margin', 'FillApplied', { market: 0, taker: sub(ALICE), maker: sub(BOB), taker_side: 'Buy', price, size: '400000' }, 2),
        event('orderbook', 'OrderFilled', { maker_order: '7', taker_order: '11', market: 0, price, size: '400000', taker_fee: '0', maker_fee: '0', maker_rebate: '0' }, 2),
        event('orderbook', 'OrderCancelled', { id: '11', remaining: '500000', reason: 'Expired' }, 2),
        // A reduce-only sell of 0.02 that the position capped at 0.01: no rest, no cancel.
        event('orderbook', 'OrderPlaced', { id: '12', owner: sub(ALICE), market: 0, side: 'Sell', price, size: '2000000', kind: { limit: null }, client_id: null }, 3),
      ],
    };
    await store.transaction((tx) => applyBlock(tx, block));
    const orders = Object.fromEntries((await store.all('SELECT order_id, status, remaining, kind FROM orders')).map((o) => [o.order_id, o]));
    assert.deepEqual([orders['7'].status, orders['7'].remaining], ['filled', '0']);
    assert.deepEqual([orders['11'].status, orders['11'].remaining, orders['11'].kind], ['cancelled', '500000', 'ImmediateOrCancel']);
    assert.deepEqual([orders['12'].status, orders['12'].kind], ['filled', 'Limit']);
  });
});

test('a transfer is not priced by a later fill; settlement closes a series position', async () => {
  await withStore(async (store) => {
    await store.transaction((tx) => applyBlock(tx, tradeBlock(1)));
    index = 0;
    const price = String(61_000n * USD);
    const block = {
      number: 2, hash: `0x${'2'.padStart(64, '0')}`, ts: 1_700_000_003_000, feeds: {}, markets: null,
      events: [
        // The backstop takes Alice's long, then (same extrinsic) Bob trades with Alice again.
        event('margin', 'PositionChanged', { subaccount: sub(ALICE), market: 0, size: '0', cost_basis: '0' }, 1),
        event('margin', 'PositionChanged', { subaccount: sub(BOB, 9), market: 0, size: '1000000', cost_basis: '595000000' }, 1),
        event('margin', 'PositionTransferred', { market: 0, from: sub(ALICE), to: sub(BOB, 9), size: '1000000', cash: '595000000' }, 1),
        event('margin', 'PositionChanged', { subaccount: sub(ALICE), market: 0, size: '1000000', cost_basis: '610000000' }, 1),
        event('margin', 'PositionChanged', { subaccount: sub(BOB), market: 0, size: '-2000000', cost_basis: '-1210000000' }, 1),
        event('margin', 'FillApplied', { market: 0, taker: sub(ALICE), maker: sub(BOB), taker_side: 'Buy', price, size: '1000000' }, 1),
        // An option series position of Bob's settles: he receives $25 on a cost of $40.
        event('margin', 'SeriesPositionSettled', { subaccount: sub(BOB), market: 5000, size: '100', amount: '25000000' }, null),
      ],
    };
    block.events.at(-1).phase = 'Initialization';
    await store.transaction((tx) => applyBlock(tx, block));
    const rows = await store.all("SELECT owner, number, market, size, realized, price FROM positions WHERE block_number = 2 ORDER BY event_index");
    assert.deepEqual(rows.map((r) => [r.size, r.realized, r.price]), [
      ['0', null, null], ['1000000', null, null], ['1000000', '0', price], ['-2000000', '0', price], ['0', '25000000', null],
    ]);
  });
});

test('a block that does not follow the cursor is refused whole', async () => {
  await withStore(async (store) => {
    await store.transaction((tx) => applyBlock(tx, tradeBlock(1)));
    await assert.rejects(store.transaction((tx) => applyBlock(tx, closeBlock(3))), /does not follow the cursor/);
    assert.equal((await store.get('SELECT block_number FROM cursor')).block_number, 1);
    assert.equal((await store.all('SELECT * FROM blocks')).length, 1);
  });
});

test('a malformed request line or upgrade gets an error, and the server stays up', async () => {
  await withStore(async (store) => {
    const { server, close } = createServer({ store, follower: null });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address();
    const raw = (request) => new Promise((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => socket.write(request));
      let reply = '';
      socket.on('data', (chunk) => { reply += chunk; });
      socket.on('close', () => resolve(reply));
      socket.on('error', () => resolve(reply));
      setTimeout(() => socket.destroy(), 1000);
    });
    try {
      assert.match(await raw('GET //[ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'), /400/);
      await raw('GET //[ HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n');
      assert.match(await raw('GET /markets/%E0%A4%A HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'), /400/);
      const response = await fetch(`http://127.0.0.1:${port}/status`);
      assert.equal(response.status, 200);
    } finally {
      await close();
    }
  });
});
