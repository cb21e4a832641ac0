// Attacks on the clearinghouse's solvency, run as an attacker would run them against the dev
// node with polkadot.js: each is refused by name, or ends with nobody in unpayable debt and
// nothing taken from anyone else. (../shared/ATTACKS.md is the checklist.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect, submit, feed, fund, fundTrader, councilDecide, blockNumbered, USDC } from './helpers.js';

const CLR_ID = 0;
const BTC = 2;
const BTC_USD = 0;
const CLR = 10n ** 12n;
const UNIT = 1_000_000n; // USDC
const FIXED = 10n ** 18n;
const SATS = 100_000_000n;
let ctx;
let mm;

const dollars = (cents) => BigInt(Math.round(cents)) * FIXED / 100n;

// Waits until the chain's index of `asset` is exactly `cents`/100 dollars, fresh, and has
// been for a few aggregates (what liquidation waits for).
function waitForPrice(asset, cents, maxBlocks = 30) {
  const want = dollars(cents);
  return new Promise((resolve, reject) => {
    let seen = 0;
    let unsub = () => {};
    ctx.api.rpc.chain.subscribeNewHeads(async () => {
      const q = await ctx.api.call.oracleApi.price(asset);
      if (q.isSome && q.unwrap().price.toBigInt() === want && q.unwrap().status.isFresh && q.unwrap().freshStreak.toNumber() >= 3) {
        unsub(); resolve();
      } else if (++seen > maxBlocks) { unsub(); reject(new Error(`asset ${asset} not at ${cents / 100} within ${maxBlocks} blocks`)); }
    }).then((u) => { unsub = u; }, reject);
  });
}

// Moves the feed's `name` to `cents`/100 dollars in steps within the oracle's jump limit.
async function moveTo(name, asset, path) {
  for (const cents of path) {
    await feed('/control/set', { asset: name, price: (cents / 100).toFixed(2) });
    await waitForPrice(asset, cents);
  }
}

const order = (side, price, size, kind, reduceOnly = false) =>
  ctx.api.tx.orderbook.placeOrder(0, BTC_USD, side, BigInt(price) * FIXED, size, kind, reduceOnly);

async function collateral(who, number = 0) {
  const view = await ctx.api.call.vaultsApi.collateral(who.address, number);
  return new Map(view.assets.map((a) => [a.asset.toNumber(), a.amount.toBigInt()]));
}

async function positionOf(who) {
  const views = await ctx.api.call.marginApi.positions(who.address, 0);
  const btc = views.find((p) => p.market.toNumber() === BTC_USD);
  return btc ? btc.baseSize.toBigInt() : 0n;
}

// Resolves with the events of the first block (within `maxBlocks`) in which `done()` holds.
function waitUntil(done, maxBlocks = 20) {
  return new Promise((resolve, reject) => {
    let seen = 0;
    let unsub = () => {};
    ctx.api.rpc.chain.subscribeNewHeads(async (header) => {
      if (await done()) {
        unsub();
        const at = await ctx.api.at(header.hash);
        resolve((await at.query.system.events()).map((r) => r.event));
      } else if (++seen > maxBlocks) { unsub(); reject(new Error(`not done within ${maxBlocks} blocks`)); }
    }).then((u) => { unsub = u; }, reject);
  });
}

// Pins the feed's BTC at `cents`/100 dollars and waits for the chain to follow.
async function pinBtc(cents) {
  await feed('/control/set', { asset: 'BTC', price: (cents / 100).toFixed(2) });
  await waitForPrice(BTC, cents);
}

async function ok(tx, who, what) {
  const { error } = await submit(ctx.api, tx, who);
  assert.equal(error, null, what);
}

