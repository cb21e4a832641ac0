// The insurance fund: a staker stakes USDC for shares, requests to unstake, cannot leave
// before the cooldown (100 blocks on dev) and is paid after it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect, submit, fund, usdcBalance, USDC } from './helpers.js';

const CLR = 10n ** 12n;
const USDC_UNIT = 1_000_000n;
let ctx;
let staker;
before(async () => {
  ctx = await connect();
  const { api, alice, fresh } = ctx;
  staker = fresh();
  await fund(api, alice, staker, { clr: 10n * CLR, usdc: 1_000n * USDC_UNIT });
});
after(async () => { await ctx?.api.disconnect(); });

function waitForBlock(api, number) {
  return new Promise((resolve) => {
    let unsub = () => {};
    api.rpc.chain.subscribeNewHeads((header) => {
      if (header.number.toNumber() >= number) { unsub(); resolve(); }
    }).then((u) => { unsub = u; });
  });
}

test('stake, request unstake, unstake fails before the cooldown and pays after it', { timeout: 240_000 }, async () => {
  const { api } = ctx;
  const amount = 100n * USDC_UNIT;
  const fundBefore = await api.call.insuranceApi.fund();

  let { blockHash, error } = await submit(api, api.tx.insurance.stake(amount), staker);
  assert.equal(error, null);
  const fundAfter = await (await api.at(blockHash)).call.insuranceApi.fund();
  assert.equal(fundAfter.balance.toBigInt(), fundBefore.balance.toBigInt() + amount);
  const me = await (await api.at(blockHash)).call.insuranceApi.staker(staker.address);
  const shares = me.shares.toBigInt();
  assert.ok(shares > 0n);
  assert.equal(me.value.toBigInt(), amount, 'nothing else moved the fund: the stake is worth what went in');

  ({ blockHash, error } = await submit(api, api.tx.insurance.requestUnstake(shares), staker));
  assert.equal(error, null);
  const pending = (await (await api.at(blockHash)).call.insuranceApi.staker(staker.address)).pending.unwrap();
  const unlockAt = pending.unlockAt.toNumber();
  const requestedAt = (await api.rpc.chain.getHeader(blockHash)).number.toNumber();
  assert.equal(unlockAt - requestedAt, (await api.call.insuranceApi.fund()).cooldownBlocks.toNumber());

  const held = await usdcBalance(api, staker);
  ({ blockHash, error } = await submit(api, api.tx.insurance.unstake(), staker));
  assert.equal(error, 'insurance.CooldownNotOver');
  assert.equal(await usdcBalance(api, staker, blockHash), held, 'a refused unstake pays nothing');

  await waitForBlock(api, unlockAt);
  ({ blockHash, error } = await submit(api, api.tx.insurance.unstake(), staker));
  assert.equal(error, null);
  assert.equal(await usdcBalance(api, staker, blockHash), held + amount);
  const after = await (await api.at(blockHash)).call.insuranceApi.staker(staker.address);
  assert.equal(after.shares.toBigInt(), 0n);
  assert.ok(after.pending.isNone);
});
