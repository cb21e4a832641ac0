// Triggers on a real node, with prices from the feed simulator: a stop-loss fires by itself
// when ETH's index falls to it and closes the position; a take-profit/stop-loss pair closes
// the position at the take-profit and cancels the stop (one cancels the other); a stop that
// meets more resting orders than one firing fills (`MaxTriggerFills`) fires again the next
// block and closes the rest.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect, submit, feed, fundTrader, waitForIndex, waitForEvent, blockNumbered, eventsAt } from './helpers.js';

const ETH = 3;
const ETH_USD = 1;
const UNIT = 1_000_000n; // USDC
const FIXED = 10n ** 18n;
const ETH_WEI = 10n ** 18n;
let ctx;
let mm;

const usd = (dollars) => BigInt(dollars) * FIXED;

async function ethTo(dollars) {
  await feed('/control/set', { asset: 'ETH', price: String(dollars) });
  await waitForIndex(ctx.api, ETH, usd(dollars));
}

async function place(who, side, dollars, eth, kind) {
  const tx = ctx.api.tx.orderbook.placeOrder(0, ETH_USD, side, usd(dollars), BigInt(eth) * ETH_WEI, kind, false);
  const { error } = await submit(ctx.api, tx, who);
  assert.equal(error, null, `${side} ${eth} ETH at ${dollars}`);
}

async function positionOf(who, at) {
  const api = at ? await ctx.api.at(at) : ctx.api;
  const views = await api.call.marginApi.positions(who.address, 0);
  const eth = views.find((p) => p.market.toNumber() === ETH_USD);
  return eth ? eth.baseSize.toBigInt() : 0n;
}

// A trader long 1 ETH, bought from the market maker at $3,000.
async function longOneEth() {
  const who = ctx.fresh();
  await fundTrader(ctx.api, ctx.alice, who, 1_000n * UNIT);
  await place(mm, 'Sell', 3000, 1, 'Limit');
  await place(who, 'Buy', 3000, 1, 'ImmediateOrCancel');
  assert.equal(await positionOf(who), ETH_WEI);
  return who;
}

// The market maker's bid of 1 ETH at `dollars`, resting: asks other tests left at or below it
// are bought first, so bid again until 1 ETH rests there.
async function restBid(dollars) {
  for (let attempt = 0; attempt < 10; attempt++) {
    await place(mm, 'Buy', dollars, 1, 'Limit');
    const { bids } = await ctx.api.call.orderbookApi.depth(ETH_USD, 200);
    const level = bids.find(([price]) => price.toBigInt() === usd(dollars));
    if (level && level[1].toBigInt() >= ETH_WEI) return;
  }
  assert.fail(`no bid rests at ${dollars}`);
}

// The liquidation backstop's account (subaccount 0 of the pallet's `clr/liqd` account).
const BACKSTOP = new Uint8Array(Buffer.concat([Buffer.from('modl'), Buffer.from('clr/liqd'), Buffer.alloc(20)]));

async function backstopEth() {
  const views = await ctx.api.call.marginApi.positions(BACKSTOP, 0);
  const eth = views.find((p) => p.market.toNumber() === ETH_USD);
  return eth ? eth.baseSize.toBigInt() : 0n;
}

// The backstop unwinds what earlier files' liquidations left it into any order near the mark,
// and would take the bids these tests rest for their own triggers: the market maker takes
// its ETH at the index first, until it holds none.
async function backstopFlatInEth() {
  for (let attempt = 0; attempt < 5; attempt++) {
    const held = await backstopEth();
    if (held === 0n) return;
    const side = held > 0n ? 'Buy' : 'Sell';
    const size = held > 0n ? held : -held;
    const steps = (size + ETH_WEI / 1000n - 1n) / (ETH_WEI / 1000n);
    const tx = ctx.api.tx.orderbook.placeOrder(0, ETH_USD, side, usd(3000), steps * (ETH_WEI / 1000n), 'Limit', false);
    const { error } = await submit(ctx.api, tx, mm);
    assert.equal(error, null, `the market maker meets the backstop's ${held} ETH`);
    for (let i = 0; i < 20 && (await backstopEth()) !== 0n; i++) await new Promise((r) => setTimeout(r, 1000));
    await submit(ctx.api, ctx.api.tx.orderbook.cancelAll(0, ETH_USD), mm);
  }
  assert.equal(await backstopEth(), 0n, 'the backstop still holds ETH');
}

const fired = (id) => (e) => e.section === 'orderbook' && e.method === 'TriggerFired' && e.data.id.toBigInt() === id;

before(async () => {
  ctx = await connect();
  mm = ctx.fresh();
  await fundTrader(ctx.api, ctx.alice, mm, 20_000n * UNIT);
  await ethTo(3000);
  await backstopFlatInEth();
});
after(async () => {
  await feed('/control/set', { asset: 'ETH', price: '3000' }).catch(() => {});
  await ctx?.api.disconnect();
});