before(async () => {
  ctx = await connect();
  mm = ctx.fresh();
  await fundTrader(ctx.api, ctx.alice, mm, 100_000n * UNIT);
  await feed('/control/set', { asset: 'CLR', price: '2.00' });
  await waitForPrice(CLR_ID, 200);
});
after(async () => {
  // Leave the book and the feed as the other tests expect them: no order of ours resting,
  // CLR back at $2 (in steps the oracle accepts), BTC at $60,000.
  if (ctx && mm) {
    for (const o of await ctx.api.call.orderbookApi.orders(mm.address, 0)) {
      await submit(ctx.api, ctx.api.tx.orderbook.cancelOrder(o.id), mm).catch(() => {});
    }
  }
  const clr = ctx ? (await ctx.api.call.oracleApi.price(CLR_ID)).unwrap().price.toBigInt() : 0n;
  if (clr < dollars(200)) {
    await moveTo('CLR', CLR_ID, [88, 96, 105, 115, 126, 138, 151, 166, 182, 200]
      .filter((cents) => dollars(cents) > clr)).catch(() => {});
  }
  await feed('/control/set', { asset: 'BTC', price: '60000' }).catch(() => {});
  await ctx?.api.disconnect();
});

test('walk away from debt: a flat debtor cannot take its CLR out, and when CLR falls the keeper settles it', { timeout: 600_000 }, async () => {
  const { api, alice } = ctx;
  await pinBtc(6_000_000);
  const mallory = ctx.fresh();
  await fund(api, alice, mallory, { clr: 1_000n * CLR, usdc: 1_000n * UNIT });
  await ok(api.tx.vaults.deposit(0, USDC, 100n * UNIT), mallory, 'USDC in');
  // 500 CLR at $2 count for at most $750 (the 25% floor; CLR's volatility may cut more):
  // with her $100, enough to stay above maintenance.
  await ok(api.tx.vaults.deposit(0, CLR_ID, 500n * CLR), mallory, 'CLR in');
  // Long 0.1 BTC at $60,000; BTC falls to $56,000; she sells: flat, $305.80 in debt
  // ($400 of loss and $5.80 of taker fees against her $100).
  await ok(order('Sell', 60_000, SATS / 10n, 'Limit'), mm, 'the ask');
  await ok(order('Buy', 60_000, SATS / 10n, 'ImmediateOrCancel'), mallory, 'the long');
  await pinBtc(5_600_000);
  await ok(order('Buy', 56_000, SATS / 10n, 'Limit'), mm, 'the bid');
  await ok(order('Sell', 56_000, SATS / 10n, 'ImmediateOrCancel'), mallory, 'the close');
  assert.equal(await positionOf(mallory), 0n);
  assert.equal((await collateral(mallory)).get(USDC), -305_800_000n);

  // The attack: take the CLR out, leaving the USDC debt to the other depositors.
  const { error } = await submit(api, api.tx.vaults.withdraw(0, CLR_ID, 500n * CLR), mallory);
  assert.equal(error, 'vaults.WouldBreachMargin');
  assert.equal((await collateral(mallory)).get(CLR_ID), 500n * CLR);

  // CLR falls to $0.80 (in steps the oracle accepts): 500 CLR count for $300, less than the
  // debt. Nobody calls anything: the validators' keeper finds the debtor and settles it.
  const settled = waitUntil(async () => (await collateral(mallory)).size === 0, 200);
  await moveTo('CLR', CLR_ID, [182, 166, 151, 138, 126, 115, 105, 96, 88, 80]);
  const events = await settled;
  const covered = events.find((e) => api.events.liquidation.BadDebtCovered.is(e));
  assert.ok(covered, 'the debt was settled by liquidation');
  assert.equal(covered.data.fromFund.toBigInt() + covered.data.fromBackstop.toBigInt(), 305_800_000n);
  assert.ok(covered.data.seized.toBigInt() > 0n, 'the CLR was seized');
  const health = (await api.call.marginApi.accountHealth(mallory.address, 0)).unwrap();
  assert.equal(health.equity.toBigInt(), 0n, 'nothing owed, nothing held');
});

// Submits `call` as a general (authorized, unsigned, fee-free) transaction, the way the keeper's
// offchain worker does: a v5 extrinsic with the transaction extensions' explicit parts
// (immortal era, nonce 0, no tip) and no signature. Resolves with the pool's answer.
function submitGeneral(call) {
  const general = ctx.api.registry.createType('GeneralExtrinsic', {
    payload: { method: call.method.toHex(), era: '0x00', nonce: 0, tip: 0 },
    transactionExtensionVersion: 0,
  });
  // Sent as raw bytes: polkadot.js's own `author.submitExtrinsic` re-encodes as a v4 extrinsic.
  return ctx.api._rpcCore.provider.send('author_submitExtrinsic', [general.toHex()]);
}

