// Trading a perpetual end to end: two traders deposit, one rests a limit ask, the other buys
// with an immediate-or-cancel order; positions, fees and health read back through the
// runtime APIs match the calculation here; a price move at the feed changes unrealized PnL;
// funding accrues over an interval (a minute on dev); an order or a withdrawal beyond the
// initial requirement fails with its named error.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect, submit, feed, fundTrader, USDC } from './helpers.js';

const BTC = 2;
const BTC_USD = 0;
const USDC_UNIT = 1_000_000n;
const FIXED = 10n ** 18n;
const SATS = 100_000_000n; // BTC has 8 decimals
let ctx;
let maker;
let taker;

// Waits until the chain's BTC index is `price` dollars and fresh.
function waitForBtc(price, maxBlocks = 20) {
  return new Promise((resolve, reject) => {
    let seen = 0;
    let unsub = () => {};
    ctx.api.rpc.chain.subscribeNewHeads(async () => {
      const q = await ctx.api.call.oracleApi.price(BTC);
      if (q.isSome && q.unwrap().price.toBigInt() === BigInt(price) * FIXED && q.unwrap().status.isFresh) { unsub(); resolve(); }
      else if (++seen > maxBlocks) { unsub(); reject(new Error(`BTC not at ${price} within ${maxBlocks} blocks`)); }
    }).then((u) => { unsub = u; }, reject);
  });
}

const order = (side, price, sizeSats, kind) =>
  ctx.api.tx.orderbook.placeOrder(0, BTC_USD, side, BigInt(price) * FIXED, sizeSats, kind, false);

async function usdcIn(who, number = 0, at) {
  const source = at ? await ctx.api.at(at) : ctx.api;
  const view = await source.call.vaultsApi.collateral(who.address, number);
  const usdc = view.assets.find((a) => a.asset.toNumber() === USDC);
  return usdc ? usdc.amount.toBigInt() : 0n;
}

before(async () => {
  ctx = await connect();
  maker = ctx.fresh();
  taker = ctx.fresh();
  await fundTrader(ctx.api, ctx.alice, maker, 10_000n * USDC_UNIT);
  await fundTrader(ctx.api, ctx.alice, taker, 10_000n * USDC_UNIT);
  // A round index price, so every figure below is exact.
  await feed('/control/set', { asset: 'BTC', price: '60000' });
  await waitForBtc(60_000);
});
after(async () => { await ctx?.api.disconnect(); });

test('a resting ask is bought by an IOC order; positions and fees match the calculation', async () => {
  const { api } = ctx;
  const size = SATS / 100n; // 0.01 BTC
  let { error } = await submit(api, order('Sell', 60_010, size, 'Limit'), maker);
  assert.equal(error, null);
  const depth = await api.call.orderbookApi.depth(BTC_USD, 5);
  assert.deepEqual(depth.asks.map(([p, s]) => [p.toBigInt(), s.toBigInt()]), [[60_010n * FIXED, size]]);
  assert.equal((await api.call.orderbookApi.orders(maker.address, 0)).length, 1);

  const takerBefore = await usdcIn(taker);
  const makerBefore = await usdcIn(maker);
  let blockHash;
  ({ blockHash, error } = await submit(api, order('Buy', 60_100, size, 'ImmediateOrCancel'), taker));
  assert.equal(error, null);

  // $600.10 changes hands; taker pays 0.05% ($0.30005 → 300,050 units), maker 0.02%.
  const notional = 600_100_000n;
  const takerFee = (notional * 500n + 999_999n) / 1_000_000n;
  const makerFee = (notional * 200n + 999_999n) / 1_000_000n;
  assert.equal(await usdcIn(taker, 0, blockHash), takerBefore - notional - takerFee);
  assert.equal(await usdcIn(maker, 0, blockHash), makerBefore + notional - makerFee);

  const at = await api.at(blockHash);
  const [position] = await at.call.marginApi.positions(taker.address, 0);
  assert.equal(position.baseSize.toBigInt(), size);
  assert.equal(position.costBasis.toBigInt(), notional);
  const [short] = await at.call.marginApi.positions(maker.address, 0);
  assert.equal(short.baseSize.toBigInt(), -size);

  // Health at the $60,000 mark: equity = collateral + value; 5% initial, 3% maintenance.
  const health = (await at.call.marginApi.accountHealth(taker.address, 0)).unwrap();
  const value = 600_000_000n;
  assert.equal(health.equity.toBigInt(), takerBefore - notional - takerFee + value + position.unsettledFunding.toBigInt());
  assert.equal(health.initialRequirement.toBigInt(), value * 5n / 100n);
  assert.equal(health.maintenanceRequirement.toBigInt(), value * 3n / 100n);
  assert.equal(health.liquidatable.isTrue, false);
  assert.equal((await at.call.orderbookApi.depth(BTC_USD, 5)).asks.length, 0);
});

test('a price move at the feed changes unrealized PnL', async () => {
  const { api } = ctx;
  await feed('/control/set', { asset: 'BTC', price: '61000' });
  await waitForBtc(61_000);
  const [position] = await api.call.marginApi.positions(taker.address, 0);
  // 0.01 × $61,000 − $600.10 = $9.90.
  assert.equal(position.unrealizedPnl.toBigInt(), 9_900_000n);
  const [short] = await api.call.marginApi.positions(maker.address, 0);
  assert.equal(short.unrealizedPnl.toBigInt(), -9_900_000n);
});

