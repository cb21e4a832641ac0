// Time in force on a real node: a good-til-block order leaves the book by itself at the start
// of the block after its own (a quiet chain has the room), with its deposit and margin released; a block already passed is
// refused (`orderbook.Expired`); a fill-or-kill order the book cannot fill in full is refused
// (`orderbook.WouldNotFill`) and changes nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect, submit, fundTrader, eventsAt, blockNumbered } from './helpers.js';

const BTC = 2;
const BTC_USD = 0;
const USDC_UNIT = 1_000_000n;
const FIXED = 10n ** 18n;
const SIZE = 1_000_000n; // 0.01 BTC
let ctx;
let trader;
let below; // whole dollars: a bid here crosses nothing

before(async () => {
  ctx = await connect();
  trader = ctx.fresh();
  await fundTrader(ctx.api, ctx.alice, trader, 5_000n * USDC_UNIT);
  const index = (await ctx.api.call.oracleApi.price(BTC)).unwrap().price.toBigInt() / FIXED;
  const depth = await ctx.api.call.orderbookApi.depth(BTC_USD, 1);
  const bestAsk = depth.asks.length ? depth.asks[0][0].toBigInt() / FIXED : index;
  below = ((index < bestAsk ? index : bestAsk) / 10n) * 10n - 400n;
});
after(async () => { await ctx?.api.disconnect(); });

const bid = (dollars, kind) =>
  ctx.api.tx.orderbook.placeOrder(0, BTC_USD, 'Buy', BigInt(dollars) * FIXED, SIZE, kind, false);
const openOrders = () => ctx.api.call.orderbookApi.orders(trader.address, 0);
const requirement = async () =>
  (await ctx.api.call.marginApi.accountHealth(trader.address, 0)).unwrap().initialRequirement.toBigInt();

test('a good-til-block order expires by itself with its deposit back', async () => {
  const { api } = ctx;
  const now = (await api.rpc.chain.getHeader()).number.toNumber();
  const goodTil = now + 4;
  const { error } = await submit(api, bid(below, { GoodTilBlock: goodTil }), trader);
  assert.equal(error, null);
  const [order] = await openOrders();
  assert.equal(order.goodTil.unwrap().toNumber(), goodTil);
  assert.ok((await requirement()) > 0n, 'the resting order holds margin and its deposit');

  // Still there through its block; gone at the start of the next.
  const last = await blockNumbered(api, goodTil);
  assert.equal((await (await api.at(last)).query.orderbook.orders(trader.address, order.id)).isSome, true);
  const next = await blockNumbered(api, goodTil + 1);
  const expired = (await eventsAt(api, next)).find((e) => e.section === 'orderbook' && e.method === 'OrderCancelled' &&
    e.data.id.toBigInt() === order.id.toBigInt());
  assert.ok(expired, 'cancelled in the next block');
  assert.equal(expired.data.reason.type, 'ExpiredAtBlock');
  assert.equal((await openOrders()).length, 0);
  assert.equal(await requirement(), 0n);
});

test('a passed block and a fill-or-kill that cannot fill are refused by name', async () => {
  const { api } = ctx;
  const now = (await api.rpc.chain.getHeader()).number.toNumber();
  let { error } = await submit(api, bid(below, { GoodTilBlock: now - 1 }), trader);
  assert.equal(error, 'orderbook.Expired');
  // Nothing crosses a bid this far below the book.
  ({ error } = await submit(api, bid(below, 'FillOrKill'), trader));
  assert.equal(error, 'orderbook.WouldNotFill');
  assert.equal((await openOrders()).length, 0);
});