test('pick who is deleveraged: a keeper transaction no current keeper signed is invalid in the pool', async () => {
  const { api } = ctx;
  const attacker = ctx.fresh();
  const victimKey = ctx.fresh();
  const victim = { owner: victimKey.address, number: 0 };
  const chosen = [{ owner: mm.address, number: 0 }]; // the account she wants deleveraged
  const now = (await api.rpc.chain.getHeader()).number.toNumber();
  const validUntil = now + 3; // the longest a keeper's proof may run
  const keeper = (await api.query.aura.authorities())[0]; // the dev chain's keeper key
  const signature = attacker.sign(new TextEncoder().encode('liquidate'));
  const forgeries = [
    // Her own key, which is not a keeper's.
    [{ keeper: attacker.publicKey, validUntil, signature }, /Invalid signing address/],
    // The keeper's key named, her signature.
    [{ keeper, validUntil, signature }, /Transaction has a bad signature/],
  ];
  for (const [proof, refusal] of forgeries) {
    await assert.rejects(submitGeneral(api.tx.liquidation.keeperLiquidate(victim, chosen, proof)), refusal);
    await assert.rejects(submitGeneral(api.tx.liquidation.liquidateBatch([victim], 1, proof)), refusal);
  }
  // Nothing reached the pool, so nothing can reach a block or take the keeper's slot.
  const named = Buffer.from(victimKey.publicKey).toString('hex');
  assert.equal((await api.rpc.author.pendingExtrinsics()).filter((x) => x.toHex().includes(named)).length, 0);
});

test('trade with yourself at any price: a long cannot sell into its own $1 bid, nor into one that sinks it', async () => {
  const { api, alice } = ctx;
  await pinBtc(6_000_000);
  const mallory = ctx.fresh();
  const accomplice = ctx.fresh();
  await fundTrader(api, alice, mallory, 3_100n * UNIT);
  await fundTrader(api, alice, accomplice, 10_000n * UNIT);
  await ok(order('Sell', 60_000, SATS, 'Limit'), mm, 'the ask');
  await ok(order('Buy', 60_000, SATS, 'ImmediateOrCancel'), mallory, 'the long');
  assert.equal(await positionOf(mallory), SATS);

  // Her other account bids $1 for the whole BTC: refused before it can rest.
  let { error } = await submit(api, order('Buy', 1, SATS, 'Limit'), accomplice);
  assert.equal(error, 'orderbook.PriceOutsideBand');
  // At the band's edge it rests, but selling into it would leave her $2,957 short.
  await ok(order('Buy', 54_000, SATS, 'Limit'), accomplice, 'a bid at the band edge');
  ({ error } = await submit(api, order('Sell', 54_000, SATS, 'ImmediateOrCancel'), mallory));
  assert.equal(error, 'margin.NegativeEquity');
  assert.equal(await positionOf(mallory), SATS, 'nothing moved');
  assert.equal(await positionOf(accomplice), 0n);

  // Tidy up: the bid goes, the long closes at the market.
  const [id] = (await api.call.orderbookApi.orders(accomplice.address, 0)).map((o) => o.id.toBigInt());
  await ok(api.tx.orderbook.cancelOrder(id), accomplice, 'cancel');
  await ok(order('Buy', 60_000, SATS, 'Limit'), mm, 'a bid at the index');
  await ok(order('Sell', 60_000, SATS, 'ImmediateOrCancel'), mallory, 'the close');
});

// Sends every call of `txs` from `who` at once (consecutive nonces); resolves with their errors.
async function submitAll(txs, who) {
  const first = (await ctx.api.rpc.system.accountNextIndex(who.address)).toNumber();
  const outcomes = await Promise.all(txs.map((tx, k) => submit(ctx.api, tx, who, { nonce: first + k })));
  return outcomes.map((o) => o.error);
}

