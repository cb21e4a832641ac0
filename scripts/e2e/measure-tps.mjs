// Sustained throughput of a running node per workload, each as a ratio to the stock
// baseline (balances.transfer_keep_alive) measured in the same run.
//   node measure-tps.mjs <seconds> <senders> <workloads>   (see scripts/bench/tps; `quoting`
//   counts orders, every other workload extrinsics)
// Each workload: every sender submits a burst of signed extrinsics (its own nonces) every
// block for <seconds> (or RATE per second), then the pool drains. Reported from the chain:
// the workload's successful extrinsics per block and per second, block fullness
// (normal-class ref_time used / allowed), and how many the pool rejected, failed in their
// block (e.g. a full book), or were never included.
import { connect, median } from './tests/helpers.js';
import { blockFullness, errorName, loader } from './load.mjs';
import { massLiquidation } from './mass-liquidation.mjs';

const [seconds, senderCount, workloadList] = [Number(process.argv[2] ?? 20), Number(process.argv[3] ?? 256),
  (process.argv[4] ?? 'transfer,resting,crossing,mix,liquidation').split(',')];
const CLR = 10n ** 12n;
const USDC = 1;
const USDC_UNIT = 1_000_000n;
const FIXED = 10n ** 18n;
const BTC_USD = 0;
const BTC_STEP = 10_000n; // 0.0001 BTC

// RATE=<extrinsics per second> holds the load at that rate instead of the most the pool takes.
const RATE = Number(process.env.RATE ?? 0);
const BACKLOG = Number(process.env.BACKLOG ?? 1_000);
// VICTIMS=<n>: traders the mass-liquidation workload opens and liquidates.
const VICTIMS = Number(process.env.VICTIMS ?? 600);
const ctx = await connect();
const { api, alice } = ctx;
const slotMs = Number(api.consts.aura.slotDuration.toBigInt());

function say(...args) { console.log(...args); }

// Deterministic senders, so a rerun against the same chain reuses their funds.
const { Keyring } = await import('@polkadot/keyring');
const ring = new Keyring({ type: 'sr25519', ss58Format: 42 });
const senders = Array.from({ length: senderCount }, (_, i) => ring.addFromUri(`//Alice//tps//${i}`));
// The crossing workload's liquidity comes from accounts of its own, so no workload's
// senders start with open orders (an account holds at most 64).
const MAKERS = 64;
const makers = Array.from({ length: MAKERS }, (_, i) => ring.addFromUri(`//Alice//tps-maker//${i}`));
const load = loader(api);
const { fire, waitBlocks, drain } = load;

// Every sender and maker gets CLR (fees) and USDC collateral (margin, order deposits) in subaccount 0,
// shared out of Alice's genesis USDC (one-step orders need a few dollars of margin).
async function prepareSenders() {
  const everyone = [...senders, ...makers];
  const usdcEach = BigInt(Math.min(10_000, Math.floor(900_000 / everyone.length))) * USDC_UNIT;
  const needs = [];
  for (const s of everyone) {
    const free = (await api.query.system.account(s.address)).data.free.toBigInt();
    if (free < 100n * CLR) needs.push(s);
  }
  say(`funding ${needs.length} of ${everyone.length} accounts`);
  for (const s of needs) {
    await fire(api.tx.balances.transferKeepAlive(s.address, 500n * CLR), alice);
    await fire(api.tx.assets.transfer(USDC, s.address, usdcEach), alice);
  }
  const usdcOf = async (s) => (await api.query.assets.account(USDC, s.address)).unwrapOr(null)?.balance.toBigInt() ?? 0n;
  await until(async () => (await Promise.all(needs.map(usdcOf))).every((b) => b >= usdcEach), 'USDC to arrive');
  for (const s of needs) await fire(api.tx.vaults.deposit(0, USDC, usdcEach * 9n / 10n), s);
  const collateralOf = async (s) => (await api.call.vaultsApi.collateral(s.address, 0)).totalValue.toBigInt();
  await until(async () => (await Promise.all(needs.map(collateralOf))).every((v) => v > 0n), 'the deposits');
}

async function until(check, what) {
  try {
    await load.until(check, what);
  } catch (e) {
    throw new Error(`funding the senders failed: ${e.message}`);
  }
}

