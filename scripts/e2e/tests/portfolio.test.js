// Portfolio margin on a real node, prices and implied volatility from the feed simulator
// (BTC pinned at $60,000, a flat smile at its DVOL of 60%): root lists an at-the-money call and
// put 30 days out; the options pallet refreshes their scenario vectors at the start of each
// block. A writer's delta-hedged short straddle needs at least 40% less initial margin once it
// enters portfolio margin, and `marginApi.scenarios` shows every scenario behind the figure. A
// thin portfolio writer is liquidated by the chain's keeper when BTC's implied volatility
// jumps from 60% to 90% while its index stays put. `marginApi.whatIf` shows what a further order
// would leave before it is signed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Keyring } from '@polkadot/api';
import { connect, submit, feed, fundTrader, waitForIndex, waitForEvent, listSeries as listSeriesOf, pinBtcFlatSmile, restoreBtcFeed } from './helpers.js';

const BTC = 2;
const BTC_VOL = 1002;
const BTC_USD = 0;
const USDC_ID = 1;
const UNIT = 1_000_000n; // USDC
const FIXED = 10n ** 18n;
const SATS = 10n ** 8n;
const STEP = 10_000n; // BTC-USD's step (0.0001 BTC)
const DAY_MS = 86_400_000;
let ctx;
let funder;

const usd = (dollars) => BigInt(dollars) * FIXED;
const tickAbove = (mark) => ((mark + FIXED - 1n) / FIXED) * FIXED;
const order = (market, side, price, size, kind) =>
  ctx.api.tx.orderbook.placeOrder(0, market, side, price, size, kind, false);

async function ok(tx, who, what) {
  const { error, blockHash } = await submit(ctx.api, tx, who);
  assert.equal(error, null, what);
  return blockHash;
}

const listSeries = (kind, strike, expiry) => listSeriesOf(ctx.api, ctx.alice, kind, strike, expiry);

