// A market maker's day on the book: a two-sided quote of 2×8 levels in one transaction
// (`place_orders`), re-quoted by amend (`replace_order`: a cut keeps the order's id and place,
// a new price queues a new order), a few orders pulled by id (`cancel_orders`), then the whole
// quote pulled at once (`cancel_all`) with every deposit and margin set aside released; an
// atomic batch with one bad entry leaves nothing behind.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect, submit, fundTrader, eventsAt } from './helpers.js';

const BTC = 2;
const BTC_USD = 0;
const USDC_UNIT = 1_000_000n;
const FIXED = 10n ** 18n;
const SIZE = 1_000_000n; // 0.01 BTC
let ctx;
let maker;
let mid; // whole dollars, a multiple of 10 near the index
let low; // the maker's bids go below this…
let high; // …and its asks above this, clear of what other tests left resting

const quote = (side, dollars, size = SIZE, kind = 'PostOnly') =>
  ({ market: BTC_USD, side, price: BigInt(dollars) * FIXED, size, kind, reduceOnly: false });

const bookEvents = async (hash, method) =>
  (await eventsAt(ctx.api, hash)).filter((e) => e.section === 'orderbook' && e.method === method);

const openOrders = async () => (await ctx.api.call.orderbookApi.orders(maker.address, 0))
  .map((o) => ({ id: o.id.toBigInt(), side: o.side.type, price: o.price.toBigInt() / FIXED, remaining: o.remaining.toBigInt() }));

before(async () => {
  ctx = await connect();
  maker = ctx.fresh();
  await fundTrader(ctx.api, ctx.alice, maker, 20_000n * USDC_UNIT);
  const index = (await ctx.api.call.oracleApi.price(BTC)).unwrap().price.toBigInt() / FIXED;
  mid = Number(index / 10n) * 10;
  const depth = await ctx.api.call.orderbookApi.depth(BTC_USD, 1);
  const best = (side) => (side.length ? Number(side[0][0].toBigInt() / FIXED) : mid);
  low = Math.floor(Math.min(mid, best(depth.asks)) / 10) * 10;
  high = Math.ceil(Math.max(mid, best(depth.bids)) / 10) * 10;
});
after(async () => { await ctx?.api.disconnect(); });

test('a maker quotes 2×8 levels in one batch, re-quotes by amend and pulls the quote', async () => {
  const { api } = ctx;
  // Eight bids and eight asks, $10 apart, from $100 off the book: inside every band.
  const levels = [...Array(8).keys()];
  const orders = [
    ...levels.map((i) => quote('Buy', low - 100 - 10 * i)),
    ...levels.map((i) => quote('Sell', high + 100 + 10 * i)),
  ];
  let { blockHash, error } = await submit(api, api.tx.orderbook.placeOrders(0, orders, false), maker);
  assert.equal(error, null);
  const entries = await bookEvents(blockHash, 'BatchEntry');
  assert.equal(entries.length, 16);
  assert.ok(entries.every((e) => e.data.result.isOk), 'every entry placed');
  let open = await openOrders();
  assert.equal(open.length, 16);
  assert.deepEqual(open.filter((o) => o.side === 'Buy').map((o) => o.price), levels.map((i) => BigInt(low - 100 - 10 * i)));

  // A cut: the best ask to half its size keeps its id.
  const bestAsk = open.find((o) => o.side === 'Sell' && o.price === BigInt(high + 100));
  ({ blockHash, error } = await submit(api, api.tx.orderbook.replaceOrder(bestAsk.id, BigInt(high + 100) * FIXED, SIZE / 2n, 'PostOnly'), maker));
  assert.equal(error, null);
  const [reduced] = await bookEvents(blockHash, 'OrderReduced');
  assert.equal(reduced.data.id.toBigInt(), bestAsk.id);
  // A move: the best bid $50 up is a new order in place of the old.
  const bestBid = open.find((o) => o.side === 'Buy' && o.price === BigInt(low - 100));
  ({ blockHash, error } = await submit(api, api.tx.orderbook.replaceOrder(bestBid.id, BigInt(low - 50) * FIXED, SIZE, 'PostOnly'), maker));
  assert.equal(error, null);
  const [replaced] = await bookEvents(blockHash, 'OrderReplaced');
  const [oldId, newId] = [replaced.data[0].toBigInt(), replaced.data[1].toBigInt()];
  assert.equal(oldId, bestBid.id);
  open = await openOrders();
  assert.equal(open.length, 16);
  assert.ok(!open.some((o) => o.id === bestBid.id));
  assert.deepEqual(open.find((o) => o.id === newId).price, BigInt(low - 50));
  assert.equal(open.find((o) => o.id === bestAsk.id).remaining, SIZE / 2n);

  // Two asks pulled by id, and one id that is not the maker's reported as not found.
  const pulled = open.filter((o) => o.side === 'Sell').slice(-2).map((o) => o.id);
  ({ blockHash, error } = await submit(api, api.tx.orderbook.cancelOrders([...pulled, 2n ** 63n], false), maker));
  assert.equal(error, null);
  const results = (await bookEvents(blockHash, 'BatchEntry')).map((e) => e.data.result);
  assert.deepEqual(results.slice(0, 2).map((r) => r.asOk.toBigInt()), pulled);
  assert.ok(results[2].isErr);
  assert.equal((await openOrders()).length, 14);

  // The rest at once: nothing stays set aside.
  ({ blockHash, error } = await submit(api, api.tx.orderbook.cancelAll(0, null), maker));
  assert.equal(error, null);
  const [all] = await bookEvents(blockHash, 'AllCancelled');
  assert.equal(all.data.cancelled.toNumber(), 14);
  assert.equal((await openOrders()).length, 0);
  const health = (await api.call.marginApi.accountHealth(maker.address, 0)).unwrap();
  assert.equal(health.initialRequirement.toBigInt(), 0n);
});

test('an atomic batch with one bad entry places nothing', async () => {
  const { api } = ctx;
  const orders = [quote('Buy', low - 200), { ...quote('Buy', low - 210), price: BigInt(low - 210) * FIXED + FIXED / 2n }];
  const { error } = await submit(api, api.tx.orderbook.placeOrders(0, orders, true), maker);
  assert.equal(error, 'orderbook.PriceOffTick');
  assert.equal((await openOrders()).length, 0);
});

test('a quote placed with a client id is reported, refused twice and cancelled by it', async () => {
  const { api } = ctx;
  const clientId = 2n ** 64n - 1n;
  const tagged = { ...quote('Buy', low - 300), clientId };
  let { blockHash, error } = await submit(api, api.tx.orderbook.placeOrders(0, [tagged, { ...tagged, price: BigInt(low - 310) * FIXED }], false), maker);
  assert.equal(error, null);
  const [placed] = await bookEvents(blockHash, 'OrderPlaced');
  assert.equal(placed.data.clientId.unwrap().toBigInt(), clientId);
  const results = (await bookEvents(blockHash, 'BatchEntry')).map((e) => e.data.result);
  assert.ok(results[0].isOk);
  assert.equal(api.registry.findMetaError(results[1].asErr.asModule).name, 'ClientIdInUse');
  const [open] = await api.call.orderbookApi.orders(maker.address, 0);
  assert.equal(open.clientId.unwrap().toBigInt(), clientId);

  ({ error } = await submit(api, api.tx.orderbook.cancelByClientId(0, clientId), maker));
  assert.equal(error, null);
  assert.equal((await openOrders()).length, 0);
  ({ error } = await submit(api, api.tx.orderbook.cancelByClientId(0, clientId), maker));
  assert.equal(error, 'orderbook.UnknownClientId');
});