// A resting order away from the market, inside the price band (±10% of the index): never
// crosses. Sender `i`'s `j`-th order spreads over the book's 128 price levels a side, from
// subaccount 0, whose collateral sets its margin aside.
let btcIndex = null;
async function prepareResting() {
  const quote = (await api.call.oracleApi.price(2)).unwrap();
  btcIndex = quote.price.toBigInt() / FIXED;
}
function restingOrder(i, j) {
  const level = BigInt((i * 7 + j) % 128);
  const buy = j % 2 === 0;
  const price = (buy ? btcIndex * 95n / 100n - level : btcIndex * 105n / 100n + level) * FIXED;
  return api.tx.orderbook.placeOrder(0, BTC_USD, buy ? 'Buy' : 'Sell', price, BTC_STEP, 'PostOnly', false);
}

const transfer = (i) => api.tx.balances.transferKeepAlive(senders[(i + 1) % senders.length].address, CLR);

// Crossing orders trade on ETH-USD, so the resting workload's far BTC levels never block
// them. The makers fill the ask side over every level (up to MaxLevels x MaxOrdersPerLevel
// one-step asks a little above the index, at most MaxOpenOrders per maker); the takers (the
// second half of the senders) each buy one step with an immediate-or-cancel order priced
// through every level: exactly one fill per crossing order while asks last.
const ETH_USD = 1;
const ETH = 3;
const ETH_TICK = FIXED / 100n;
const ETH_STEP = 10n ** 15n; // 0.001 ETH
const LEVELS = 128;
const PER_LEVEL = 32;
const OPEN_ORDERS = 64;
let crossingLimit = null;
async function prepareCrossing() {
  const quote = (await api.call.oracleApi.price(ETH)).unwrap();
  const base = (quote.price.toBigInt() / FIXED + 1n) * FIXED;
  crossingLimit = base + BigInt(LEVELS + 100) * ETH_TICK;
  const asks = Math.min(LEVELS * PER_LEVEL, makers.length * OPEN_ORDERS);
  let placed = 0;
  for (let g = 0; g < asks; g++) {
    const maker = makers[g % makers.length];
    const price = base + BigInt(g % LEVELS) * ETH_TICK;
    if (await fire(api.tx.orderbook.placeOrder(0, ETH_USD, 'Sell', price, ETH_STEP, 'PostOnly', false), maker)) placed++;
    if (g % 512 === 511) await waitBlocks(1);
  }
  await drain(120);
  say(`${await restingAsks()} of ${asks} asks rest on ETH-USD (${placed} accepted by the pool)`);
}
async function restingAsks() {
  const depth = await api.call.orderbookApi.depth(ETH_USD, LEVELS);
  return depth.asks.reduce((n, [, size]) => n + Number(size.toBigInt() / ETH_STEP), 0);
}
const crossing = () => api.tx.orderbook.placeOrder(0, ETH_USD, 'Buy', crossingLimit, ETH_STEP, 'ImmediateOrCancel', false);

// Market makers re-quoting: the first QUOTERS senders each alternate `cancelAll` with a
// `placeOrders` of 8 bids and 8 asks a tick apart around the index (post-only); as many other
// senders take one step of the best ask with an immediate-or-cancel order. Counted in orders:
// each batch's placed entries, each cancel_all's cancelled orders, each taker's order.
const QUOTERS = 16;
function quotingTx(i, j) {
  if (i >= QUOTERS) {
    return api.tx.orderbook.placeOrder(0, BTC_USD, 'Buy', (btcIndex + 20n) * FIXED, BTC_STEP, 'ImmediateOrCancel', false);
  }
  if (j % 2 === 0) return api.tx.orderbook.cancelAll(0, null);
  const quote = (side, dollars) => ({ market: BTC_USD, side, price: dollars * FIXED, size: BTC_STEP, kind: 'PostOnly', reduceOnly: false });
  const levels = [...Array(8).keys()].map(BigInt);
  return api.tx.orderbook.placeOrders(0, [
    ...levels.map((k) => quote('Buy', btcIndex - 2n - k)),
    ...levels.map((k) => quote('Sell', btcIndex + 2n + k)),
  ], false);
}
// Orders an included quoting extrinsic at `index` placed or cancelled, from its events.
function quotingOrders(method, index, events) {
  const own = events.filter(({ phase }) => phase.isApplyExtrinsic && phase.asApplyExtrinsic.toNumber() === index).map(({ event }) => event);
  if (method.method === 'placeOrders') return own.filter((e) => e.section === 'orderbook' && e.method === 'BatchEntry' && e.data[1].isOk).length;
  if (method.method === 'cancelAll') return own.filter((e) => e.section === 'orderbook' && e.method === 'AllCancelled').reduce((n, e) => n + e.data[2].toNumber(), 0);
  return 1;
}