test('freeze a book with dust: bids nobody backs are refused, and a full side makes way for a better bid', { timeout: 600_000 }, async () => {
  const { api, alice } = ctx;
  await pinBtc(6_000_000);
  const levels = api.consts.orderbook.maxLevels.toNumber();
  const perAccount = api.consts.orderbook.maxOpenOrders.toNumber();
  const step = 10_000n; // 0.0001 BTC

  // CLR for fees and USDC in its wallet, none in the vaults: not one bid rests (no margin,
  // no deposit).
  const broke = ctx.fresh();
  await fund(api, alice, broke, { clr: 100n * CLR, usdc: 1_000n * UNIT });
  const { error } = await submit(api, order('Buy', 54_000, step, 'Limit'), broke);
  assert.equal(error, 'margin.InitialMarginBreached');

  // With a little collateral each, two accounts fill every bid level from the band's low edge
  // ($54,000) up, a dollar apart, with 0.0001 BTC.
  const spammers = [];
  for (let s = 0; s * perAccount < levels; s++) {
    const spammer = ctx.fresh();
    await fundTrader(api, alice, spammer, 100n * UNIT);
    spammers.push(spammer);
  }
  const bids = (s) => Array.from({ length: Math.min(perAccount, levels - s * perAccount) },
    (_, k) => order('Buy', 54_000 + s * perAccount + k, step, 'Limit'));
  const errors = (await Promise.all(spammers.map((spammer, s) => submitAll(bids(s), spammer)))).flat();
  assert.deepEqual(errors.filter((e) => e !== null), [], 'every dust bid rests');
  const bidLevels = async () => (await api.call.orderbookApi.depth(BTC_USD, levels)).bids.map(([p]) => p.toBigInt());
  assert.equal((await bidLevels()).length, levels);

  // A market maker's bid below the index still rests; the worst dust level is evicted.
  const { events, error: refused } = await submit(api, order('Buy', 59_000, SATS / 10n, 'Limit'), mm);
  assert.equal(refused, null);
  const evicted = events.map((r) => r.event).filter((e) => api.events.orderbook.OrderCancelled.is(e));
  assert.equal(evicted.length, 1);
  assert.equal(evicted[0].data.reason.type, 'Evicted');
  const now = await bidLevels();
  assert.equal(now.length, levels);
  assert.equal(now[0], 59_000n * FIXED);
  assert.ok(!now.includes(54_000n * FIXED), 'the worst dust level left');

  // Tidy up: every order of this test leaves the book.
  for (const who of [...spammers, mm]) {
    const ids = (await api.call.orderbookApi.orders(who.address, 0)).map((o) => o.id);
    const left = await submitAll(ids.map((id) => api.tx.orderbook.cancelOrder(id)), who);
    assert.deepEqual(left.filter((e) => e !== null), []);
  }
});

