// Risk governance end to end, through the risk council (Alice, Bob, Charlie; two of three
// decide, one cancels): a risk-reducing change takes effect in the block the council decides;
// an out-of-bounds change fails with its named error; a halted market refuses orders while
// another market trades; a risk-increasing change waits out the `dev` timelock (60 blocks),
// visible on chain with its enactment block, and a second one is cancelled meanwhile.
// Everything here uses DOT-USD (market 2), which no other test trades.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect, submit, fundTrader, councilDecide, blockNumbered, eventsAt } from './helpers.js';

const BTC = 2;
const BTC_USD = 0;
const DOT_USD = 2;
const USDC_UNIT = 1_000_000n;
const FIXED = 10n ** 18n;
const PERCENT = 10_000; // Permill parts
let ctx;

async function dotMarket(at) {
  const source = at ? await ctx.api.at(at) : ctx.api;
  const markets = await source.call.marginApi.markets();
  const [, config] = markets.find(([id]) => id.toNumber() === DOT_USD);
  return config;
}

const decide = (call) => councilDecide(ctx.api, [ctx.alice, ctx.bob], call);
const propose = (change) => ctx.api.tx.governance.propose(change);

async function trader(usdc) {
  const who = ctx.fresh();
  await fundTrader(ctx.api, ctx.alice, who, usdc);
  return who;
}

before(async () => { ctx = await connect(); });
after(async () => { await ctx?.api.disconnect(); });

test('a risk-reducing change by the council takes effect in the block it is decided', async () => {
  const { api } = ctx;
  const before = await dotMarket();
  const initial = before.initialMargin.toNumber() + 2 * PERCENT;
  const maintenance = before.maintenanceMargin.toNumber() + PERCENT;
  const { blockHash, error } = await decide(propose({ SetMarketMargin: { market: DOT_USD, initial, maintenance } }));
  assert.equal(error, null);
  const after = await dotMarket(blockHash);
  assert.equal(after.initialMargin.toNumber(), initial);
  assert.equal(after.maintenanceMargin.toNumber(), maintenance);
  const enacted = (await eventsAt(api, blockHash)).filter((e) => api.events.governance.ChangeEnacted.is(e));
  assert.equal(enacted.length, 1);
  assert.ok(enacted[0].data.id.isNone, 'enacted at once, not scheduled');
});

test('changes beyond the hard bounds or the step limit fail with their named errors', async () => {
  const before = await dotMarket();
  const initial = before.initialMargin.toNumber();
  // Initial margin below 1%.
  let outcome = await decide(propose({ SetMarketMargin: { market: DOT_USD, initial: 5_000, maintenance: 4_000 } }));
  assert.equal(outcome.error, 'governance.OutOfBounds');
  // Maintenance not below initial.
  outcome = await decide(propose({ SetMarketMargin: { market: DOT_USD, initial, maintenance: initial } }));
  assert.equal(outcome.error, 'governance.OutOfBounds');
  // Eleven points in one change.
  outcome = await decide(propose({
    SetMarketMargin: { market: DOT_USD, initial: initial + 11 * PERCENT, maintenance: before.maintenanceMargin.toNumber() },
  }));
  assert.equal(outcome.error, 'governance.StepTooLarge');
  // Nothing moved.
  assert.deepEqual((await dotMarket()).toJSON(), before.toJSON());
});

