// Options listed by schedule on the dev chain: BTC lists a ladder of calls and puts every ten
// minutes by itself; the risk council gives ETH a schedule, which waits out the timelock and
// then lists by itself, and takes it away again at once (removing one lowers risk).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect, councilDecide, blockNumbered, eventsAt } from './helpers.js';

const BTC = 2;
const ETH = 3;
const BTC_USD = 0;
const ETH_USD = 1;
const FIXED = 10n ** 18n;
const TEN_MINUTES = 600_000;
let ctx;

before(async () => { ctx = await connect(); });
after(async () => { await ctx?.api.disconnect(); });

async function chainNow() {
  return (await ctx.api.query.timestamp.now()).toNumber();
}

// The ten-minute expiry the dev schedules list now: the first a settlement window (a
// minute) or more ahead.
async function scheduledExpiry() {
  const window = (await ctx.api.query.options.params()).settlementWindowMs.toNumber();
  return Math.ceil(((await chainNow()) + window) / TEN_MINUTES) * TEN_MINUTES;
}

// Resolves with `underlying`'s chain for `expiry` once it holds `rows` series (within
// `maxBlocks` blocks).
async function chainOf(underlying, expiry, rows, maxBlocks) {
  for (let seen = 0; seen <= maxBlocks; seen++) {
    const chain = await ctx.api.call.optionsApi.chain(underlying, expiry);
    if (chain.length >= rows) return chain;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  throw new Error(`${rows} series of asset ${underlying} expiring at ${expiry} not listed`);
}

// `asset`'s index now, in dollars.
async function indexOf(asset) {
  return Number((await ctx.api.call.oracleApi.price(asset)).unwrap().price.toBigInt() / FIXED);
}

// Strike (whole dollars) and kind of every row, sorted.
const ladder = (chain) => chain
  .map((row) => [Number(row.series.terms.strike.toBigInt() / FIXED), row.series.terms.kind.type])
  .sort((a, b) => a[0] - b[0] || a[1].localeCompare(b[1]));

test('BTC lists calls and puts at three strikes around the index for each ten-minute expiry', { timeout: 120_000 }, async () => {
  const { api } = ctx;
  const schedule = (await api.query.options.listingSchedules(BTC_USD)).unwrap().schedule;
  assert.equal(schedule.cycles[0].periodMs.toNumber(), TEN_MINUTES);
  const expiry = await scheduledExpiry();
  const chain = await chainOf(BTC, expiry, 6, 60);
  const rows = ladder(chain);
  const strikes = [...new Set(rows.map(([strike]) => strike))];
  assert.equal(strikes.length, 3);
  assert.deepEqual(strikes, [strikes[1] - 1_000, strikes[1], strikes[1] + 1_000]);
  assert.deepEqual(rows.map(([, kind]) => kind), ['Call', 'Put', 'Call', 'Put', 'Call', 'Put']);
  // Around the index when it listed (it has walked since, a little).
  const index = await indexOf(BTC);
  assert.ok(Math.abs(strikes[1] - index) <= index / 10, `centred at ${strikes[1]}, index ${index}`);
  // Each strike's call and put are priced from the same inputs: put-call parity (no rate
  // on dev), C − P = S − K, to 1e-6 of the index. (Minutes from expiry, the strikes away
  // from the index are worth nothing but their intrinsic value.)
  for (const strike of strikes) {
    const pair = chain.filter((row) => Number(row.series.terms.strike.toBigInt() / FIXED) === strike);
    const call = pair.find((row) => row.series.terms.kind.type === 'Call').series;
    const put = pair.find((row) => row.series.terms.kind.type === 'Put').series;
    assert.equal(call.index.toBigInt(), put.index.toBigInt());
    const gap = (call.mark.toBigInt() - put.mark.toBigInt()) - (call.index.toBigInt() - BigInt(strike) * FIXED);
    const tolerance = call.index.toBigInt() / 1_000_000n;
    assert.ok(gap <= tolerance && -gap <= tolerance, `parity at ${strike}: off by ${gap}`);
  }
  for (const row of chain) {
    assert.equal((await api.call.marginApi.marketStatus(row.series.market)).unwrap().type, 'Active');
  }
});

test('the risk council gives ETH a schedule after the timelock, and takes it away at once', { timeout: 240_000 }, async () => {
  const { api } = ctx;
  const decide = (change) => councilDecide(api, [ctx.alice, ctx.bob], api.tx.governance.propose(change));
  const schedule = {
    cycles: [{ periodMs: TEN_MINUTES, offsetMs: 0 }],
    strikeStep: 100n * FIXED,
    // One strike (a call and a put): the dev chain's series slots are shared with other files.
    strikesEachSide: 0,
    tickSize: FIXED / 100n,
    maxOpenInterest: 10n * FIXED,
  };
  const set = await decide({ SetListingSchedule: { underlying: ETH_USD, schedule } });
  assert.equal(set.error, null);
  const event = (await eventsAt(api, set.blockHash)).find((e) => api.events.governance.ChangeScheduled.is(e));
  assert.ok(event, 'a schedule raises risk: it is scheduled, not enacted');
  const enactAt = event.data.enactAt.toNumber();
  const timelock = (await api.query.governance.timelock()).toNumber();
  const lastBefore = await blockNumbered(api, enactAt - 1, timelock + 20);
  assert.ok((await (await api.at(lastBefore)).query.options.listingSchedules(ETH_USD)).isNone);
  await blockNumbered(api, enactAt, 20);

  // Enacted: ETH lists its next expiry by itself, one strike around its index.
  const expiry = await scheduledExpiry();
  const rows = ladder(await chainOf(ETH, expiry, 2, 30));
  assert.equal(rows.length, 2);
  assert.equal(rows[0][0], rows[1][0]);
  const index = await indexOf(ETH);
  assert.ok(rows[0][0] % 100 === 0 && Math.abs(rows[0][0] - index) <= index / 10, `centred at ${rows[0][0]}, index ${index}`);

  // Removing it lowers risk: enacted in the block the council decides.
  const removed = await decide({ SetListingSchedule: { underlying: ETH_USD, schedule: null } });
  assert.equal(removed.error, null);
  const enacted = (await eventsAt(api, removed.blockHash)).find((e) => api.events.governance.ChangeEnacted.is(e));
  assert.ok(enacted, 'removed at once');
  assert.ok((await api.query.options.listingSchedules(ETH_USD)).isNone);
});
