// The mass-liquidation workload: `count` traders each open a ~9× DOT-USD long against one
// market maker's ask; the price feed drops DOT 7%, leaving every one of them below
// maintenance (still solvent); then every trader is liquidated at once — by the load
// generator's senders (signed `liquidate` calls, each its share; none with KEEPER_ONLY=1)
// and the node's own keeper.
// Read from the chain: `Liquidated` events per block, and how many blocks and seconds the
// chain took from the first liquidation to the last.
import { feed, median, USDC } from './tests/helpers.js';
import { blockFullness, errorName } from './load.mjs';

const DOT = 4;
const DOT_USD = 2;
const DOT_UNIT = 10n ** 10n;
const USDC_UNIT = 1_000_000n;
const CLR = 10n ** 12n;
const FIXED = 10n ** 18n;
const OPEN_PRICE = 10n; // dollars
const CRASH_PRICE = '9.3';
const COLLATERAL = 100n * USDC_UNIT;
const SIZE = 90n * DOT_UNIT; // $900 at $10: 9× the collateral, within DOT's 10% initial margin

// Resolves once the oracle's DOT price is `dollars` (a decimal string) and fresh.
async function dotAt(api, load, dollars) {
  const [whole, cents = ''] = dollars.split('.');
  const want = BigInt(whole) * FIXED + BigInt(cents.padEnd(2, '0')) * FIXED / 100n;
  await load.until(async () => {
    const q = await api.call.oracleApi.price(DOT);
    return q.isSome && q.unwrap().price.toBigInt() === want && q.unwrap().status.isFresh;
  }, `DOT at $${dollars}`);
}

async function openPositions(api, alice, ring, load, count) {
  const maker = ring.addFromUri('//Alice//tps-dot-maker');
  const victims = Array.from({ length: count }, (_, i) => ring.addFromUri(`//Alice//tps-victim//${i}`));
  await feed('/control/set', { asset: 'DOT', price: String(OPEN_PRICE) });
  await dotAt(api, load, String(OPEN_PRICE));

  // Alice issues USDC on test chains: the maker and every trader get theirs minted.
  const makerUsdc = BigInt(count) * 200n * USDC_UNIT + 10_000n * USDC_UNIT;
  await load.refreshNonces([alice]);
  await load.fire(api.tx.balances.transferKeepAlive(maker.address, 100n * CLR), alice);
  await load.fire(api.tx.assets.mint(USDC, maker.address, makerUsdc), alice);
  for (const v of victims) {
    await load.fire(api.tx.balances.transferKeepAlive(v.address, 10n * CLR), alice);
    await load.fire(api.tx.assets.mint(USDC, v.address, COLLATERAL + USDC_UNIT), alice);
  }
  const usdcOf = async (who) => (await api.query.assets.account(USDC, who.address)).unwrapOr(null)?.balance.toBigInt() ?? 0n;
  await load.until(async () => (await Promise.all([maker, ...victims].map(usdcOf))).every((b) => b > 0n), 'USDC minted', 60);

  await load.refreshNonces([maker, ...victims]);
  await load.fire(api.tx.vaults.deposit(0, USDC, makerUsdc - 1_000n * USDC_UNIT), maker);
  await load.fire(api.tx.orderbook.placeOrder(0, DOT_USD, 'Sell', OPEN_PRICE * FIXED, SIZE * BigInt(count), 'Limit', false), maker);
  for (const v of victims) await load.fire(api.tx.vaults.deposit(0, USDC, COLLATERAL), v);
  await load.drain(60);
  for (const v of victims) {
    await load.fire(api.tx.orderbook.placeOrder(0, DOT_USD, 'Buy', OPEN_PRICE * FIXED, SIZE, 'ImmediateOrCancel', false), v);
  }
  await load.drain(60);
  const holding = async (v) => (await api.call.marginApi.positions(v.address, 0)).some((p) => p.market.toNumber() === DOT_USD);
  const open = (await Promise.all(victims.map(holding))).filter(Boolean).length;
  if (open !== count) throw new Error(`only ${open} of ${count} traders hold a DOT position`);
  return victims;
}