test('block your own liquidation: bids fed a step at a time only hand the long to the backstop, at the mark less the penalty, and the fund counts its loss', { timeout: 600_000 }, async () => {
  const { api, alice } = ctx;
  await pinBtc(6_000_000);
  const step = 10_000n; // 0.0001 BTC
  const mallory = ctx.fresh();
  const accomplice = ctx.fresh();
  await fundTrader(api, alice, mallory, 3_100n * UNIT);
  await fundTrader(api, alice, accomplice, 10_000n * UNIT);
  await ok(order('Sell', 60_000, SATS, 'Limit'), mm, 'the ask');
  await ok(order('Buy', 60_000, SATS, 'ImmediateOrCancel'), mallory, 'the long');
  assert.equal(await positionOf(mallory), SATS);

  // Her other account keeps eight one-step bids on top, refilled every block, so each close
  // the keeper makes spends its four fills on them and closes almost nothing.
  const refill = async () => {
    const open = (await api.call.orderbookApi.orders(accomplice.address, 0)).length;
    if (open < 8) await submitAll(Array.from({ length: 8 - open }, () => order('Buy', 58_250, step, 'Limit')), accomplice);
  };
  await refill();
  let feeding = true;
  const unsub = await api.rpc.chain.subscribeNewHeads(() => { if (feeding) refill().catch(() => {}); });

  // BTC to $58,300: $1,370 of equity against $1,749 of maintenance, solvent, liquidatable.
  const taken = waitUntil(async () => (await positionOf(mallory)) === 0n, 40);
  await pinBtc(5_830_000);
  const events = await taken;
  feeding = false;
  unsub();
  const takeover = events.find((e) => api.events.liquidation.TakenByBackstop.is(e) && e.data.subaccount.owner.eq(mallory.address));
  assert.ok(takeover, 'the keeper handed the rest to the backstop');
  // (`size` is also a property of the event's data tuple: read the field by position.)
  const [, , size, cash, penalty, lossCovered] = takeover.data;
  const rest = size.toBigInt();
  assert.ok(rest > SATS * 9n / 10n && rest < SATS, `the step bids were hit and closed almost nothing: ${rest} left`);
  // At the mark less 1.5%: the penalty a close in the book would have cost, nothing covered.
  const notional = rest * 58_300n * UNIT / SATS;
  assert.equal(penalty.toBigInt(), notional * 15n / 1000n);
  assert.equal(cash.toBigInt(), notional - notional * 15n / 1000n);
  assert.equal(lossCovered.toBigInt(), 0n);
  const health = (await api.call.marginApi.accountHealth(mallory.address, 0)).unwrap();
  assert.ok(health.equity.toBigInt() > 400n * UNIT, `she keeps her equity less the penalty: ${health.equity}`);

  const ids = (await api.call.orderbookApi.orders(accomplice.address, 0)).map((o) => o.id);
  await submitAll(ids.map((id) => api.tx.orderbook.cancelOrder(id)), accomplice);

  // Stakers cannot leave at par while the backstop's loss builds: BTC 2% lower puts the long
  // it took at the mark less the penalty under water, and the fund's value counts that loss.
  const backstop = new Uint8Array(Buffer.concat([Buffer.from('modl'), Buffer.from('clr/liqd'), Buffer.alloc(20)]));
  const backstopBtc = async () => (await api.call.marginApi.positions(backstop, 0))
    .filter((p) => p.market.toNumber() === BTC_USD).reduce((sum, p) => sum + p.baseSize.toBigInt(), 0n);
  const equityOf = async (at) => (await at.call.marginApi.accountHealth(backstop, 0)).unwrap().equity.toBigInt();
  const before = await equityOf(await api.at(await api.rpc.chain.getBlockHash()));
  await pinBtc(5_700_000);
  const at = await api.at(await api.rpc.chain.getBlockHash());
  const fundNow = await at.call.insuranceApi.fund();
  const backstopEquity = await equityOf(at);
  const held = await backstopBtc();
  // $1,300 lower on what it still holds (within a dollar: funding accrues meanwhile).
  const drop = held * 1_300n * UNIT / SATS;
  assert.ok(before - backstopEquity >= drop - UNIT && before - backstopEquity <= drop + UNIT,
    `the backstop's equity fell by its position's loss: ${before} → ${backstopEquity}, ${held} sats`);
  assert.equal(fundNow.backstopEquity.toBigInt(), backstopEquity);
  // (On a fresh chain the backstop holds nothing else, and its equity is now negative.)
  const balance = fundNow.balance.toBigInt();
  const loss = backstopEquity < 0n ? -backstopEquity : 0n;
  assert.equal(fundNow.value.toBigInt(), balance > loss ? balance - loss : 0n, 'the fund is worth its balance less the loss');
  console.log(`backstop equity ${backstopEquity} with BTC at $57,000; fund balance ${balance}, value ${fundNow.value}`);
  await pinBtc(5_830_000);

  // Tidy up: a bid at the mark takes what the backstop holds (it unwinds into the book as
  // blocks end), then what is left of the bid goes too.
  await ok(order('Buy', 58_300, rest, 'Limit'), mm, 'a bid for the backstop');
  await waitUntil(async () => (await backstopBtc()) === 0n, 20);
  const left = (await api.call.orderbookApi.orders(mm.address, 0)).map((o) => o.id);
  assert.deepEqual((await submitAll(left.map((id) => api.tx.orderbook.cancelOrder(id)), mm)).filter((e) => e !== null), []);
});