test('funding accrues over an interval: the long pays, the short receives', { timeout: 150_000 }, async () => {
  const { api } = ctx;
  const indexOf = async (at) => {
    const source = at ? await api.at(at) : api;
    const markets = await source.call.marginApi.markets();
    return markets.find(([id]) => id.toNumber() === BTC_USD)[2].fundingIndex.toBigInt();
  };
  const start = await indexOf();
  const [before] = await api.call.marginApi.positions(taker.address, 0);
  const markets = await api.call.marginApi.markets();
  const interval = markets.find(([id]) => id.toNumber() === BTC_USD)[1].fundingInterval.toNumber();
  const most = interval + 15;
  await new Promise((resolve, reject) => {
    let seen = 0;
    let unsub = () => {};
    api.rpc.chain.subscribeNewHeads(async () => {
      if ((await indexOf()) !== start) { unsub(); resolve(); }
      else if (++seen > most) { unsub(); reject(new Error(`no funding update within ${most} blocks`)); }
    }).then((u) => { unsub = u; }, reject);
  });
  const delta = (await indexOf()) - start;
  assert.ok(delta > 0n, 'no book premium: interest only, so longs pay');
  const [long] = await api.call.marginApi.positions(taker.address, 0);
  const [short] = await api.call.marginApi.positions(maker.address, 0);
  // size × Δindex in USDC units (8 base decimals, 18 fixed): the payer rounds up.
  const owed = (SATS / 100n) * delta;
  const scale = 10n ** (18n + 8n - 6n);
  const expected = -((owed + scale - 1n) / scale);
  const paid = long.unsettledFunding.toBigInt() - before.unsettledFunding.toBigInt();
  if (before.unsettledFunding.toBigInt() === 0n) assert.equal(paid, expected);
  else assert.ok(paid - expected <= 1n && expected - paid <= 1n, `${paid} vs ${expected}`);
  assert.ok(short.unsettledFunding.toBigInt() > 0n && short.unsettledFunding.toBigInt() <= -long.unsettledFunding.toBigInt());
});

test('an order beyond the initial requirement fails with margin.InitialMarginBreached', async () => {
  const { api, alice } = ctx;
  // A deep, well-collateralised ask from Alice's subaccount 7.
  assert.equal((await submit(api, api.tx.vaults.deposit(7, USDC, 500_000n * USDC_UNIT), alice)).error, null);
  const ask = api.tx.orderbook.placeOrder(7, BTC_USD, 'Sell', 61_000n * FIXED, 10n * SATS, 'Limit', false);
  assert.equal((await submit(api, ask, alice)).error, null);
  const collateral = await usdcIn(taker);
  // 10 BTC at $61,000 needs $30,500 of initial margin; the taker has about $10,000.
  const { blockHash, error } = await submit(api, order('Buy', 61_000, 10n * SATS, 'ImmediateOrCancel'), taker);
  assert.equal(error, 'margin.InitialMarginBreached');
  assert.ok(api.errors.margin.InitialMarginBreached, 'the error is named in the metadata');
  assert.equal(await usdcIn(taker, 0, blockHash), collateral, 'nothing moved');
  const [position] = await (await api.at(blockHash)).call.marginApi.positions(taker.address, 0);
  assert.equal(position.baseSize.toBigInt(), SATS / 100n);
  // Alice's order still rests; she cancels it and her deposit comes back.
  const [resting] = await api.call.orderbookApi.orders(alice.address, 7);
  assert.equal((await submit(api, api.tx.orderbook.cancelOrder(resting.id), alice)).error, null);
});

test('a withdrawal beyond the initial requirement fails with vaults.WouldBreachMargin', async () => {
  const { api, alice } = ctx;
  // The taker goes short 1 BTC (selling 1.01 into Alice's bid): its USDC grows by the sale,
  // but its equity does not, so part of that USDC is margin it cannot withdraw.
  const bid = api.tx.orderbook.placeOrder(7, BTC_USD, 'Buy', 61_000n * FIXED, 101n * SATS / 100n, 'Limit', false);
  assert.equal((await submit(api, bid, alice)).error, null);
  assert.equal((await submit(api, order('Sell', 61_000, 101n * SATS / 100n, 'ImmediateOrCancel'), taker)).error, null);
  const [position] = await api.call.marginApi.positions(taker.address, 0);
  assert.equal(position.baseSize.toBigInt(), -SATS);
  const health = (await api.call.marginApi.accountHealth(taker.address, 0)).unwrap();
  const free = health.freeCollateral.toBigInt();
  const held = await usdcIn(taker);
  assert.ok(free + USDC_UNIT <= held, `free ${free} < held ${held}`);
  const { blockHash, error } = await submit(api, api.tx.vaults.withdraw(0, USDC, free + USDC_UNIT), taker);
  assert.equal(error, 'vaults.WouldBreachMargin');
  assert.ok(api.errors.vaults.WouldBreachMargin, 'the error is named in the metadata');
  assert.equal(await usdcIn(taker, 0, blockHash), held, 'nothing moved');
  // Within the free collateral it goes through.
  assert.equal((await submit(api, api.tx.vaults.withdraw(0, USDC, 1_000n * USDC_UNIT), taker)).error, null);
});
