// Options on a real node, prices and implied volatility from the feed simulator (BTC's DVOL
// pinned at 60%): root (sudo on `dev`) lists a BTC put and call a week out and a put expiring
// within the test. The chain's marks match a Black-76 computed here from the chain's own
// inputs; a hedger buys a protective put paying its premium in full; a writer sells a covered
// call against a long perpetual and is margined per leg; a protective put and a covered call
// listed two minutes out settle at the window's average index and pay out to the unit, their
// books emptied and the series delisted, with no call from the test; a short put is liquidated by the chain's keeper
// when BTC falls and its implied volatility jumps; an expiry of 500 positions (one writer,
// 499 buyer subaccounts) settles by itself over bounded blocks, tokens conserved.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Keyring } from '@polkadot/api';
import { connect, submit, feed, fundTrader, waitForIndex, waitForEvent, eventsAt, listSeries as listSeriesOf, pinBtcFlatSmile, restoreBtcFeed } from './helpers.js';

const BTC = 2;
const BTC_VOL = 1002;
const BTC_USD = 0;
const UNIT = 1_000_000n; // USDC
const FIXED = 10n ** 18n;
const SATS = 10n ** 8n;
const DAY_MS = 86_400_000;
const YEAR_MS = 365 * DAY_MS;
let ctx;

const usd = (dollars) => BigInt(dollars) * FIXED;
const toNumber = (fixed) => Number(fixed) / 1e18;

// Φ by Marsaglia's series (double precision over |x| ≤ 8, the tails beyond).
function normalCdf(x) {
  if (x < -8) return 0;
  if (x > 8) return 1;
  let term = x;
  let sum = x;
  for (let n = 1; n < 200 && Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
    term = (term * x * x) / (2 * n + 1);
    sum += term;
  }
  return 0.5 + (sum * Math.exp(-x * x / 2)) / Math.sqrt(2 * Math.PI);
}

// Black-76 on the forward F = S·e^{rT}, discounted at r.
function black76(kind, spot, strike, sigma, years, rate) {
  const forward = spot * Math.exp(rate * years);
  const stdDev = sigma * Math.sqrt(years);
  const d1 = (Math.log(forward / strike) + (stdDev * stdDev) / 2) / stdDev;
  const d2 = d1 - stdDev;
  const discount = Math.exp(-rate * years);
  const call = discount * (forward * normalCdf(d1) - strike * normalCdf(d2));
  return kind === 'Call' ? call : call - discount * (forward - strike);
}

async function ok(tx, who, what) {
  const { error, blockHash } = await submit(ctx.api, tx, who);
  assert.equal(error, null, what);
  return blockHash;
}

// Root lists a series; resolves with its market id (from `SeriesListed`).
const listSeries = (kind, strike, expiry) => listSeriesOf(ctx.api, ctx.alice, kind, strike, expiry);

const order = (market, side, price, size, kind) =>
  ctx.api.tx.orderbook.placeOrder(0, market, side, price, size, kind, false);

// The mark rounded up to the $1 tick.
const tickAbove = (mark) => ((mark + FIXED - 1n) / FIXED) * FIXED;

async function chainNow() {
  return (await ctx.api.query.timestamp.now()).toNumber();
}

// Options' traders are funded by Dave (a dev account like Alice, a million USDC): the other
// files share Alice's.
let funder;

before(async () => {
  ctx = await connect();
  funder = new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri('//Dave');
  await pinBtcFlatSmile(ctx.api);
});
after(async () => {
  await restoreBtcFeed(ctx?.api);
  await ctx?.api.disconnect();
});

