// A trading key (`proxy.addProxy(key, 'Trading', 0)`): a bot's key places and cancels its
// principal's orders through `proxy.proxy`, and every attempt to move collateral or tokens out
// is filtered (`system.CallFiltered`) with nothing moved; removing the key returns its deposit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect, submit, fund, fundTrader, eventsAt, describeError, USDC } from './helpers.js';

const BTC = 2;
const BTC_USD = 0;
const USDC_UNIT = 1_000_000n;
const FIXED = 10n ** 18n;
let ctx;

before(async () => { ctx = await connect(); });
after(async () => { await ctx?.api.disconnect(); });

// The inner call's outcome of the `proxy.proxy` in block `hash`: null or its `pallet.Variant`.
async function proxied(hash) {
  const executed = (await eventsAt(ctx.api, hash)).find((e) => e.section === 'proxy' && e.method === 'ProxyExecuted');
  assert.ok(executed, 'the proxy call ran');
  const result = executed.data[0];
  return result.isOk ? null : describeError(ctx.api, result.asErr);
}

async function usdcIn(who) {
  const view = await ctx.api.call.vaultsApi.collateral(who.address, 0);
  const usdc = view.assets.find((a) => a.asset.toNumber() === USDC);
  return usdc ? usdc.amount.toBigInt() : 0n;
}

test('a trading key places and cancels its principal\'s orders and cannot withdraw', async () => {
  const { api } = ctx;
  const principal = ctx.fresh();
  const key = ctx.fresh();
  await fundTrader(api, ctx.alice, principal, 5_000n * USDC_UNIT);
  await fund(api, ctx.alice, key, { clr: 10n * 10n ** 12n, usdc: 0n });

  const reservedBefore = (await api.query.system.account(principal.address)).data.reserved.toBigInt();
  let { error } = await submit(api, api.tx.proxy.addProxy(key.address, 'Trading', 0), principal);
  assert.equal(error, null);
  const deposit = (await api.query.system.account(principal.address)).data.reserved.toBigInt() - reservedBefore;
  assert.ok(deposit > 0n, 'the key carries a deposit');

  // A bid $500 under the index, through the key: the order is the principal's.
  const index = (await api.call.oracleApi.price(BTC)).unwrap().price.toBigInt() / FIXED;
  const price = (index / 10n) * 10n - 500n;
  const place = api.tx.orderbook.placeOrder(0, BTC_USD, 'Buy', price * FIXED, 1_000_000n, 'PostOnly', false);
  let blockHash;
  ({ blockHash, error } = await submit(api, api.tx.proxy.proxy(principal.address, null, place), key));
  assert.equal(error, null);
  assert.equal(await proxied(blockHash), null);
  const orders = await api.call.orderbookApi.orders(principal.address, 0);
  assert.equal(orders.length, 1);
  assert.equal(orders[0].price.toBigInt(), price * FIXED);
  assert.equal((await api.call.orderbookApi.orders(key.address, 0)).length, 0);

  // Withdrawing, moving between subaccounts, transferring USDC or CLR: filtered, nothing moves.
  const before = await usdcIn(principal);
  for (const call of [
    api.tx.vaults.withdraw(0, USDC, 100n * USDC_UNIT),
    api.tx.vaults.transfer(0, 1, USDC, 100n * USDC_UNIT),
    api.tx.assets.transfer(USDC, key.address, 100n * USDC_UNIT),
    api.tx.balances.transferKeepAlive(key.address, 10n ** 12n),
    api.tx.proxy.addProxy(key.address, 'Any', 0),
  ]) {
    ({ blockHash, error } = await submit(api, api.tx.proxy.proxy(principal.address, null, call), key));
    assert.equal(error, null);
    assert.equal(await proxied(blockHash), 'system.CallFiltered', `${call.method.section}.${call.method.method} through a trading key`);
  }
  assert.equal(await usdcIn(principal), before);

  // The key cancels what it placed.
  ({ blockHash, error } = await submit(api, api.tx.proxy.proxy(principal.address, null, api.tx.orderbook.cancelAll(0, null)), key));
  assert.equal(await proxied(blockHash), null);
  assert.equal((await api.call.orderbookApi.orders(principal.address, 0)).length, 0);

  // Removing the key returns its deposit.
  ({ error } = await submit(api, api.tx.proxy.removeProxy(key.address, 'Trading', 0), principal));
  assert.equal(error, null);
  assert.equal((await api.query.system.account(principal.address)).data.reserved.toBigInt(), reservedBefore);
});