const WORKLOADS = {
  quoting: {
    senders: () => senders.slice(0, 2 * QUOTERS),
    tx: (i, j) => quotingTx(i, j),
    matches: (m) => m.section === 'orderbook',
    orders: quotingOrders,
  },
  transfer: { senders: () => senders, tx: (i, j) => transfer(i), matches: (m) => m.section === 'balances' && m.method === 'transferKeepAlive' },
  // The first half rests orders, the second half crosses and mixes: an account holds at most
  // 64 open orders, so the mix's resting third must not start where the resting run left off.
  resting: { senders: () => senders.slice(0, senders.length / 2), tx: (i, j) => restingOrder(i, j), matches: (m) => m.section === 'orderbook' },
  crossing: { senders: () => senders.slice(senders.length / 2), tx: () => crossing(), matches: (m) => m.section === 'orderbook' },
  mix: {
    senders: () => senders.slice(senders.length / 2),
    tx: (i, j) => [transfer(i), restingOrder(i, 1000 + j), crossing()][j % 3],
    matches: (m) => m.section === 'orderbook' || (m.section === 'balances' && m.method === 'transferKeepAlive'),
  },
};

// `pallet.Error` of a failed extrinsic's dispatch error (or its kind, if not a pallet's).
async function run(name) {
  const workload = WORKLOADS[name];
  const who = workload.senders();
  const signers = new Set(who.map((p) => p.address));
  // Fresh nonces, read one sender at a time (parallel misses would race): what the pool
  // dropped last time must not leave a gap.
  await load.refreshNonces(who);

  const offset = name === 'mix' || name === 'crossing' ? senders.length / 2 : 0;
  const perBlock = [];
  let submitted = 0;
  let rejected = 0;
  let counted = 0;
  let includedTx = 0; // extrinsics (`counted` is orders for a workload that counts orders)
  let failed = 0;
  const errors = new Map(); // dispatch error → how many of the workload's extrinsics failed with it
  const startBlock = (await api.rpc.chain.getHeader()).number.toNumber() + 1;
  // At most: every block, the pool is topped up to BACKLOG pending extrinsics (a few blocks'
  // worth: more only makes the drain long and spills into the next workload). At RATE (per
  // second): that many per second in all. Either way round-robin over the senders.
  const perBlockTarget = RATE > 0 ? Math.max(1, Math.round(RATE * slotMs / 1000)) : 0;
  const deadline = Date.now() + seconds * 1000;
  let cursor = 0;
  while (Date.now() < deadline) {
    const sends = [];
    const count = perBlockTarget > 0
      ? perBlockTarget
      : Math.max(0, BACKLOG - (await api.rpc.author.pendingExtrinsics()).length);
    for (let t = 0; t < count; t++, cursor++) {
      const k = cursor % who.length;
      sends.push(fire(workload.tx(k + offset, Math.floor(cursor / who.length)), who[k]));
    }
    const results = await Promise.all(sends);
    submitted += results.filter(Boolean).length;
    rejected += results.filter((ok) => !ok).length;
    await waitBlocks(1);
  }
  // Let the pool drain, counting every block since the load began.
  await drain(90);
  const endBlock = (await api.rpc.chain.getHeader()).number.toNumber();
  for (let n = startBlock; n <= endBlock; n++) {
    const hash = await api.rpc.chain.getBlockHash(n);
    const block = await api.rpc.chain.getBlock(hash);
    const at = await api.at(hash);
    const events = await at.query.system.events();
    const failedAt = new Map(events
      .filter(({ phase, event }) => phase.isApplyExtrinsic && api.events.system.ExtrinsicFailed.is(event))
      .map(({ phase, event }) => [phase.asApplyExtrinsic.toNumber(), errorName(api, event.data[0])]));
    let included = 0;
    let failedHere = 0;
    block.block.extrinsics.forEach((x, index) => {
      if (!(x.isSigned && signers.has(x.signer.toString()) && workload.matches(x.method))) return;
      if (failedAt.has(index)) {
        failedHere++;
        const name = failedAt.get(index);
        errors.set(name, (errors.get(name) ?? 0) + 1);
      } else {
        includedTx++;
        included += workload.orders ? workload.orders(x.method, index, events) : 1;
      }
    });
    const fullness = await blockFullness(api, at);
    perBlock.push({ n, included, fullness });
    counted += included;
    failed += failedHere;
  }
  const loaded = perBlock.filter((b) => b.included > 0);
  const blockMs = Number(api.consts.aura.slotDuration.toBigInt());
  const perBlockMedian = median(loaded.map((b) => b.included));
  return {
    name,
    submitted,
    rejected,
    included: counted,
    failed,
    errors: [...errors].map(([name, n]) => `${name} ×${n}`).join(', '),
    dropped: submitted - includedTx - failed,
    blocks: loaded.length,
    perBlockMedian,
    perSecond: perBlockMedian * 1000 / blockMs,
    fullnessMedian: median(loaded.map((b) => b.fullness)),
  };
}