test('the chain prices a series by Black-76 from its own inputs, to 1e-6', { timeout: 120_000 }, async () => {
  const { api } = ctx;
  const expiry = (await chainNow()) + 7 * DAY_MS;
  const put = await listSeries('Put', 58000, expiry);
  const call = await listSeries('Call', 62000, expiry);
  const chain = await api.call.optionsApi.chain(BTC, expiry);
  assert.deepEqual(chain.map((row) => row.series.market.toNumber()).sort(), [put, call].sort());
  for (const row of chain) {
    const view = row.series;
    const years = (view.terms.expiry.toNumber() - view.pricedAt.toNumber()) / YEAR_MS;
    const expected = black76(
      view.terms.kind.type,
      toNumber(view.index.toBigInt()),
      toNumber(view.terms.strike.toBigInt()),
      toNumber(view.volatility.toBigInt()),
      years,
      toNumber(view.rate.toBigInt()),
    );
    const mark = toNumber(view.mark.toBigInt());
    assert.ok(Math.abs(mark - expected) <= 1e-6 * expected, `${view.terms.kind.type}: chain ${mark}, Black-76 ${expected}`);
    // The flat smile's 60% (or the DVOL's, before the first smile of a new expiry).
    assert.ok(Math.abs(toNumber(view.volatility.toBigInt()) - 0.6) < 1e-9, `${view.volatility}`);
    // A put's delta is negative, a call's positive; both have positive gamma and vega.
    const delta = Number(view.delta.toBigInt()) / 1e18;
    assert.ok(view.terms.kind.type === 'Put' ? delta < 0 && delta > -1 : delta > 0 && delta < 1);
    assert.ok(view.gamma.toBigInt() > 0n && view.vega.toBigInt() > 0n);
  }
});

// The oracle's smile points, ln(K / F), as the runtime fixes them.
const SMILE_POINTS = [-0.3, -0.15, -0.05, 0, 0.05, 0.15, 0.3];

// σ at log-moneyness `k` on a smile quoted at SMILE_POINTS: variance linear between the
// points around it, flat beyond the ends.
function smileIv(ivs, k) {
  if (k <= SMILE_POINTS[0]) return ivs[0];
  for (let i = 1; i < SMILE_POINTS.length; i++) {
    if (k <= SMILE_POINTS[i]) {
      const along = (k - SMILE_POINTS[i - 1]) / (SMILE_POINTS[i] - SMILE_POINTS[i - 1]);
      return Math.sqrt(ivs[i - 1] ** 2 * (1 - along) + ivs[i] ** 2 * along);
    }
  }
  return ivs[ivs.length - 1];
}

