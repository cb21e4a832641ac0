// Isolated margin and leverage on a real node: a trader keeps cross positions (ETH and BTC) in
// subaccount 0 and an isolated 10x ETH long in subaccount 1, funded by a transfer between its
// own subaccounts. ETH falls 10% through the feed simulator: the chain's keeper liquidates
// the isolated position alone, and subaccount 0's positions and collateral stay as they were.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect, submit, feed, fundTrader, waitForIndex, waitForEvent, USDC } from './helpers.js';

const ETH = 3;
const BTC = 2;
const BTC_USD = 0;
const ETH_USD = 1;
const UNIT = 1_000_000n; // USDC
const FIXED = 10n ** 18n;
const ETH_WEI = 10n ** 18n;
const SATS = 10n ** 8n;
let ctx;

const usd = (dollars) => BigInt(dollars) * FIXED;

async function priceTo(asset, name, dollars) {
  await feed('/control/set', { asset: name, price: String(dollars) });
  await waitForIndex(ctx.api, asset, usd(dollars));
}

async function ok(tx, who, what) {
  const { error } = await submit(ctx.api, tx, who);
  assert.equal(error, null, what);
}

const order = (sub, market, side, dollars, size, kind) =>
  ctx.api.tx.orderbook.placeOrder(sub, market, side, usd(dollars), size, kind, false);

async function usdcIn(who, number) {
  const view = await ctx.api.call.vaultsApi.collateral(who.address, number);
  const usdc = view.assets.find((a) => a.asset.toNumber() === USDC);
  return usdc ? usdc.amount.toBigInt() : 0n;
}

async function positions(who, sub) {
  const views = await ctx.api.call.marginApi.positions(who.address, sub);
  return Object.fromEntries(views.map((p) => [p.market.toNumber(), p.baseSize.toBigInt()]));
}

before(async () => {
  ctx = await connect();
  await priceTo(BTC, 'BTC', 60000);
  await priceTo(ETH, 'ETH', 3000);
});
after(async () => {
  await ctx?.api.disconnect();
});

test('an isolated position is liquidated while the same owner’s cross positions stay', { timeout: 300_000 }, async () => {
  const { api } = ctx;
  const mm = ctx.fresh();
  await fundTrader(api, ctx.alice, mm, 100_000n * UNIT);
  const trader = ctx.fresh();
  await fundTrader(api, ctx.alice, trader, 20_000n * UNIT);

  // Subaccount 1: $1,000 moved in from subaccount 0, isolated to ETH, at 10x.
  await ok(api.tx.vaults.transfer(0, 1, USDC, 1_000n * UNIT), trader, 'collateral moved in');
  await ok(api.tx.margin.setIsolated(1, ETH_USD), trader, 'isolated to ETH');
  await ok(api.tx.margin.setLeverage(1, ETH_USD, 10), trader, '10x');
  const settings = await api.call.marginApi.marginSettings(trader.address, 1);
  assert.equal(settings.isolated.unwrap().toNumber(), ETH_USD);
  assert.deepEqual(settings.leverage.map(([m, x]) => [m.toNumber(), x.toNumber()]), [[ETH_USD, 10]]);
  // $1 of its collateral is set aside while the settings are stored.
  assert.equal(settings.deposit.toBigInt(), UNIT);

  // The isolated subaccount quotes nothing but ETH.
  const btcBid = await submit(api, order(1, BTC_USD, 'Buy', 59000, SATS / 100n, 'Limit'), trader);
  assert.equal(btcBid.error, 'margin.IsolatedMarket');
  // 10x caps it: 4 ETH ($12,000, needing $1,200 at 10%) is more than $999 backs.
  await ok(order(0, ETH_USD, 'Sell', 3000, 10n * ETH_WEI, 'Limit'), mm, 'the maker asks ETH');
  await ok(order(0, BTC_USD, 'Sell', 60000, SATS / 10n, 'Limit'), mm, 'the maker asks BTC');
  const tooBig = await submit(api, order(1, ETH_USD, 'Buy', 3000, 4n * ETH_WEI, 'ImmediateOrCancel'), trader);
  assert.equal(tooBig.error, 'margin.InitialMarginBreached');

  // Cross positions in subaccount 0; the isolated long of 3 ETH in subaccount 1.
  await ok(order(0, ETH_USD, 'Buy', 3000, ETH_WEI, 'ImmediateOrCancel'), trader, 'cross ETH long');
  await ok(order(0, BTC_USD, 'Buy', 60000, SATS / 100n, 'ImmediateOrCancel'), trader, 'cross BTC long');
  await ok(order(1, ETH_USD, 'Buy', 3000, 3n * ETH_WEI, 'ImmediateOrCancel'), trader, 'isolated ETH long');
  const cross = await positions(trader, 0);
  assert.equal(cross[ETH_USD], ETH_WEI);
  assert.equal(cross[BTC_USD], SATS / 100n);
  assert.equal((await positions(trader, 1))[ETH_USD], 3n * ETH_WEI);
  const crossCollateral = await usdcIn(trader, 0);

  // ETH to $2,800 (healthy: $399 of equity against $252 maintenance), then the maker bids
  // for the close, then $2,700: the isolated long is under maintenance ($99 < $243).
  await priceTo(ETH, 'ETH', 2800);
  await ok(order(0, ETH_USD, 'Buy', 2690, 3n * ETH_WEI, 'Limit'), mm, 'the maker bids');
  const isolatedLiquidated = (e) =>
    e.section === 'liquidation' && e.method === 'Liquidated' &&
    e.data.subaccount.owner.toString() === trader.address && e.data.subaccount.number.toNumber() === 1;
  const liquidation = waitForEvent(api, isolatedLiquidated, 20);
  await feed('/control/set', { asset: 'ETH', price: '2700' });
  const { hash } = await liquidation;

  // The isolated position shrank or closed; nothing of subaccount 0 moved.
  const left = (await positions(trader, 1))[ETH_USD] ?? 0n;
  assert.ok(left < 3n * ETH_WEI, `the isolated long was cut: ${left}`);
  const events = await (await api.at(hash)).query.system.events();
  const touched = events.filter(({ event }) =>
    event.section === 'liquidation' && event.data.subaccount?.number?.toNumber() === 0 &&
    event.data.subaccount.owner.toString() === trader.address);
  assert.deepEqual(touched, [], 'no liquidation event names subaccount 0');
  assert.deepEqual(await positions(trader, 0), cross, 'the cross positions stay');
  const after = (await api.call.marginApi.accountHealth(trader.address, 0)).unwrap();
  assert.equal(after.liquidatable.isTrue, false);
  assert.ok(after.maintenanceRequirement.toBigInt() > 0n);
  // Its collateral is as it was: only the marks moved its equity.
  assert.equal(await usdcIn(trader, 0), crossCollateral);

  // Clean up: the maker's orders go; ETH back to $3,000 in steps within the oracle's 10% jump.
  await ok(api.tx.orderbook.cancelAll(0, null), mm, 'the maker cancels');
  await priceTo(ETH, 'ETH', 2850);
  await priceTo(ETH, 'ETH', 3000);
});
