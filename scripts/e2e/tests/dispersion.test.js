// Dispersion-aware margin on a real node: root (sudo on `dev`) registers two more BTC feeders
// beside the dev node's own; while one of them reports BTC 3% above the others, the oracle's
// index stays the median ($60,000) but keeps how far the feeds disagree, and every BTC
// perpetual's initial margin rises by the excess over 0.5% (`marginApi.marketMargin`, a
// holder's `accountHealth`); once it agrees again, both fall back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Keyring } from '@polkadot/api';
import { connect, submit, feed, fund, fundTrader, waitForIndex, sudo, waitUntil } from './helpers.js';

const BTC = 2;
const BTC_USD = 0;
const UNIT = 1_000_000n; // USDC
const FIXED = 10n ** 18n;
const SATS = 10n ** 8n;
const CLR = 10n ** 12n;
let ctx;
let funder;

const usd = (dollars) => BigInt(dollars) * FIXED;
const order = (side, size, kind) => ctx.api.tx.orderbook.placeOrder(0, BTC_USD, side, usd(60000), size, kind, false);

async function ok(tx, who, what) {
  const { error, blockHash } = await submit(ctx.api, tx, who);
  assert.equal(error, null, what);
  return blockHash;
}

// Until `stop()`, `feeders` each feed their BTC price every block (their prices read from
// `prices()` at each block).
function feedEveryBlock(feeders, prices) {
  let unsub = () => {};
  let running = true;
  const started = ctx.api.rpc.chain.subscribeNewHeads(async () => {
    if (!running) return;
    const now = prices();
    for (const [i, who] of feeders.entries()) {
      // Only once registered: the pool refuses anyone else's feed.
      if ((await ctx.api.query.oracle.feeders(who.address)).isNone) continue;
      ctx.api.tx.oracle.feedPrices([[BTC, now[i]]]).signAndSend(who, { nonce: -1 }).catch(() => {});
    }
  }).then((u) => { unsub = u; });
  return async () => { running = false; await started; unsub(); };
}

before(async () => {
  ctx = await connect();
  funder = new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri('//Dave');
  await feed('/control/set', { asset: 'BTC', price: '60000' });
  await waitForIndex(ctx.api, BTC, usd(60000));
});
after(async () => {
  await ctx?.api.disconnect();
});

test('disagreeing feeds raise a market\'s initial margin, and it falls back when they agree', { timeout: 240_000 }, async () => {
  const { api } = ctx;
  // A long of 0.1 BTC at $60,000: 5% initial ($300) while the feeds agree.
  const long = ctx.fresh();
  await fundTrader(api, funder, long, 2_000n * UNIT);
  const short = ctx.fresh();
  await fundTrader(api, funder, short, 2_000n * UNIT);
  await ok(order('Sell', SATS / 10n, 'Limit'), short, 'an ask');
  await ok(order('Buy', SATS / 10n, 'ImmediateOrCancel'), long, 'the long buys');
  await ok(api.tx.orderbook.cancelAll(0, BTC_USD), short, 'nothing left resting');
  const initial = async () => (await api.call.marginApi.accountHealth(long.address, 0)).unwrap().initialRequirement.toBigInt();
  const market = async () => (await api.call.marginApi.marketMargin(BTC_USD)).unwrap();
  const calm = await initial();
  assert.equal((await market()).dispersionAddOn.toNumber(), 0);

  const honest = ctx.fresh();
  const outlier = ctx.fresh();
  for (const who of [honest, outlier]) {
    await fund(api, ctx.alice, who, { clr: 10n * CLR, usdc: 0n });
  }
  // Each starts feeding as soon as it is a feeder (the pool refuses feeds before).
  let outlierPrice = usd(61800);
  const stop = feedEveryBlock([honest, outlier], () => [usd(60000), outlierPrice]);
  for (const who of [honest, outlier]) {
    await sudo(ctx.api, ctx.alice, api.tx.oracle.addFeeder(who.address), 'a feeder added');
  }
  try {
    // Three feeds, one 3% above: the index is the median, the spread 3%, 2.5% of the
    // notional ($150) more initial margin on the long.
    await waitUntil(ctx.api, async () => (await api.call.oracleApi.dispersion(BTC)).toNumber() === 30_000, 30);
    assert.equal((await api.call.oracleApi.price(BTC)).unwrap().price.toBigInt(), usd(60000));
    const shown = await market();
    assert.equal(shown.dispersion.toNumber(), 30_000);
    assert.equal(shown.dispersionAddOn.toNumber(), 25_000);
    assert.equal(await initial(), calm + 150n * UNIT);
    // The outlier agrees again: the spread and the add-on are gone.
    outlierPrice = usd(60000);
    await waitUntil(ctx.api, async () => (await api.call.oracleApi.dispersion(BTC)).toNumber() === 0, 30);
    assert.equal((await market()).dispersionAddOn.toNumber(), 0);
    assert.equal(await initial(), calm);
  } finally {
    await stop();
    for (const who of [honest, outlier]) {
      await sudo(ctx.api, ctx.alice, api.tx.oracle.removeFeeder(who.address), 'the feeder removed');
    }
  }
  // While the second feeder's first feed was on its way the quorum of two was short: BTC may
  // have gone stale for a block. Leave it fresh and trusted again for the files after.
  await waitUntil(ctx.api, async () => {
    const quote = (await api.call.oracleApi.price(BTC)).unwrap();
    return quote.status.isFresh && quote.freshStreak.toNumber() >= 5;
  }, 30);
  // The long closes.
  await ok(order('Buy', SATS / 10n, 'Limit'), short, 'a bid');
  await ok(api.tx.orderbook.placeOrder(0, BTC_USD, 'Sell', usd(60000), SATS / 10n, 'ImmediateOrCancel', true), long, 'the long closes');
});