test('a stop-loss fires by itself when the index falls to it and closes the position', async () => {
  const { api } = ctx;
  const trader = await longOneEth();
  // Sell the whole position (no size: reduce-only) at $2,900 or better once ETH is at $2,970.
  const { error } = await submit(api, api.tx.orderbook.placeTrigger(0, ETH_USD, 'Sell', 'StopMarket', usd(2970), usd(2900), null, true), trader);
  assert.equal(error, null);
  const [stop] = await api.call.orderbookApi.triggers(trader.address, 0);
  assert.equal(stop.triggerPrice.toBigInt(), usd(2970));
  // The market maker's bid the stop will sell into.
  await restBid(2960);

  const firing = waitForEvent(api, fired(stop.id.toBigInt()), 30);
  await ethTo(2970);
  const { event } = await firing;
  assert.ok(event.data.result.isOk, `the stop's order was placed: ${event.data.result.toString()}`);
  assert.equal(await positionOf(trader), 0n, 'the position is closed');
  assert.equal((await api.call.orderbookApi.triggers(trader.address, 0)).length, 0);
  await ethTo(3000);
});

test('a take-profit/stop-loss pair: the take-profit fires and cancels the stop', async () => {
  const { api } = ctx;
  const trader = await longOneEth();
  const { error } = await submit(api, api.tx.orderbook.placeTpSl(0, ETH_USD, [usd(3030), usd(3000)], [usd(2800), usd(2700)]), trader);
  assert.equal(error, null);
  const pair = await api.call.orderbookApi.triggers(trader.address, 0);
  assert.equal(pair.length, 2);
  const takeProfit = pair.find((t) => t.kind.type === 'TakeProfitMarket');
  const stopLoss = pair.find((t) => t.kind.type === 'StopMarket');
  assert.equal(takeProfit.pair.unwrap().toBigInt(), stopLoss.id.toBigInt());
  await restBid(3020);

  const firing = waitForEvent(api, fired(takeProfit.id.toBigInt()), 30);
  await ethTo(3030);
  const { hash, event } = await firing;
  assert.ok(event.data.result.isOk);
  const events = (await (await api.at(hash)).query.system.events()).map((r) => r.event);
  const cancelled = events.find((e) => e.section === 'orderbook' && e.method === 'TriggerCancelled');
  const book = events.filter((e) => e.section === 'orderbook').map((e) => `${e.method} ${e.data.toString()}`);
  assert.ok(cancelled, `the stop is cancelled in the block the take-profit fired: ${book.join('; ')}`);
  assert.equal(cancelled.data.id.toBigInt(), stopLoss.id.toBigInt());
  assert.equal(cancelled.data.reason.type, 'PairFired');
  assert.equal(await positionOf(trader), 0n);
  assert.equal((await api.call.orderbookApi.triggers(trader.address, 0)).length, 0);
  await ethTo(3000);
});

test('a stop that meets more bids than one firing fills fires again the next block', async () => {
  const { api } = ctx;
  const trader = await longOneEth();
  const { error } = await submit(api, api.tx.orderbook.placeTrigger(0, ETH_USD, 'Sell', 'StopMarket', usd(2970), usd(2900), null, true), trader);
  assert.equal(error, null);
  const [stop] = await api.call.orderbookApi.triggers(trader.address, 0);
  // Ten bids of 0.1 ETH, one per price from $2,960 down: the stop's order fills at most
  // `MaxTriggerFills` of them at a firing.
  const bidder = ctx.fresh();
  await fundTrader(api, ctx.alice, bidder, 5_000n * UNIT);
  const tenth = ETH_WEI / 10n;
  for (let dollars = 2960; dollars > 2950; dollars--) {
    const placed = await submit(api, api.tx.orderbook.placeOrder(0, ETH_USD, 'Buy', usd(dollars), tenth, 'Limit', false), bidder);
    assert.equal(placed.error, null, `bid at ${dollars}`);
  }
  assert.equal((await api.call.orderbookApi.orders(bidder.address, 0)).length, 10, 'every bid rests');
  const perFiring = api.consts.orderbook.maxTriggerFills.toNumber();
  assert.ok(perFiring < 10, `MaxTriggerFills (${perFiring}) is below the bids it meets`);

  const firing = waitForEvent(api, fired(stop.id.toBigInt()), 30);
  await ethTo(2970);
  const first = await firing;
  assert.ok(first.event.data.result.isOk);
  // Cut short: back in its queue, still the whole position, which the first firing reduced.
  const [waiting] = await (await api.at(first.hash)).call.orderbookApi.triggers(trader.address, 0);
  assert.equal(waiting.id.toBigInt(), stop.id.toBigInt());
  assert.equal(waiting.toJSON().size, null); // (`.size` on a struct is Map's own count)
  assert.equal(await positionOf(trader, first.hash), ETH_WEI - BigInt(perFiring) * tenth);
  // The next block fires the rest.
  const next = await blockNumbered(api, first.number + 1);
  const again = (await eventsAt(api, next)).find(fired(stop.id.toBigInt()));
  assert.ok(again, 'the stop fires again the next block');
  assert.ok(again.data.result.isOk);
  assert.equal(await positionOf(trader), 0n, 'the position is closed');
  assert.equal((await api.call.orderbookApi.triggers(trader.address, 0)).length, 0);
  assert.equal((await api.call.orderbookApi.orders(bidder.address, 0)).length, 0, 'every bid filled');
  await ethTo(3000);
});
