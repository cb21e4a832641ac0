// A forkless runtime upgrade end to end: a second runtime (this one with spec_version + 1,
// built by scripts/build-runtime-variant.sh next-spec-version and passed as UPGRADE_WASM) is authorized through
// the slow path — the council schedules `AuthorizeUpgrade`, the timelock runs out — then
// anyone submits the code. Blocks keep coming and finalizing, and every balance, collateral
// entry, position and resting order is what it was before.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { blake2AsHex } from '@polkadot/util-crypto';
import { u8aToHex } from '@polkadot/util';
import { connect, submit, fundTrader, councilDecide, blockNumbered, eventsAt } from './helpers.js';

const BTC_USD = 0;
const USDC_UNIT = 1_000_000n;
const FIXED = 10n ** 18n;
let ctx;

// Every entry of the storage maps an upgrade must leave alone, as JSON by key.
async function snapshot(api, at) {
  const source = await api.at(at);
  const maps = {
    accounts: source.query.system.account,
    assetAccounts: source.query.assets.account,
    collateral: source.query.vaults.collateral,
    positions: source.query.margin.positions,
    orders: source.query.orderbook.orders,
    markets: source.query.margin.markets,
    insuranceShares: source.query.insurance.shares,
  };
  const state = {};
  for (const [name, map] of Object.entries(maps)) {
    let entries = await map.entries();
    // Option series (ids from 1,000,000) list and delist by themselves on the dev schedule.
    if (name === 'markets') entries = entries.filter(([key]) => key.args[0].toNumber() < 1_000_000);
    // An account's nonce moves with every oracle feed; its balances must not.
    const encode = name === 'accounts' ? (v) => v.data.toHex() : (v) => v.toHex();
    state[name] = Object.fromEntries(entries.map(([key, value]) => [key.toHex(), encode(value)]));
  }
  return state;
}

// Sends the code unsigned (the chain checks it against the authorized hash) and resolves
// with the block it is in. Raw RPC: the status only, no events decoded around the switch.
function applyUpgrade(api, code) {
  return new Promise((resolve, reject) => {
    let unsub = () => {};
    const timer = setTimeout(() => { unsub(); reject(new Error('upgrade not included within 60 s')); }, 60_000);
    const tx = api.tx.system.applyAuthorizedUpgrade(u8aToHex(code));
    api.rpc.author.submitAndWatchExtrinsic(tx, (status) => {
      if (status.isInvalid || status.isDropped) { clearTimeout(timer); unsub(); reject(new Error(`upgrade ${status.type}`)); }
      // The pool may report the block only once finalized.
      if (status.isInBlock || status.isFinalized) {
        clearTimeout(timer); unsub();
        resolve({ blockHash: status.isInBlock ? status.asInBlock : status.asFinalized });
      }
    }).then((u) => { unsub = u; }, (e) => { clearTimeout(timer); reject(e); });
  });
}

before(async () => { ctx = await connect(); });
after(async () => { await ctx?.api.disconnect(); });

test('a runtime upgrade through the timelock keeps blocks coming and every balance, position and order intact', async () => {
  const path = process.env.UPGRADE_WASM;
  assert.ok(path, 'UPGRADE_WASM must name the upgrade runtime (scripts/build-runtime-variant.sh next-spec-version prints it)');
  const code = readFileSync(path);
  const { api } = ctx;
  const specBefore = (await api.rpc.state.getRuntimeVersion()).specVersion.toNumber();

  // Something of our own to survive: a resting order, 5% under the market (inside its band).
  const trader = ctx.fresh();
  await fundTrader(api, ctx.alice, trader, 1_000n * USDC_UNIT);
  const index = (await api.call.oracleApi.price(2)).unwrap().price.toBigInt();
  const below = (index * 95n / 100n) / FIXED * FIXED;
  const bid = api.tx.orderbook.placeOrder(0, BTC_USD, 'Buy', below, 10_000n, 'PostOnly', false);
  assert.equal((await submit(api, bid, trader)).error, null);

  // The slow path: scheduled now, authorized after the timelock.
  const scheduled = await councilDecide(api, [ctx.alice, ctx.bob],
    api.tx.governance.propose({ AuthorizeUpgrade: { codeHash: blake2AsHex(code, 256) } }));
  assert.equal(scheduled.error, null);
  const event = (await eventsAt(api, scheduled.blockHash)).find((e) => api.events.governance.ChangeScheduled.is(e));
  assert.ok(event, 'an upgrade is risk-increasing: scheduled, not enacted');
  const enactAt = event.data.enactAt.toNumber();
  const authorizedIn = await blockNumbered(api, enactAt, 200);
  assert.ok((await eventsAt(api, authorizedIn)).some((e) => api.events.system.UpgradeAuthorized.is(e)));

  // What the old runtime leaves: read now, with the client that knows it (from here to the
  // upgrade only fee-free oracle feeds and the hooks run).
  const before = await snapshot(api, await api.rpc.chain.getBlockHash());

  const { blockHash: upgradedIn } = await applyUpgrade(api, code);
  const upgradeBlock = (await api.rpc.chain.getHeader(upgradedIn)).number.toNumber();

  // Blocks keep coming under the new runtime, and finalize.
  const firstNew = await blockNumbered(api, upgradeBlock + 1, 20);
  assert.equal((await api.rpc.state.getRuntimeVersion(firstNew)).specVersion.toNumber(), specBefore + 1);
  await blockNumbered(api, upgradeBlock + 5, 20);
  const finalized = await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead());
  assert.ok(finalized.number.toNumber() >= upgradeBlock + 1, 'finality moved past the upgrade');

  // A client connecting now reads the new runtime's metadata and APIs (a long-lived client
  // may decode blocks around the switch with the wrong registry).
  const client = await connect();
  try {
    assert.equal(client.api.runtimeVersion.specVersion.toNumber(), specBefore + 1);
    assert.ok((await eventsAt(client.api, upgradedIn)).some((e) => client.api.events.system.CodeUpdated.is(e)),
      'the code was set in the upgrade block');
    // State intact: after the first block the new runtime built, these maps hold exactly
    // what they held before.
    const after = await snapshot(client.api, firstNew);
    for (const name of Object.keys(before)) {
      assert.deepEqual(after[name], before[name], `${name} changed across the upgrade`);
    }
    const orders = await client.api.call.orderbookApi.orders(trader.address, 0);
    assert.equal(orders.length, 1, 'the resting order survived');
  } finally {
    await client.api.disconnect();
  }
  console.log(`runtime upgrade: spec ${specBefore} → ${specBefore + 1} in block ${upgradeBlock}; ` +
    `${Object.values(before).reduce((n, m) => n + Object.keys(m).length, 0)} entries compared`);
});