await prepareSenders();
await prepareResting();
if (workloadList.includes('crossing') || workloadList.includes('mix')) {
  say('resting the asks the crossing orders take');
  await prepareCrossing();
}
const results = [];
for (const name of workloadList.filter((n) => n !== 'liquidation')) {
  say(`running ${name} for ${seconds} s with ${WORKLOADS[name].senders().length} senders`);
  results.push(await run(name));
  await drain();
  if (name === 'crossing' || name === 'mix') {
    const left = await restingAsks();
    say(`  ${left} asks left on ETH-USD${left === 0 ? ': RAN OUT, the figure undercounts crossing orders' : ''}`);
  }
}
const base = results.find((r) => r.name === 'transfer');
say('\nworkload   | succeeded/s (median block) | blocks | fullness (median) | submitted | rejected | failed | not included | vs transfer');
for (const r of results) {
  const ratio = base ? (r.perSecond / base.perSecond).toFixed(2) + '×' : 'n/a';
  say(`${r.name.padEnd(10)} | ${r.perSecond.toFixed(0).padStart(26)} | ${String(r.blocks).padStart(6)} | ${(r.fullnessMedian.toFixed(1) + '%').padStart(17)} | ${String(r.submitted).padStart(9)} | ${String(r.rejected).padStart(8)} | ${String(r.failed).padStart(6)} | ${String(r.dropped).padStart(7)} | ${ratio}`);
  if (r.errors) say(`           failed with: ${r.errors}`);
}
if (workloadList.includes('liquidation')) {
  say(`\nmass liquidation: ${VICTIMS} traders at 9× leverage, DOT −7%, liquidated by ${senders.length} senders and the keeper`);
  const r = await massLiquidation({ api, alice, ring, load, senders, count: VICTIMS });
  const perSecond = r.perBlockMedian * 1000 / slotMs;
  const ratio = base ? (perSecond / base.perSecond).toFixed(2) + '×' : 'n/a';
  say('liquidated | per block (median / most) | per s (median block) | blocks with any | first to last | fullness, whole block (median) | failed calls | vs transfer');
  say(`${String(r.liquidated).padStart(10)} | ${`${r.perBlockMedian} / ${r.perBlockMax}`.padStart(24)} | ${perSecond.toFixed(0).padStart(20)} | ${String(r.blocks).padStart(15)} | ${`${r.spanBlocks} blocks, ${r.spanMs} ms`.padStart(13)} | ${(r.fullnessMedian.toFixed(1) + '%').padStart(30)} | ${String(r.failed).padStart(12)} | ${ratio}`);
  const gigas = (w) => (w === undefined || Number.isNaN(w) ? 'n/a' : `${(w / 1e9).toFixed(2)} G`);
  say(`${r.batched} of ${r.liquidated} liquidated in the keeper's batches`);
  for (const b of r.perBlock) say(`  block ${b.n}: ${b.liquidated} liquidated (${b.batched} batched), ${b.fullness.toFixed(1)}% of the block's weight`);
  say(`charged per liquidation (median, call + extensions, a batch's over its entries; before the ${gigas(Number(api.consts.system.blockWeights.perClass.normal.baseExtrinsic.refTime.toBigInt()))} base): ${gigas(r.chargedOk)} liquidated, ${gigas(r.chargedFailed)} failed`);
  if (r.errors) say(`failed liquidate calls: ${r.errors}`);
}
await api.disconnect();
process.exit(0);