// An at-the-money straddle 30 days out, once both series are in BTC's scenario book.
async function straddle() {
  const { api } = ctx;
  const expiry = (await api.query.timestamp.now()).toNumber() + 30 * DAY_MS;
  const legs = [await listSeries('Call', 60000, expiry), await listSeries('Put', 60000, expiry)];
  for (let i = 0; i < 10; i++) {
    const book = await api.query.options.scenarioBooks(BTC);
    const held = book.isSome ? book.unwrap().series.map((entry) => entry.market.toNumber()) : [];
    if (legs.every((leg) => held.includes(leg))) return legs;
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error("the straddle is not in BTC's scenario book within 10 s");
}

// `writer` sells `size` of each leg to a fresh buyer at the mark.
async function sellEach(writer, legs, size) {
  const { api } = ctx;
  const buyer = ctx.fresh();
  await fundTrader(api, funder, buyer, 20_000n * UNIT);
  for (const leg of legs) {
    const price = tickAbove((await api.call.optionsApi.greeks(leg)).unwrap().mark.toBigInt());
    await ok(order(leg, 'Sell', price, size, 'Limit'), writer, 'the writer offers the leg');
    await ok(order(leg, 'Buy', price, size, 'ImmediateOrCancel'), buyer, 'the buyer takes it');
  }
  return buyer;
}

async function health(who, at) {
  const api = at ? await ctx.api.at(at) : ctx.api;
  return (await api.call.marginApi.accountHealth(who.address, 0)).unwrap();
}

before(async () => {
  ctx = await connect();
  funder = new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri('//Dave');
  await pinBtcFlatSmile(ctx.api);
});
after(async () => {
  await restoreBtcFeed(ctx?.api);
  await ctx?.api.disconnect();
});

test('a delta-hedged short straddle needs at least 40% less initial margin under portfolio margin', { timeout: 180_000 }, async () => {
  const { api } = ctx;
  const legs = await straddle();
  const size = SATS / 2n;
  const writer = ctx.fresh();
  await fundTrader(api, funder, writer, 20_000n * UNIT);
  const buyer = await sellEach(writer, legs, size);

  // Flatten the straddle's delta on the perpetual, to BTC-USD's step.
  const delta = (await api.call.optionsApi.portfolio(writer.address, 0)).unwrap().delta.toBigInt();
  const hedge = (-delta * SATS / FIXED / STEP) * STEP;
  if (hedge !== 0n) {
    const [side, other] = hedge > 0n ? ['Buy', 'Sell'] : ['Sell', 'Buy'];
    const amount = hedge > 0n ? hedge : -hedge;
    await ok(order(BTC_USD, other, usd(60000), amount, 'Limit'), buyer, 'the hedge offered');
    await ok(order(BTC_USD, side, usd(60000), amount, 'ImmediateOrCancel'), writer, 'the writer hedges');
    await ok(api.tx.orderbook.cancelAll(0, BTC_USD), buyer, 'nothing left resting');
  }

  const standard = await health(writer);
  const entered = await ok(api.tx.margin.setMarginMode(0, 'Portfolio'), writer, 'the writer enters portfolio margin');
  const atEntry = await api.at(entered);
  const parent = (await api.rpc.chain.getHeader(entered)).parentHash;
  const before = await health(writer, parent);
  const portfolio = await health(writer, entered);
  assert.equal((await atEntry.call.marginApi.marginSettings(writer.address, 0)).mode.toString(), 'Portfolio');
  const standardIm = before.initialRequirement.toBigInt();
  const portfolioIm = portfolio.initialRequirement.toBigInt();
  assert.ok(portfolioIm * 10n <= standardIm * 6n,
    `portfolio ${portfolioIm} vs standard ${standardIm} (${standard.initialRequirement.toBigInt()} when read)`);

  // What a further 1 BTC long would leave, before any order is signed: far more margin.
  const whatIf = (await atEntry.call.marginApi.whatIf(writer.address, 0, { market: BTC_USD, side: 'Buy', size: SATS, price: usd(60000) })).unwrap();
  assert.ok(whatIf.initialRequirement.toBigInt() > portfolioIm + 5_000n * UNIT,
    `a naked BTC on top: ${whatIf.initialRequirement.toBigInt()} against ${portfolioIm}`);

  // Every scenario of BTC's grid, and the one that binds.
  const view = (await atEntry.call.marginApi.scenarios(writer.address, 0)).unwrap();
  assert.equal(view.mode.toString(), 'Portfolio');
  assert.equal(view.underlyings.length, 1);
  const btc = view.underlyings[0];
  assert.equal(btc.asset.toNumber(), BTC);
  assert.equal(btc.pnl.length, 23);
  const pnl = btc.pnl.map((p) => p.toBigInt());
  const worst = pnl.reduce((a, b) => (b < a ? b : a));
  assert.equal(pnl[btc.binding.toNumber()], worst);
  assert.equal(btc.worstLoss.toBigInt(), -worst);
  // Initial: the worst loss × 1.25 plus 1% of the index per short contract and of the hedge.
  assert.ok(btc.initial.toBigInt() >= (-worst * 5n) / 4n);
  assert.equal(btc.maintenance.toBigInt(), (btc.initial.toBigInt() * 8n + 9n) / 10n);
});

test('a portfolio writer is liquidated by the keeper when volatility spikes with no price move', { timeout: 240_000 }, async () => {
  const { api } = ctx;
  const legs = await straddle();
  const size = SATS / 2n;
  const writer = ctx.fresh();
  await fundTrader(api, funder, writer, 20_000n * UNIT);
  await ok(api.tx.margin.setMarginMode(0, 'Portfolio'), writer, 'the writer enters portfolio margin');
  await sellEach(writer, legs, size);
  // Down to $50 over its initial requirement.
  const free = (await health(writer)).freeCollateral.toBigInt();
  await ok(api.tx.vaults.withdraw(0, USDC_ID, free - 50n * UNIT), writer, 'the free collateral leaves');
  assert.equal((await health(writer)).liquidatable.isTrue, false);

  const liquidated = waitForEvent(api, (event) =>
    api.events.liquidation.Liquidated.is(event) && event.data.subaccount.owner.toString() === writer.address, 120);
  await feed('/control/vol', { asset: 'BTC', volatility: '90', skew: '0', curvature: '0' });
  const { hash } = await liquidated;
  // The index never moved: the volatility alone took the book under maintenance.
  const index = (await (await api.at(hash)).call.oracleApi.price(BTC)).unwrap().price.toBigInt();
  assert.equal(index, usd(60000));
  const after = await health(writer);
  assert.equal(after.liquidatable.isTrue, false, 'healthy after');
  assert.ok(after.equity.toBigInt() >= 0n, 'no debt left behind');
  await feed('/control/vol', { asset: 'BTC', volatility: '60', skew: '0', curvature: '0' });
  await waitForIndex(api, BTC_VOL, 6n * FIXED / 10n, 60);
});
