// The oracle end to end: the dev node's offchain feeder reads the local price feed
// (scripts/price-feed) and its prices reach the chain by themselves, free of fees; a price
// change reaches the chain within a few blocks; a jump is clamped and flagged; non-feeders
// are refused by the pool; the index's realized volatility is kept and read annualized.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect, feed } from './helpers.js';

const BTC = 2;
const ETH = 3;
const DOT = 4;
const UNIT = 10n ** 18n; // FixedU128 accuracy

let ctx;
before(async () => { ctx = await connect(); });
after(async () => { await ctx?.api.disconnect(); });

// Decimal string → FixedU128 inner value, exactly.
function fixed(text) {
  const [whole, fraction = ''] = text.split('.');
  return BigInt(whole) * UNIT + BigInt((fraction + '0'.repeat(18)).slice(0, 18));
}

async function quote(asset) {
  const q = await ctx.api.call.oracleApi.price(asset);
  return q.isSome ? q.unwrap() : null;
}

// Resolves with the block number at which `check(quote)` first holds, polling each new block.
function waitForQuote(asset, check, maxBlocks) {
  return new Promise((resolve, reject) => {
    let start = null;
    let unsub = () => {};
    ctx.api.rpc.chain.subscribeNewHeads(async (header) => {
      const n = header.number.toNumber();
      start ??= n;
      const q = await quote(asset);
      if (q && check(q)) { unsub(); resolve({ block: n, waited: n - start, quote: q }); }
      else if (n - start > maxBlocks) { unsub(); reject(new Error(`not within ${maxBlocks} blocks; last quote ${q && JSON.stringify(q.toJSON())}`)); }
    }).then((u) => { unsub = u; }, reject);
  });
}

test('prices from the feed reach the chain by themselves and track it', async () => {
  const { quote: q } = await waitForQuote(BTC, (q) => q.status.isFresh, 30);
  const state = await feed('/control/state');
  const market = fixed(state.prices.BTC);
  const onChain = q.price.toBigInt();
  // The walk moves ~0.05% a second and the chain is a couple of blocks behind.
  const gap = onChain > market ? onChain - market : market - onChain;
  assert.ok(gap * 100n < market, `chain ${onChain} vs feed ${market}`);
  const all = await ctx.api.call.oracleApi.prices();
  const assets = all.map(([asset]) => asset.toNumber()).sort((a, b) => a - b);
  // CLR (0) too: test chains read it from the local feed, to value it as collateral; and
  // BTC's and ETH's implied volatilities (Deribit's DVOL, option marks read them).
  assert.deepEqual(assets, [0, BTC, ETH, DOT, 1002, 1003]);
});

test('a price set at the feed is on chain, exactly, within a few blocks', async () => {
  const current = (await quote(BTC)).price.toBigInt();
  // +3%, inside the 10% jump limit; one decimal, which every exchange format shows exactly.
  const text = `${(current * 103n) / 100n / UNIT}.5`;
  await feed('/control/set', { asset: 'BTC', price: text });
  const { waited, quote: q } = await waitForQuote(BTC, (q) => q.price.toBigInt() === fixed(text), 8);
  assert.ok(waited <= 5, `took ${waited} blocks`);
  assert.ok(q.status.isFresh);
});

test('a jump beyond the limit is clamped and flagged, then followed', async () => {
  const before = (await quote(BTC)).price.toBigInt();
  await feed('/control/set', { asset: 'BTC', price: `${(before * 3n) / 2n / UNIT}` }); // +50%
  const { quote: first } = await waitForQuote(BTC, (q) => q.price.toBigInt() !== before, 8);
  assert.ok(first.status.isFlagged, `status ${first.status.type}`);
  assert.equal(first.price.toBigInt(), before + before / 10n, 'the first step is exactly the 10% limit');
  // The feeds keep confirming the new level; the flag clears once the price catches up.
  await waitForQuote(BTC, (q) => q.status.isFresh, 20);
});

test('feeds are free for the feeder, and a non-feeder is refused by the pool', async () => {
  const { api, bob } = ctx;
  // Find a recent block with a feed and check that no fee was charged for it.
  let found = false;
  let hash = await api.rpc.chain.getBlockHash();
  for (let i = 0; i < 5 && !found; i++) {
    const events = await (await api.at(hash)).query.system.events();
    const fed = events.find(({ event }) => api.events.oracle.PricesFed.is(event));
    if (fed) {
      found = true;
      assert.ok(events.some(({ event }) => api.events.skipFeelessPayment.FeeSkipped.is(event)), 'FeeSkipped');
      assert.ok(!events.some(({ event }) => api.events.transactionPayment.TransactionFeePaid.is(event)
        && event.data[0].eq(fed.event.data[0])), 'the feeder paid no fee');
    }
    hash = (await api.rpc.chain.getHeader(hash)).parentHash;
  }
  assert.ok(found, 'a feed in one of the last five blocks');

  const tx = api.tx.oracle.feedPrices([[BTC, 1n * UNIT]]);
  await assert.rejects(tx.signAndSend(bob, { nonce: -1 }), /Invalid Transaction.*Custom error: 1/);
});

test('the realized volatility of a walking price is kept and read annualized', async () => {
  const { api } = ctx;
  // Samples a minute apart: the feed's random walk gives a second sample a return.
  let vol = null;
  for (let waited = 0; waited < 150; waited++) {
    const read = await api.call.oracleApi.realizedVolatility(BTC);
    if (read.isSome && read.unwrap().toBigInt() > 0n) { vol = read.unwrap().toBigInt(); break; }
    await new Promise((done) => setTimeout(done, 1000));
  }
  assert.ok(vol !== null, 'BTC has a realized volatility within 150 s');
  // Annualized: a walk of small steps reads as a fraction, not as a per-minute variance.
  const fraction = Number(vol) / 1e18;
  assert.ok(fraction > 0 && fraction < 100, `an annual volatility of ${fraction}`);
  // An asset the oracle does not price has none.
  assert.ok((await api.call.oracleApi.realizedVolatility(99)).isNone);
});