test('move a risk parameter in chained motions: the second step within a timelock is refused by name', async () => {
  const { api } = ctx;
  const PERCENT = 10_000; // Permill parts; one change moves a fraction at most 10 points
  const DOT_USD = 2; // traded by no other attack
  const dotMarket = async (at) => {
    const source = at ? await api.at(at) : api;
    return (await source.call.marginApi.markets()).find(([id]) => id.toNumber() === DOT_USD)[1];
  };
  const decide = (change) => councilDecide(api, [ctx.alice, ctx.bob], api.tx.governance.propose(change));
  const before = await dotMarket();
  const initial = before.initialMargin.toNumber();
  const maintenance = before.maintenanceMargin.toNumber();

  // Two motions of six points each: every one within the step, together twelve.
  const first = await decide({ SetMarketMargin: { market: DOT_USD, initial: initial + 6 * PERCENT, maintenance } });
  assert.equal(first.error, null, 'the first step is within the limit');
  assert.equal((await dotMarket(first.blockHash)).initialMargin.toNumber(), initial + 6 * PERCENT);
  const second = await decide({ SetMarketMargin: { market: DOT_USD, initial: initial + 12 * PERCENT, maintenance } });
  assert.equal(second.error, 'governance.StepTooLarge');
  assert.equal((await dotMarket()).initialMargin.toNumber(), initial + 6 * PERCENT, 'the second moved nothing');
});

test('block reducing takers with a stale-priced bid: the bid is cancelled and the taker goes on', { timeout: 300_000 }, async () => {
  const { api, alice } = ctx;
  await pinBtc(6_000_000);
  const long = ctx.fresh();
  const blocker = ctx.fresh();
  await fundTrader(api, alice, long, 2_000n * UNIT);
  await fundTrader(api, alice, blocker, 2_000n * UNIT);
  const size = SATS / 100n; // 0.01 BTC
  await ok(order('Sell', 60_000, size, 'Limit'), mm, 'the ask');
  await ok(order('Buy', 60_000, size, 'ImmediateOrCancel'), long, 'the long');
  // The blocker's bid on top: filling it would add risk for the blocker.
  await ok(order('Buy', 59_990, size, 'Limit'), blocker, 'the bid on top');
  const [bid] = await api.call.orderbookApi.orders(blocker.address, 0);
  const [[best, depth]] = (await api.call.orderbookApi.depth(BTC_USD, 1)).bids;
  assert.ok(best.toBigInt() === 59_990n * FIXED && depth.toBigInt() === size, 'the blocker\'s bid is alone on top');

  // Every price source fails: no feeds, and after the feeds' 10 s the index goes stale.
  const sources = ['binance', 'coinbase', 'kraken'];
  try {
    for (const source of sources) await feed('/control/fail', { source, mode: 'status500' });
    await waitUntil(async () => (await api.call.oracleApi.price(BTC)).unwrap().status.isStale, 30);

    // The long sells to reduce: the stale bid cannot take on risk, so it goes, not the sale.
    const sold = await submit(api, order('Sell', 59_990, size, 'ImmediateOrCancel', true), long);
    assert.equal(sold.error, null, 'the reducing taker is not failed by the maker');
    const cancelled = sold.events.map(({ event }) => event)
      .find((e) => api.events.orderbook.OrderCancelled.is(e) && e.data.id.eq(bid.id));
    assert.equal(cancelled?.data.reason.type, 'MarginRefused');
    assert.equal((await api.call.orderbookApi.orders(blocker.address, 0)).length, 0);
    assert.equal(await positionOf(long), size, 'nothing filled at a stale price');
  } finally {
    for (const source of sources) await feed('/control/fail', { source, mode: 'none' });
  }
  await pinBtc(6_000_000);
  // Tidy up: the long closes into a fresh bid.
  await ok(order('Buy', 60_000, size, 'Limit'), mm, 'a bid for the long');
  await ok(order('Sell', 60_000, size, 'ImmediateOrCancel', true), long, 'the long closes');
  assert.equal(await positionOf(long), 0n);
});