// Per block from `from` to the head: Liquidated events (and how many came in the keeper's
// batches), failed extrinsics (a liquidation someone else got to first fails as not
// liquidatable) and fullness (every class's ref_time over the block's maximum: the keeper's
// batches are operational), to tell a block full by weight from one cut short by time.
async function liquidationsPerBlock(api, from) {
  const head = (await api.rpc.chain.getHeader()).number.toNumber();
  const blocks = [];
  const errors = {};
  for (let n = from; n <= head; n++) {
    const hash = await api.rpc.chain.getBlockHash(n);
    const at = await api.at(hash);
    const events = await at.query.system.events();
    const liquidated = events.filter(({ event }) => api.events.liquidation.Liquidated.is(event)).length;
    const failed = events.filter(({ event }) => api.events.system.ExtrinsicFailed.is(event)).length;
    const moment = (await at.query.timestamp.now()).toNumber();
    const fullness = await blockFullness(api, at, true);
    // What each liquidation extrinsic was charged (call and extensions, after refunds), per
    // subaccount it liquidated (a batch's charge over its entries).
    const { block } = await api.rpc.chain.getBlock(hash);
    const charged = { ok: [], failed: [] };
    const liquidatedBy = new Map();
    let batched = 0;
    for (const { phase, event } of events) {
      if (!phase.isApplyExtrinsic || !api.events.liquidation.Liquidated.is(event)) continue;
      const index = phase.asApplyExtrinsic.toNumber();
      liquidatedBy.set(index, (liquidatedBy.get(index) ?? 0) + 1);
      if (block.extrinsics[index].method.method === 'liquidateBatch') batched++;
    }
    for (const { phase, event } of events) {
      if (!phase.isApplyExtrinsic) continue;
      const index = phase.asApplyExtrinsic.toNumber();
      const extrinsic = block.extrinsics[index];
      if (extrinsic.method.section !== 'liquidation') continue;
      if (api.events.system.ExtrinsicSuccess.is(event)) {
        const entries = Math.max(1, liquidatedBy.get(index) ?? 0);
        charged.ok.push(event.data.dispatchInfo.weight.refTime.toNumber() / entries);
      }
      if (api.events.system.ExtrinsicFailed.is(event)) {
        charged.failed.push(event.data.dispatchInfo.weight.refTime.toNumber());
        const reason = `${errorName(api, event.data.dispatchError)} (${extrinsic.isSigned ? 'signed' : 'keeper'})`;
        errors[reason] = (errors[reason] ?? 0) + 1;
      }
    }
    blocks.push({ n, liquidated, batched, failed, moment, fullness, charged });
  }
  return { blocks, errors };
}

export async function massLiquidation({ api, alice, ring, load, senders, count }) {
  const victims = await openPositions(api, alice, ring, load, count);
  const crashAt = (await api.rpc.chain.getHeader()).number.toNumber() + 1;
  await feed('/control/set', { asset: 'DOT', price: CRASH_PRICE });
  await dotAt(api, load, CRASH_PRICE);
  // Liquidations wait for a few fresh aggregates in a row after a move: fire once they may.
  await load.until(async () => (await api.call.liquidationApi.liquidatable(null, 1)).length > 0, 'liquidatable trader');
  await load.refreshNonces(senders);
  let submitted = 0;
  // KEEPER_ONLY=1: no signed calls, the chain's keeper alone.
  const signers = process.env.KEEPER_ONLY === '1' ? [] : victims;
  const sends = signers.map((v, i) => load.fire(api.tx.liquidation.liquidate({ owner: v.address, number: 0 }), senders[i % senders.length]));
  submitted = (await Promise.all(sends)).filter(Boolean).length;
  await load.until(async () => (await api.call.liquidationApi.liquidatable(null, 1)).length === 0, 'end of the liquidations', 120);
  await load.drain(30);
  const seen = await liquidationsPerBlock(api, crashAt);
  const blocks = seen.blocks.filter((b) => b.liquidated > 0);
  const total = blocks.reduce((n, b) => n + b.liquidated, 0);
  const first = blocks[0];
  const last = blocks[blocks.length - 1];
  await feed('/control/walk', { asset: 'DOT', enabled: true });
  return {
    name: 'liquidation',
    submitted,
    liquidated: total,
    batched: blocks.reduce((n, b) => n + b.batched, 0),
    blocks: blocks.length,
    perBlockMedian: median(blocks.map((b) => b.liquidated)),
    perBlockMax: Math.max(...blocks.map((b) => b.liquidated)),
    fullnessMedian: median(blocks.map((b) => b.fullness)),
    failed: blocks.reduce((n, b) => n + b.failed, 0),
    chargedOk: median(blocks.flatMap((b) => b.charged.ok)),
    chargedFailed: median(blocks.flatMap((b) => b.charged.failed)),
    errors: Object.entries(seen.errors).map(([name, count]) => `${name} ×${count}`).join(', '),
    perBlock: blocks.map(({ n, liquidated, batched, fullness }) => ({ n, liquidated, batched, fullness })),
    spanBlocks: first ? last.n - first.n + 1 : 0,
    spanMs: first ? last.moment - first.moment : 0,
  };
}