test('each strike is priced at its own volatility, off the smile the feeders read from the option book summary', { timeout: 120_000 }, async () => {
  const { api } = ctx;
  // The simulator's smile: DVOL − 40·k + 200·k² (percent).
  await feed('/control/vol', { asset: 'BTC', volatility: '60', skew: '-40', curvature: '200' });
  const simulated = (k) => (60 - 40 * k + 200 * k * k) / 100;
  try {
    const expiry = (await chainNow()) + 7 * DAY_MS;
    const put = await listSeries('Put', 54000, expiry);
    const call = await listSeries('Call', 66000, expiry);
    // The feeders find the new expiry listed and feed its smile; the chain aggregates it.
    let smile = null;
    for (let waited = 0; waited < 30 && smile === null; waited++) {
      // BTC's smiles, one entry by expiry.
      const stored = (await api.query.oracle.surfaces(BTC)).find(([at]) => at.toNumber() === expiry);
      if (stored && !stored[1].stale.isTrue && !stored[1].flagged.isTrue) {
        smile = stored[1].smile.map((point) => toNumber(point.toBigInt()));
      } else {
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
    assert.ok(smile !== null, 'a fresh smile for the new expiry within 30 s');
    // Each point is the simulator's smile there, read between its strikes (2% apart) and
    // rounded to Deribit's two decimals: within a tenth of a volatility point.
    SMILE_POINTS.forEach((k, i) => {
      assert.ok(Math.abs(smile[i] - simulated(k)) < 0.001, `at k = ${k}: chain ${smile[i]}, simulator ${simulated(k)}`);
    });
    const views = await Promise.all([put, call].map(async (market) => (await api.call.optionsApi.greeks(market)).unwrap()));
    for (const view of views) {
      const k = Math.log(toNumber(view.terms.strike.toBigInt()) / toNumber(view.index.toBigInt()));
      const volatility = toNumber(view.volatility.toBigInt());
      assert.ok(Math.abs(volatility - smileIv(smile, k)) < 1e-9, `${view.terms.kind.type}: ${volatility} vs ${smileIv(smile, k)}`);
      const years = (view.terms.expiry.toNumber() - view.pricedAt.toNumber()) / YEAR_MS;
      const expected = black76(view.terms.kind.type, toNumber(view.index.toBigInt()),
        toNumber(view.terms.strike.toBigInt()), volatility, years, toNumber(view.rate.toBigInt()));
      const mark = toNumber(view.mark.toBigInt());
      assert.ok(Math.abs(mark - expected) <= 1e-6 * expected, `${view.terms.kind.type}: chain ${mark}, Black-76 ${expected}`);
    }
    // The skew: the put 10% down is dearer in volatility than the call 10% up, and both
    // differ from the 60% volatility index.
    const [putVol, callVol] = views.map((view) => toNumber(view.volatility.toBigInt()));
    assert.ok(putVol > callVol + 0.05 && callVol < 0.6 && putVol > 0.6, `put ${putVol}, call ${callVol}`);
  } finally {
    await feed('/control/vol', { asset: 'BTC', volatility: '60', skew: '0', curvature: '0' });
  }
});

test('a protective put is paid in full; a covered call is margined per leg', { timeout: 180_000 }, async () => {
  const { api } = ctx;
  const expiry = (await chainNow()) + 7 * DAY_MS;
  const put = await listSeries('Put', 57000, expiry);
  const call = await listSeries('Call', 63000, expiry);
  const size = SATS / 10n; // 0.1 BTC a contract… 0.1 of one

  // Enough for 0.1 BTC of each: the other files share Alice's USDC.
  const writer = ctx.fresh();
  await fundTrader(api, funder, writer, 5_000n * UNIT);
  const hedger = ctx.fresh();
  await fundTrader(api, funder, hedger, 8_000n * UNIT);

  // The writer offers the put at its mark (a short: margined per leg).
  const putView = (await api.call.optionsApi.greeks(put)).unwrap();
  const putPrice = tickAbove(putView.mark.toBigInt());
  await ok(order(put, 'Sell', putPrice, size, 'Limit'), writer, 'the writer offers the put');

  // The hedger holds 0.1 BTC long on the perpetual and buys the put against it.
  await ok(order(BTC_USD, 'Sell', usd(60000), size, 'Limit'), writer, 'the writer offers BTC');
  await ok(order(BTC_USD, 'Buy', usd(60000), size, 'ImmediateOrCancel'), hedger, 'the hedger buys BTC');
  // Whatever of it another file's ask took instead, nothing of the writer's is left to meet
  // its own bid later.
  await ok(api.tx.orderbook.cancelAll(0, BTC_USD), writer, 'the writer clears its BTC orders');
  const bought = await ok(order(put, 'Buy', putPrice, size, 'ImmediateOrCancel'), hedger, 'the hedger buys the put');
  // Before and after, in the blocks around the purchase (the same prices).
  const atBuy = await api.at(bought);
  const before = await (await api.at((await api.rpc.chain.getHeader(bought)).parentHash)).call.marginApi.accountHealth(hedger.address, 0);
  const positions = await atBuy.call.marginApi.positions(hedger.address, 0);
  const held = Object.fromEntries(positions.map((p) => [p.market.toNumber(), p.baseSize.toBigInt()]));
  assert.equal(held[put], size);
  // The long put needs its mark in full at initial margin, nothing at maintenance.
  const after = (await atBuy.call.marginApi.accountHealth(hedger.address, 0)).unwrap();
  const longMark = (await atBuy.call.optionsApi.greeks(put)).unwrap().mark.toBigInt();
  const putValue = (longMark * size / SATS + 10n ** 12n - 1n) / 10n ** 12n;
  const initialGrowth = after.initialRequirement.toBigInt() - before.unwrap().initialRequirement.toBigInt();
  assert.ok(initialGrowth >= putValue - 1_000n && initialGrowth <= putValue + 1_000n, `initial grew by ${initialGrowth}, the put is worth ${putValue}`);
  assert.equal(after.maintenanceRequirement.toBigInt(), before.unwrap().maintenanceRequirement.toBigInt());
  // Net Greeks over the option legs: 0.1 of the put's delta (the perpetual is not a leg).
  const greeks = (await atBuy.call.optionsApi.portfolio(hedger.address, 0)).unwrap();
  const putDelta = (await atBuy.call.optionsApi.greeks(put)).unwrap().delta.toBigInt();
  assert.equal(greeks.legs.toNumber(), 1);
  const expectedDelta = putDelta / 10n;
  assert.ok(greeks.delta.toBigInt() - expectedDelta <= 2n && expectedDelta - greeks.delta.toBigInt() <= 2n,
    `net delta ${greeks.delta.toBigInt()}, 0.1 × the put's ${putDelta}`);

  // The writer sells the call against a long 0.1 BTC: the short call's requirement per leg is
  // 15% less OTM (at least 10%) of the index plus its mark.
  await ok(order(BTC_USD, 'Sell', usd(60000), size, 'Limit'), hedger, 'BTC offered');
  await ok(order(BTC_USD, 'Buy', usd(60000), size, 'ImmediateOrCancel'), writer, 'the writer buys BTC');
  await ok(api.tx.orderbook.cancelAll(0, BTC_USD), hedger, 'the hedger clears its BTC orders');
  const callView = (await api.call.optionsApi.greeks(call)).unwrap();
  const callPrice = tickAbove(callView.mark.toBigInt());
  await ok(order(call, 'Buy', callPrice, size, 'Limit'), hedger, 'a bid for the call');
  const sold = await ok(order(call, 'Sell', callPrice, size, 'ImmediateOrCancel'), writer, 'the writer sells the call');
  const atSale = await api.at(sold);
  const parent = await api.at((await api.rpc.chain.getHeader(sold)).parentHash);
  const writerBefore = (await parent.call.marginApi.accountHealth(writer.address, 0)).unwrap();
  const writerAfter = (await atSale.call.marginApi.accountHealth(writer.address, 0)).unwrap();
  const now = (await atSale.call.optionsApi.greeks(call)).unwrap();
  const shortInitial = (now.shortInitial.toBigInt() * size / SATS + 10n ** 12n - 1n) / 10n ** 12n;
  const grown = writerAfter.initialRequirement.toBigInt() - writerBefore.initialRequirement.toBigInt();
  // Within $0.001: a second of the writer's short put's time decay lies between the blocks.
  assert.ok(grown >= shortInitial - 1_000n && grown <= shortInitial + 1_000n, `initial grew by ${grown}, a short call needs ${shortInitial}`);
  assert.ok(now.shortInitial.toBigInt() >= now.mark.toBigInt() + usd(6000), 'at least 10% of $60,000 beyond the mark');
  assert.equal(writerAfter.liquidatable.isTrue, false);
});

test('a protective put and a covered call pay out at expiry to the unit, settled by the chain', { timeout: 300_000 }, async () => {
  const { api } = ctx;
  // BTC at $58,000 through the whole settlement window (a minute on dev).
  await feed('/control/set', { asset: 'BTC', price: '58000' });
  await waitForIndex(api, BTC, usd(58000));
  // Every account funded first: after the listings, only the trades stand between now and
  // expiry.
  const writer = ctx.fresh();
  await fundTrader(api, funder, writer, 3_500n * UNIT);
  const hedger = ctx.fresh();
  await fundTrader(api, funder, hedger, 1_500n * UNIT);
  const maker = ctx.fresh();
  await fundTrader(api, funder, maker, 400n * UNIT);
  // The dev window is a minute; a minute more leaves room for the listings and the trades.
  // Off the dev schedule's ten-minute expiries, whose ladders may hold these strikes.
  let expiry = (await chainNow()) + 120_000;
  if (expiry % 600_000 === 0) expiry += 1_000;
  const put = await listSeries('Put', 60000, expiry);
  const call = await listSeries('Call', 57000, expiry);
  assert.equal((await api.call.marginApi.marketStatus(put)).unwrap().type, 'Active');
  const size = SATS / 10n;
  const premium = async (series) => tickAbove((await api.call.optionsApi.greeks(series)).unwrap().mark.toBigInt());
  // The hedger buys a protective put from the writer.
  const putPrice = await premium(put);
  await ok(order(put, 'Sell', putPrice, size, 'Limit'), writer, 'the writer offers the put');
  await ok(order(put, 'Buy', putPrice, size, 'ImmediateOrCancel'), hedger, 'the hedger buys it');
  // The writer covers a call: long 0.1 BTC on the perpetual, short 0.1 of the call.
  await ok(order(BTC_USD, 'Sell', usd(58000), size, 'Limit'), hedger, 'BTC offered');
  await ok(order(BTC_USD, 'Buy', usd(58000), size, 'ImmediateOrCancel'), writer, 'the writer buys BTC');
  await ok(api.tx.orderbook.cancelAll(0, BTC_USD), hedger, 'the hedger clears its BTC orders');
  const callPrice = await premium(call);
  await ok(order(call, 'Sell', callPrice, size, 'Limit'), writer, 'the writer offers the call');
  await ok(order(call, 'Buy', callPrice, size, 'ImmediateOrCancel'), hedger, 'the hedger buys it');
  const cash = async (who) => {
    const view = await api.call.vaultsApi.collateral(who.address, 0);
    const usdc = view.assets.find((a) => a.asset.toNumber() === 1);
    return usdc ? usdc.amount.toBigInt() : 0n;
  };
  const [hedgerBefore, writerBefore] = [await cash(hedger), await cash(writer)];
  const writerHealth = (await api.call.marginApi.accountHealth(writer.address, 0)).unwrap();
  assert.equal(writerHealth.liquidatable.isTrue, false, 'the covered call is margined per leg beside the rest');

  // A maker's bid still rests at expiry: the chain cancels it and frees its margin.
  const bid = await submit(api, order(put, 'Buy', putPrice - 5n * FIXED, size, 'Limit'), maker);
  assert.equal(bid.error, null, 'the maker bids');
  const bidId = bid.events.find(({ event }) => api.events.orderbook.OrderPlaced.is(event)).event.data.id.toBigInt();
  assert.ok(await chainNow() < expiry - 60_000, 'the trades landed before the settlement window');
  const orderMargin = async () => (await api.call.marginApi.accountHealth(maker.address, 0)).unwrap().initialRequirement.toBigInt();
  assert.ok(await orderMargin() > 0n);

  // Expiry: trading stops, the window's average settles the series, the positions settle,
  // the bid is cancelled and the series is delisted, all with no call from the test.
  const settled = waitForEvent(api, (e) => api.events.options.ExpirySettled.is(e) && e.data.expiry.toNumber() === expiry, 200);
  const cancelled = waitForEvent(api, (e) => api.events.orderbook.OrderCancelled.is(e) &&
    e.data.id.toBigInt() === bidId && e.data.reason.type === 'SeriesExpired', 220);
  const delisted = waitForEvent(api, (e) => api.events.options.SeriesDelisted.is(e) && e.data.market.toNumber() === put, 240);
  const callDelisted = waitForEvent(api, (e) => api.events.options.SeriesDelisted.is(e) && e.data.market.toNumber() === call, 240);
  const { hash, event } = await settled;
  assert.equal(event.data.price.toBigInt(), usd(58000));
  assert.equal((await (await api.at(hash)).call.marginApi.marketStatus(put)).unwrap().type, 'Halted');
  await cancelled;
  await delisted;
  await callDelisted;
  const holds = async (who) =>
    (await api.call.marginApi.positions(who.address, 0)).some((p) => [put, call].includes(p.market.toNumber()));
  assert.equal(await holds(hedger), false);
  assert.equal(await holds(writer), false);
  // The put: $2,000 a contract × 0.1; the call: $1,000 × 0.1. $300, to the unit, from the
  // writer to the hedger; the writer's perpetual stays.
  assert.equal(await cash(hedger) - hedgerBefore, 300n * UNIT);
  assert.equal(writerBefore - await cash(writer), 300n * UNIT);
  const perpetual = (await api.call.marginApi.positions(writer.address, 0)).find((p) => p.market.toNumber() === BTC_USD);
  assert.equal(perpetual.baseSize.toBigInt(), size);
  assert.equal(await orderMargin(), 0n, "the bid's margin is free");
  // The market is gone: nothing trades in it, nothing reads it.
  assert.ok((await api.call.marginApi.marketStatus(put)).isNone);
  assert.ok((await api.call.optionsApi.settlement(put)).isNone);
  const late = await submit(api, order(put, 'Buy', usd(1000), size, 'Limit'), hedger);
  assert.equal(late.error, 'orderbook.MarketNotFound');
});

test('a short put is liquidated by the chain\'s keeper when BTC falls and its volatility jumps', { timeout: 240_000 }, async () => {
  const { api } = ctx;
  await feed('/control/set', { asset: 'BTC', price: '60000' });
  await waitForIndex(api, BTC, usd(60000));
  const put = await listSeries('Put', 57000, (await chainNow()) + 7 * DAY_MS);
  const size = SATS / 10n;
  const view = (await api.call.optionsApi.greeks(put)).unwrap();
  const price = tickAbove(view.mark.toBigInt());
  // The writer holds $80 beyond the short's initial requirement of 0.1 contract.
  const needed = (view.shortInitial.toBigInt() * size / SATS) / 10n ** 12n;
  const writer = ctx.fresh();
  await fundTrader(api, funder, writer, needed + 80n * UNIT);
  await ok(order(put, 'Sell', price, size, 'Limit'), writer, 'the writer offers the put');
  const buyer = ctx.fresh();
  await fundTrader(api, funder, buyer, 400n * UNIT);
  await ok(order(put, 'Buy', price, size, 'ImmediateOrCancel'), buyer, 'the buyer takes it');
  assert.equal((await api.call.marginApi.accountHealth(writer.address, 0)).unwrap().liquidatable.isTrue, false);

  // BTC falls 3% (a move the perpetuals' accounts of other files ride out) and its implied
  // volatility jumps from 60% to 90%, as it does in a sell-off; nobody calls anything.
  const liquidated = waitForEvent(api, (event) =>
    api.events.liquidation.Liquidated.is(event) && event.data.subaccount.owner.toString() === writer.address, 120);
  await feed('/control/set', { asset: 'BTC', price: '58200' });
  await feed('/control/vol', { asset: 'BTC', volatility: '90' });
  await waitForIndex(api, BTC, usd(58200));
  await waitForIndex(api, BTC_VOL, 9n * FIXED / 10n, 60);
  const { hash } = await liquidated;
  // No offer rests in the put's book: the backstop took the short put over, whole.
  const events = (await (await api.at(hash)).query.system.events()).map((r) => r.event);
  const taken = events.find((e) => api.events.liquidation.TakenByBackstop.is(e) && e.data.subaccount.owner.toString() === writer.address);
  assert.ok(taken, 'the backstop took the put over');
  assert.equal(taken.data.market.toNumber(), put);
  const held = await api.call.marginApi.positions(writer.address, 0);
  assert.ok(!held.some((p) => p.market.toNumber() === put && p.baseSize.toBigInt() !== 0n), 'the short put is gone');
  const health = (await api.call.marginApi.accountHealth(writer.address, 0)).unwrap();
  assert.equal(health.liquidatable.isTrue, false, 'healthy after');
  assert.ok(health.equity.toBigInt() >= 0n, 'no debt left behind');

  // The backstop unwinds the put into an offer at the mark (within its slippage bound), so it
  // is left as it was for the other files: a market it cannot unwind would slow its others.
  const backstop = new Uint8Array(Buffer.concat([Buffer.from('modl'), Buffer.from('clr/liqd'), Buffer.alloc(20)]));
  const backstopPut = async () => {
    const views = await api.call.marginApi.positions(backstop, 0);
    const held = views.find((p) => p.market.toNumber() === put);
    return held ? held.baseSize.toBigInt() : 0n;
  };
  assert.equal(await backstopPut(), -size);
  const taker = ctx.fresh();
  await fundTrader(api, funder, taker, 1_500n * UNIT);
  const mark = (await api.call.optionsApi.greeks(put)).unwrap().mark.toBigInt();
  await ok(order(put, 'Sell', tickAbove(mark), size, 'Limit'), taker, 'an offer for the backstop');
  for (let i = 0; i < 30 && (await backstopPut()) !== 0n; i++) {
    await new Promise((r) => setTimeout(r, 1000));
  }
  assert.equal(await backstopPut(), 0n, 'the backstop bought the put back');
});

test('an expiry of 500 positions settles over bounded blocks, every token accounted for', { timeout: 600_000 }, async () => {
  const { api } = ctx;
  await feed('/control/set', { asset: 'BTC', price: '58000' });
  await waitForIndex(api, BTC, usd(58000));
  // One writer against 499 buyers, each its own subaccount: 8 accounts of up to 63.
  const HOLDERS = 500;
  const ACCOUNTS = 8;
  const PER_ACCOUNT = Math.ceil((HOLDERS - 1) / ACCOUNTS);
  const size = SATS / 1000n; // 0.001 BTC: $2.000000 at a $2,000 payout, no rounding.
  const writer = ctx.fresh();
  await fundTrader(api, funder, writer, 8_000n * UNIT);
  // Each account's transactions go out back to back, numbered by the test.
  const pipelined = async (account, txs) => {
    let nonce = (await api.rpc.system.accountNextIndex(account.address)).toNumber();
    const results = await Promise.all(txs.map((tx) => submit(api, tx, account, { nonce: nonce++ })));
    return results.map((r) => r.error);
  };
  const buyers = Array.from({ length: ACCOUNTS }, () => ctx.fresh());
  const funding = await pipelined(funder, buyers.flatMap((account) => [
    api.tx.balances.transferKeepAlive(account.address, 100n * 10n ** 12n),
    // $5 a subaccount, and $1,000 that stays (deposits keep the account alive).
    api.tx.assets.transfer(1, account.address, BigInt(PER_ACCOUNT) * 5n * UNIT + 1_000n * UNIT),
  ]));
  assert.deepEqual(funding.filter((e) => e !== null), [], 'every buyer account is funded');
  const holders = [];
  for (let i = 0; i < HOLDERS - 1; i++) holders.push({ account: buyers[i % ACCOUNTS], number: Math.floor(i / ACCOUNTS) });
  const deposits = await Promise.all(buyers.map((account) => pipelined(account,
    holders.filter((h) => h.account === account).map((h) => api.tx.vaults.deposit(h.number, 1, 5n * UNIT)))));
  assert.deepEqual(deposits.flat().filter((e) => e !== null), [], 'every buyer subaccount is funded');

  // Three minutes out, off the dev schedule's ten-minute expiries.
  let expiry = (await chainNow()) + 180_000;
  if (expiry % 600_000 === 0) expiry += 1_000;
  const put = await listSeries('Put', 60000, expiry);
  const price = tickAbove((await api.call.optionsApi.greeks(put)).unwrap().mark.toBigInt()) + 5n * FIXED;
  await ok(order(put, 'Sell', price, size * BigInt(HOLDERS - 1), 'Limit'), writer, 'the writer offers 499 contracts');
  const buys = await Promise.all(buyers.map((account) => pipelined(account,
    holders.filter((h) => h.account === account).map((h) =>
      api.tx.orderbook.placeOrder(h.number, put, 'Buy', price, size, 'ImmediateOrCancel', false)))));
  assert.deepEqual(buys.flat().filter((e) => e !== null), [], 'every buyer bought');
  assert.equal((await api.query.margin.seriesHolders(put)).toNumber(), HOLDERS, '500 positions in the series');
  assert.ok(await chainNow() < expiry, 'every trade landed before expiry');

  const all = [{ account: writer, number: 0 }, ...holders];
  const cash = async (at, { account, number }) => {
    const view = await at.call.vaultsApi.collateral(account.address, number);
    const usdc = view.assets.find((a) => a.asset.toNumber() === 1);
    return usdc ? usdc.amount.toBigInt() : 0n;
  };
  // Read at one block before expiry: nothing has settled yet.
  const tradedAt = await api.at(await api.rpc.chain.getBlockHash());
  assert.ok((await tradedAt.query.timestamp.now()).toNumber() < expiry);
  const before = await Promise.all(all.map((h) => cash(tradedAt, h)));
  let next = (await api.rpc.chain.getHeader()).number.toNumber() + 1;

  // Expiry: the chain settles every position by itself, a bounded batch a block.
  const perBlock = api.consts.options.maxSettlementsPerBlock.toNumber();
  const settledIn = new Map();
  let settled = 0;
  let paid = 0n;
  // Every block from the trades on, by number (a subscription may skip heads).
  const last = next + 400;
  while (settled < HOLDERS && next <= last) {
    const head = (await api.rpc.chain.getHeader()).number.toNumber();
    if (next > head) { await new Promise((r) => setTimeout(r, 500)); continue; }
    const hash = await api.rpc.chain.getBlockHash(next);
    for (const event of await eventsAt(api, hash)) {
      if (api.events.margin.SeriesPositionSettled.is(event) && event.data.market.toNumber() === put) {
        settled += 1;
        paid += event.data.amount.toBigInt();
        settledIn.set(next, (settledIn.get(next) ?? 0) + 1);
      }
    }
    next += 1;
  }
  assert.equal(settled, HOLDERS);
  const batches = [...settledIn.values()];
  assert.ok(batches.every((n) => n <= perBlock), `at most ${perBlock} a block: ${batches}`);
  assert.ok(batches.length >= Math.ceil(HOLDERS / perBlock), `over ${batches.length} blocks`);
  // $2 a contract-thousandth, 499 buyers paid by the writer: zero-sum, nothing minted or lost.
  assert.equal(paid, 0n, 'the payments sum to nothing');
  const after = await Promise.all(all.map((h) => cash(api, h)));
  const changes = after.map((value, i) => value - before[i]);
  assert.equal(changes[0], -2n * UNIT * BigInt(HOLDERS - 1), 'the writer pays $2 per buyer');
  assert.ok(changes.slice(1).every((c) => c === 2n * UNIT), 'each buyer is paid $2');
  assert.equal(changes.reduce((sum, c) => sum + c, 0n), 0n, 'tokens conserved');
  assert.equal((await api.query.margin.seriesHolders(put)).toNumber(), 0);
});