test('lie as one of two feeders: the index never moves by half the lie; it stays and is flagged', { timeout: 300_000 }, async () => {
  const { api, alice } = ctx;
  await pinBtc(6_000_000);
  const liar = ctx.fresh();
  await ok(api.tx.balances.transferKeepAlive(liar.address, 10n * CLR), alice, 'an account for her feeds');
  // The council registers her as a second feeder (risk-increasing: it waits out the timelock).
  const added = await councilDecide(api, [ctx.alice, ctx.bob], api.tx.governance.propose({ AddFeeder: { feeder: liar.address } }));
  assert.equal(added.error, null);
  const scheduled = added.events.map(({ event }) => event).find((e) => api.events.governance.ChangeScheduled.is(e));
  const enactAt = scheduled.data.enactAt.toNumber();
  const timelock = (await api.query.governance.timelock()).toNumber();
  await blockNumbered(api, enactAt, timelock + 20);
  try {
    // Her feed says BTC is 8% higher; the honest feed says $60,000. A mean would move the
    // index $2,400 unflagged; the lower median keeps $60,000 and the split flags it.
    const lie = 64_800n * FIXED;
    const fed = await submit(api, api.tx.oracle.feedPrices([[BTC, lie]]), liar);
    assert.equal(fed.error, null, 'a registered feeder feeds');
    // Three aggregates with both feeds (before her feed, one feed is short of the quorum of
    // two, and the price is stale).
    const quotes = [];
    await waitUntil(async () => {
      const quote = (await api.call.oracleApi.price(BTC)).unwrap();
      if (!quote.status.isStale) quotes.push(quote);
      return quotes.length >= 3;
    }, 12);
    for (const quote of quotes) {
      assert.equal(quote.price.toBigInt(), 60_000n * FIXED, 'the index is one of the feeds, the honest one');
      assert.ok(quote.status.isFlagged, `two feeds 8% apart are flagged, not fresh: ${quote.status.type}`);
    }
  } finally {
    // Removing a feeder reduces risk: it takes effect at once.
    const removed = await councilDecide(api, [ctx.alice, ctx.bob], api.tx.governance.propose({ RemoveFeeder: { feeder: liar.address } }));
    assert.equal(removed.error, null);
  }
  await pinBtc(6_000_000);
});

test('steer funding with phantom orders: reduce-only asks no margin backs never make a premium sample', { timeout: 300_000 }, async () => {
  const { api, alice } = ctx;
  await pinBtc(6_000_000);
  const samples = async () => (await api.call.marginApi.markets())
    .find(([id]) => id.toNumber() === BTC_USD)[2].premiumSamples.toNumber();
  // Over `blocks` blocks, whether any block added a premium sample (an interval's end resets
  // the count to zero, which is no sample).
  const sampled = async (blocks) => {
    let last = await samples();
    let any = false;
    let seen = 0;
    await waitUntil(async () => {
      const now = await samples();
      if (now > last) any = true;
      last = now;
      return ++seen >= blocks;
    }, blocks + 2);
    return any;
  };
  const step = SATS / 100n; // 0.01 BTC, $600
  // A real bid side deeper than the impact notional ($10,000): 0.2 BTC at $59,900.
  await ok(order('Buy', 59_900, 20n * step, 'Limit'), mm, 'a real bid side');
  assert.equal(await sampled(3), false, 'one side alone makes no premium');

  // She holds 0.01 BTC long and rests 20 reduce-only asks of 0.01 BTC each at $60,010 (each
  // only reduces her long, so none sets margin aside): $12,000 of asks nobody backs.
  const mallory = ctx.fresh();
  await fundTrader(api, alice, mallory, 2_000n * UNIT);
  await ok(order('Sell', 60_000, step, 'Limit'), mm, 'an ask for her long');
  await ok(order('Buy', 60_000, step, 'ImmediateOrCancel'), mallory, 'her long');
  const phantoms = await submitAll(Array.from({ length: 20 }, () => order('Sell', 60_010, step, 'Limit', true)), mallory);
  assert.deepEqual(phantoms.filter((e) => e !== null), [], 'every phantom ask rests');
  assert.equal(await sampled(4), false, 'the phantom asks make no impact price');

  // The same depth backed by margin does make samples: the check above is not vacuous.
  await ok(order('Sell', 60_010, 20n * step, 'Limit'), mm, 'a real ask side');
  assert.equal(await sampled(4), true, 'a real two-sided book is sampled');

  // Tidy up: every order of theirs goes, and her long closes at the index.
  for (const who of [mallory, mm]) {
    const ids = (await api.call.orderbookApi.orders(who.address, 0)).map((o) => o.id);
    assert.deepEqual((await submitAll(ids.map((id) => api.tx.orderbook.cancelOrder(id)), who)).filter((e) => e !== null), []);
  }
  await ok(order('Buy', 60_000, step, 'Limit'), mm, 'a bid for her long');
  await ok(order('Sell', 60_000, step, 'ImmediateOrCancel', true), mallory, 'her long closes');
  assert.equal(await positionOf(mallory), 0n);
});
