// Fee tiers on a real node: root (sudo on `dev`) sets a tier from $1,000 of 30-day volume;
// a maker and a taker trade ETH at the market's own fees until both pass it, then at the
// tier's: a lower taker fee and a maker rebate paid out of the same fill's taker fee. The
// table is emptied again afterwards, so the other tests see each market's own fees. On a chain
// without sudo the risk council proposes a table, which waits out the governance timelock.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect, submit, feed, fundTrader, waitForIndex, eventsAt, councilDecide } from './helpers.js';

const ETH = 3;
const ETH_USD = 1;
const UNIT = 1_000_000n; // USDC
const FIXED = 10n ** 18n;
const ETH_WEI = 10n ** 18n;
let ctx;

const tier = { minVolume: 1_000n * UNIT, takerFee: 300, makerFee: 0, makerRebate: 100 };

async function setTiers(tiers) {
  const { error } = await submit(ctx.api, ctx.api.tx.sudo.sudo(ctx.api.tx.orderbook.setFeeTiers(tiers)), ctx.alice);
  assert.equal(error, null);
}

before(async () => {
  ctx = await connect();
  await feed('/control/set', { asset: 'ETH', price: '3000' });
  await waitForIndex(ctx.api, ETH, 3000n * FIXED);
});
after(async () => {
  await setTiers([]).catch(() => {});
  await ctx?.api.disconnect();
});

test('volume moves a maker and a taker into a tier with a rebate paid from the taker fee', async () => {
  const { api } = ctx;
  await setTiers([tier]);
  const stored = await api.query.orderbook.feeTiers();
  assert.equal(stored.length, 1);
  assert.equal(stored[0].minVolume.toBigInt(), tier.minVolume);

  const maker = ctx.fresh();
  const taker = ctx.fresh();
  await fundTrader(api, ctx.alice, maker, 10_000n * UNIT);
  await fundTrader(api, ctx.alice, taker, 10_000n * UNIT);

  // Half an ETH: the maker posts the best ask (at most $3,000, a tick inside whatever other
  // tests left on the book), the taker buys exactly that much at its price.
  const TICK = FIXED / 100n;
  async function trade() {
    const depth = await api.call.orderbookApi.depth(ETH_USD, 1);
    let price = 3000n * FIXED;
    if (depth.asks.length && depth.asks[0][0].toBigInt() <= price) price = depth.asks[0][0].toBigInt() - TICK;
    if (depth.bids.length) assert.ok(depth.bids[0][0].toBigInt() < price, 'room for a best ask');
    const { blockHash: placed, error } = await submit(
      api, api.tx.orderbook.placeOrder(0, ETH_USD, 'Sell', price, ETH_WEI / 2n, 'PostOnly', false), maker);
    assert.equal(error, null);
    const id = (await eventsAt(api, placed)).find((e) => e.section === 'orderbook' && e.method === 'OrderPlaced').data.id.toBigInt();
    const { blockHash, error: takerError } = await submit(
      api, api.tx.orderbook.placeOrder(0, ETH_USD, 'Buy', price, ETH_WEI / 2n, 'ImmediateOrCancel', false), taker);
    assert.equal(takerError, null);
    const fill = (await eventsAt(api, blockHash))
      .find((e) => e.section === 'orderbook' && e.method === 'OrderFilled' && e.data.makerOrder.toBigInt() === id);
    assert.ok(fill, 'the taker filled the maker');
    // The fill's notional in USDC units, rounded up for fees and down for rebates and volume.
    const exact = price * UNIT / 2n;
    return { data: fill.data, up: (exact + FIXED - 1n) / FIXED, down: exact / FIXED };
  }
  const ceilPpm = (value, ppm) => (value * ppm + 999_999n) / 1_000_000n;

  // Below the tier: the market's 0.05% taker and 0.02% maker fees on about $1,500.
  let { data: fill, up, down } = await trade();
  assert.equal(fill.takerFee.toBigInt(), ceilPpm(up, 500n));
  assert.equal(fill.makerFee.toBigInt(), ceilPpm(up, 200n));
  assert.equal(fill.makerRebate.toBigInt(), 0n);

  const fees = await api.call.orderbookApi.fees(maker.address);
  assert.equal(fees.volume.toBigInt(), down);
  assert.equal(fees.tier.unwrap().makerRebate.toNumber(), 100);

  // In the tier: 0.03% from the taker, no maker fee, 0.01% back to the maker.
  ({ data: fill, up, down } = await trade());
  assert.equal(fill.takerFee.toBigInt(), ceilPpm(up, 300n));
  assert.equal(fill.makerFee.toBigInt(), 0n);
  assert.equal(fill.makerRebate.toBigInt(), down * 100n / 1_000_000n);
  assert.ok(fill.makerRebate.toBigInt() <= fill.takerFee.toBigInt(), 'the rebate comes out of the taker fee');

  // A table out of bounds is refused by name.
  const bad = await submit(api, api.tx.sudo.sudo(api.tx.orderbook.setFeeTiers([{ ...tier, makerFee: 100 }])), ctx.alice);
  const sudid = (await eventsAt(api, bad.blockHash)).find((e) => e.section === 'sudo' && e.method === 'Sudid');
  assert.equal(api.registry.findMetaError(sudid.data.sudoResult.asErr.asModule).name, 'InvalidFeeTiers');
});

test('a fee table proposed by the risk council waits out the timelock, and can be cancelled', async () => {
  const { api } = ctx;
  const before = (await api.query.orderbook.feeTiers()).length;
  const proposal = api.tx.governance.propose({ SetFeeTiers: { tiers: [tier] } });
  const scheduled = await councilDecide(api, [ctx.alice, ctx.bob], proposal);
  assert.equal(scheduled.error, null);
  const event = (await eventsAt(api, scheduled.blockHash)).find((e) => api.events.governance.ChangeScheduled.is(e));
  assert.ok(event, 'scheduled, not enacted');
  assert.equal((await api.query.orderbook.feeTiers()).length, before, 'the table is unchanged meanwhile');
  const id = event.data.id.toNumber();
  const cancelled = await councilDecide(api, [ctx.charlie], api.tx.governance.cancel(id));
  assert.equal(cancelled.error, null);
  assert.ok((await api.query.governance.pending(id)).isNone);
});