test('a halted market refuses new orders while another market trades', async () => {
  const { api } = ctx;
  const { error } = await decide(propose({ SetMarketStatus: { market: DOT_USD, status: 'Halted' } }));
  assert.equal(error, null);
  assert.equal((await api.call.marginApi.marketStatus(DOT_USD)).unwrap().type, 'Halted');
  assert.equal((await api.call.marginApi.marketStatus(BTC_USD)).unwrap().type, 'Active');

  const maker = await trader(10_000n * USDC_UNIT);
  const taker = await trader(10_000n * USDC_UNIT);
  // $1 a DOT, 10 DOT: refused, the market is halted.
  const dotOrder = api.tx.orderbook.placeOrder(0, DOT_USD, 'Buy', FIXED, 100_000_000_000n, 'Limit', false);
  assert.equal((await submit(api, dotOrder, taker)).error, 'orderbook.MarketHalted');

  // BTC trades on: the maker rests 0.001 BTC at the index, the taker buys it.
  const quote = (await api.call.oracleApi.price(BTC)).unwrap();
  const price = (quote.price.toBigInt() / FIXED) * FIXED; // a whole dollar: on the $1 tick
  const ask = api.tx.orderbook.placeOrder(0, BTC_USD, 'Sell', price, 100_000n, 'Limit', false);
  assert.equal((await submit(api, ask, maker)).error, null);
  const buy = api.tx.orderbook.placeOrder(0, BTC_USD, 'Buy', price, 100_000n, 'ImmediateOrCancel', false);
  const bought = await submit(api, buy, taker);
  assert.equal(bought.error, null);
  const positions = await api.call.marginApi.positions(taker.address, 0);
  const btc = positions.find((p) => p.market.toNumber() === BTC_USD);
  assert.equal(btc?.baseSize.toBigInt(), 100_000n);
});

test('a risk-increasing change waits out the timelock in view, and a cancelled one never happens', async () => {
  const { api } = ctx;
  const cap = (await dotMarket()).maxOpenInterest.toBigInt();
  const scheduled = await decide(propose({ SetOpenInterestCap: { market: DOT_USD, maxOpenInterest: cap * 2n } }));
  assert.equal(scheduled.error, null);
  const event = (await eventsAt(api, scheduled.blockHash)).find((e) => api.events.governance.ChangeScheduled.is(e));
  assert.ok(event, 'the change is scheduled, not enacted');
  const id = event.data.id.toNumber();
  const enactAt = event.data.enactAt.toNumber();
  const scheduledIn = (await api.rpc.chain.getHeader(scheduled.blockHash)).number.toNumber();
  const timelock = (await api.query.governance.timelock()).toNumber();
  assert.equal(enactAt, scheduledIn + timelock);
  // Visible on chain while it waits.
  const pending = await api.query.governance.pending(id);
  assert.equal(pending.unwrap().enactAt.toNumber(), enactAt);
  assert.equal((await dotMarket()).maxOpenInterest.toBigInt(), cap);

  // A second risk-increasing change (a new oracle feeder), cancelled by one council member.
  const feeder = ctx.fresh();
  const second = await decide(propose({ AddFeeder: { feeder: feeder.address } }));
  assert.equal(second.error, null);
  const secondId = (await eventsAt(api, second.blockHash))
    .find((e) => api.events.governance.ChangeScheduled.is(e)).data.id.toNumber();
  const cancelled = await councilDecide(api, [ctx.charlie], api.tx.governance.cancel(secondId));
  assert.equal(cancelled.error, null);
  assert.ok((await api.query.governance.pending(secondId)).isNone);

  // Not a block early…
  const lastBefore = await blockNumbered(api, enactAt - 1, timelock + 20);
  assert.equal((await dotMarket(lastBefore)).maxOpenInterest.toBigInt(), cap);
  // …and at the start of the enactment block.
  const enactedIn = await blockNumbered(api, enactAt, 20);
  assert.equal((await dotMarket(enactedIn)).maxOpenInterest.toBigInt(), cap * 2n);
  const enacted = (await eventsAt(api, enactedIn)).find((e) => api.events.governance.ChangeEnacted.is(e));
  assert.equal(enacted?.data.id.unwrap().toNumber(), id);
  // The cancelled one never happened.
  assert.ok((await (await api.at(enactedIn)).query.oracle.feeders(feeder.address)).isNone);
  console.log(`timelock: scheduled in block ${scheduledIn}, enacted in block ${enactAt} (${timelock} blocks)`);
});
