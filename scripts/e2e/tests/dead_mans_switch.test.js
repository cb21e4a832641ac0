// A market maker's dead-man's switch on a real node: the maker quotes, arms the switch and
// renews it once; when it stops renewing, the switch's block clears its quotes by itself and
// gives back every deposit and margin set aside.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect, submit, fundTrader, waitForEvent } from './helpers.js';

const BTC = 2;
const BTC_USD = 0;
const USDC_UNIT = 1_000_000n;
const FIXED = 10n ** 18n;
let ctx;

before(async () => { ctx = await connect(); });
after(async () => { await ctx?.api.disconnect(); });

test('the dead-man\'s switch clears a maker\'s book when it is not renewed', async () => {
  const { api } = ctx;
  const maker = ctx.fresh();
  await fundTrader(api, ctx.alice, maker, 10_000n * USDC_UNIT);
  const index = (await api.call.oracleApi.price(BTC)).unwrap().price.toBigInt() / FIXED;
  const mid = (index / 10n) * 10n;
  // Two bids and two asks, $400 and more off the index: nothing crosses them.
  const quote = (side, dollars) => ({ market: BTC_USD, side, price: dollars * FIXED, size: 1_000_000n, kind: 'PostOnly', reduceOnly: false });
  const quotes = [quote('Buy', mid - 400n), quote('Buy', mid - 410n), quote('Sell', mid + 400n), quote('Sell', mid + 410n)];
  let { error } = await submit(api, api.tx.orderbook.placeOrders(0, quotes, true), maker);
  assert.equal(error, null);
  assert.equal((await api.call.orderbookApi.orders(maker.address, 0)).length, 4);

  let now = (await api.rpc.chain.getHeader()).number.toNumber();
  ({ error } = await submit(api, api.tx.orderbook.scheduleCancel(0, now + 5), maker));
  assert.equal(error, null);
  // Renewed once, further out; then the bot goes quiet.
  now = (await api.rpc.chain.getHeader()).number.toNumber();
  const at = now + 6;
  ({ error } = await submit(api, api.tx.orderbook.scheduleCancel(0, at), maker));
  assert.equal(error, null);
  // `Deadline { at, deposit }`: `at` read with `get`, the field name clashing with `Array.at`.
  assert.equal((await api.call.orderbookApi.cancelDeadline(maker.address, 0)).unwrap().get('at').toNumber(), at);
  assert.ok((await api.call.marginApi.accountHealth(maker.address, 0)).unwrap().initialRequirement.toBigInt() > 0n);

  const fired = await waitForEvent(api, (e) => e.section === 'orderbook' && e.method === 'ScheduledCancelFired' &&
    e.data.subaccount.owner.toString() === maker.address, 30);
  // `at` is read by position: `data.at` is the array method.
  assert.equal(fired.event.data[1].toNumber(), at, 'at the renewed block, not the first one');
  assert.equal(fired.number, at);
  assert.equal(fired.event.data.cancelled.toNumber(), 4);
  assert.equal((await api.call.orderbookApi.orders(maker.address, 0)).length, 0);
  assert.equal((await api.call.marginApi.accountHealth(maker.address, 0)).unwrap().initialRequirement.toBigInt(), 0n);
  assert.ok((await api.call.orderbookApi.cancelDeadline(maker.address, 0)).isNone, 'fired: disarmed');

  // A block already begun is refused by name.
  now = (await api.rpc.chain.getHeader()).number.toNumber();
  ({ error } = await submit(api, api.tx.orderbook.scheduleCancel(0, now), maker));
  assert.equal(error, 'orderbook.DeadlinePassed');
});
