// Signed transfers of CLR and USDC are included, finalized and move exactly what they say;
// a transfer beyond the balance fails with a named error and moves nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect, submit, feePaid, freeClr, usdcBalance, parentOf, USDC } from './helpers.js';

const CLR = 10n ** 12n;
let ctx;
before(async () => { ctx = await connect(); });
after(async () => { await ctx?.api.disconnect(); });

test('balances.transferKeepAlive moves exactly the amount; the sender pays exactly the fee', async () => {
  const { api, alice, fresh } = ctx;
  const to = fresh();
  const amount = 5n * CLR;
  const { blockHash, events, error } = await submit(api, api.tx.balances.transferKeepAlive(to.address, amount), alice, { finalized: true });
  assert.equal(error, null);
  const aliceBefore = await freeClr(api, alice, await parentOf(api, blockHash));
  const fee = feePaid(api, events, alice);
  assert.ok(fee > 0n, 'a signed transfer pays a fee');
  assert.equal(await freeClr(api, to, blockHash), amount);
  assert.equal(await freeClr(api, alice, blockHash), aliceBefore - amount - fee);
  assert.ok(events.some(({ event }) => api.events.balances.Transfer.is(event) && event.data[2].toBigInt() === amount));
});

test('assets.transfer moves exactly the USDC amount; the fee is paid in CLR', async () => {
  const { api, alice, fresh } = ctx;
  const to = fresh();
  const amount = 250n * 1_000_000n; // 250 USDC
  const { blockHash, events, error } = await submit(api, api.tx.assets.transfer(USDC, to.address, amount), alice, { finalized: true });
  assert.equal(error, null);
  const parent = await parentOf(api, blockHash);
  const [aliceUsdc, aliceClr] = [await usdcBalance(api, alice, parent), await freeClr(api, alice, parent)];
  const fee = feePaid(api, events, alice);
  assert.equal(await usdcBalance(api, to, blockHash), amount);
  assert.equal(await usdcBalance(api, alice, blockHash), aliceUsdc - amount);
  assert.equal(await freeClr(api, alice, blockHash), aliceClr - fee);
  assert.ok(events.some(({ event }) => api.events.assets.Transferred.is(event) && event.data[3].toBigInt() === amount));
});

test('a USDC transfer beyond the balance fails with assets.BalanceLow and moves nothing', async () => {
  const { api, alice, bob } = ctx;
  const held = await usdcBalance(api, alice);
  const { blockHash, events, error } = await submit(api, api.tx.assets.transfer(USDC, bob.address, held + 1n), alice);
  assert.equal(error, 'assets.BalanceLow');
  const parent = await parentOf(api, blockHash);
  const [aliceUsdc, bobUsdc] = [await usdcBalance(api, alice, parent), await usdcBalance(api, bob, parent)];
  const aliceClr = await freeClr(api, alice, parent);
  assert.equal(aliceUsdc, held);
  assert.ok(api.errors.assets.BalanceLow, 'the error is named in the metadata');
  assert.ok(events.some(({ event }) => api.events.system.ExtrinsicFailed.is(event)));
  assert.equal(await usdcBalance(api, alice, blockHash), aliceUsdc);
  assert.equal(await usdcBalance(api, bob, blockHash), bobUsdc);
  // The failed call still paid for its inclusion, and nothing else.
  assert.equal(await freeClr(api, alice, blockHash), aliceClr - feePaid(api, events, alice));
});

test('a CLR transfer beyond the balance fails with Token.FundsUnavailable and moves nothing', async () => {
  const { api, bob, fresh } = ctx;
  const to = fresh();
  const held = await freeClr(api, bob);
  const { blockHash, events, error } = await submit(api, api.tx.balances.transferKeepAlive(to.address, held * 2n), bob);
  assert.equal(error, 'Token.FundsUnavailable');
  const bobClr = await freeClr(api, bob, await parentOf(api, blockHash));
  assert.equal(await freeClr(api, to, blockHash), 0n);
  assert.equal(await freeClr(api, bob, blockHash), bobClr - feePaid(api, events, bob));
});
