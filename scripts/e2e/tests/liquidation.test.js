// A crash cleared by the chain's own keeper: traders open leveraged ETH longs; the price feed
// drops ETH 30% in steps; with no call from this test, the validators' keeper liquidates
// them within a few blocks of each price landing on chain. A solvent account closes in the
// book and the insurance fund grows by its penalty; a bankrupt one goes to the backstop and
// the fund covers it; with the fund unable to cover the next, the most profitable short is
// deleveraged. After every block: Σ long = Σ short = open interest, the vaults' ledger adds
// up and holds its tokens, the fund's balance is in its account, and no liquidated
// subaccount is left with negative equity.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect, submit, feed, fund, USDC } from './helpers.js';

const ETH = 3;
const ETH_USD = 1;
const CLR = 10n ** 12n;
const UNIT = 1_000_000n; // USDC
const FIXED = 10n ** 18n;
const ETH_WEI = 10n ** 18n;
let ctx;

const usd = (dollars) => BigInt(Math.round(dollars * 100)) * FIXED / 100n;

// `modl` + a pallet id, zero-padded: the account of a FRAME `PalletId`.
const palletAccount = (id) => new Uint8Array(Buffer.concat([Buffer.from('modl'), Buffer.from(id), Buffer.alloc(20)]));

function waitForEth(dollars, maxBlocks = 20) {
  const want = usd(dollars);
  return new Promise((resolve, reject) => {
    let seen = 0;
    let unsub = () => {};
    ctx.api.rpc.chain.subscribeNewHeads(async (header) => {
      const q = await ctx.api.call.oracleApi.price(ETH);
      if (q.isSome && q.unwrap().price.toBigInt() === want && q.unwrap().status.isFresh) {
        unsub(); resolve(header.number.toNumber());
      } else if (++seen > maxBlocks) { unsub(); reject(new Error(`ETH not at ${dollars} within ${maxBlocks} blocks`)); }
    }).then((u) => { unsub = u; }, reject);
  });
}

async function trader(usdc) {
  const { api, alice, fresh } = ctx;
  const who = fresh();
  await fund(api, alice, who, { clr: 100n * CLR, usdc: usdc + 10n * UNIT });
  assert.equal((await submit(api, api.tx.vaults.deposit(0, USDC, usdc), who)).error, null);
  return who;
}

const order = (side, dollars, eth, kind) =>
  ctx.api.tx.orderbook.placeOrder(0, ETH_USD, side, usd(dollars), BigInt(eth * 1000) * ETH_WEI / 1000n, kind, false);

async function place(who, side, dollars, eth, kind) {
  const { error } = await submit(ctx.api, order(side, dollars, eth, kind), who);
  assert.equal(error, null, `${side} ${eth} ETH at ${dollars}`);
}

const positionOf = async (who, at) => {
  const api = at ? await ctx.api.at(at) : ctx.api;
  const views = await api.call.marginApi.positions(who.address, 0);
  const eth = views.find((p) => p.market.toNumber() === ETH_USD);
  return eth ? eth.baseSize.toBigInt() : 0n;
};

const fundBalance = async (at) => {
  const api = at ? await ctx.api.at(at) : ctx.api;
  return (await api.call.insuranceApi.fund()).balance.toBigInt();
};

// The invariants, read over RPC at block `hash`.
async function checkInvariants(hash, liquidated) {
  const api = await ctx.api.at(hash);
  const long = new Map();
  const short = new Map();
  for (const [key, position] of await api.query.margin.positions.entries()) {
    const market = key.args[1].toNumber();
    // polkadot.js renames a struct's `size` field (it clashes with `Map.size`).
    const size = position.unwrap().size_.toBigInt();
    const side = size > 0n ? long : short;
    side.set(market, (side.get(market) ?? 0n) + (size > 0n ? size : -size));
  }
  for (const [key, state] of await api.query.margin.marketStates.entries()) {
    const market = key.args[0].toNumber();
    assert.equal(long.get(market) ?? 0n, short.get(market) ?? 0n, `market ${market}: Σ long = Σ short at ${hash}`);
    assert.equal(state.openInterest.toBigInt(), long.get(market) ?? 0n, `market ${market}: open interest at ${hash}`);
  }
  const held = new Map();
  for (const [key, amount] of await api.query.vaults.collateral.entries()) {
    const asset = key.args[1].toNumber();
    held.set(asset, (held.get(asset) ?? 0n) + amount.unwrap().toBigInt());
  }
  const vault = palletAccount('clr/vlts');
  for (const [asset, sum] of held) {
    const total = (await api.query.vaults.totalCollateral(asset)).toBigInt();
    assert.equal(sum, total, `asset ${asset}: Σ collateral = total at ${hash}`);
  }
  const vaultUsdc = (await api.query.assets.account(USDC, vault)).unwrap().balance.toBigInt();
  assert.ok(vaultUsdc >= (await api.query.vaults.totalCollateral(USDC)).toBigInt(), 'the vault holds its USDC');
  const fundAccount = (await api.query.assets.account(USDC, palletAccount('clr/insr'))).unwrap().balance.toBigInt();
  assert.ok(fundAccount >= (await api.call.insuranceApi.fund()).balance.toBigInt(), 'the fund holds its balance');
  for (const who of liquidated) {
    const health = (await api.call.marginApi.accountHealth(who, 0)).unwrap();
    assert.ok(health.equity.toBigInt() >= 0n, `${who} left with negative equity at ${hash}`);
  }
}

// An event's fields by name (camelCase), as JSON.
const fields = (event) => Object.fromEntries(event.data.names.map((name, i) => [name, event.data[i].toJSON()]));

before(async () => {
  ctx = await connect();
  await feed('/control/set', { asset: 'ETH', price: '3000' });
  await waitForEth(3000);
});
after(async () => { await ctx?.api.disconnect(); });

test('a 30% crash is cleared by the keeper: book, backstop, deleveraging', { timeout: 600_000 }, async () => {
  const { api } = ctx;
  // The market maker sells every long its ETH, and later buys the levered short's.
  const mm = await trader(40_000n * UNIT);
  const solvent = await trader(1_800n * UNIT); // 10 ETH on $1,800: closes in the book
  const bankruptB = await trader(3_000n * UNIT); // 4 ETH on $3,000 (25%): bankrupt in a gap
  const bankruptC = await trader(3_000n * UNIT);
  const levered = await trader(1_000n * UNIT); // short 4 ETH on $1,000: the top-ranked short
  await place(mm, 'Sell', 3000, 18, 'Limit');
  for (const [who, eth] of [[solvent, 10], [bankruptB, 4], [bankruptC, 4]]) {
    await place(who, 'Buy', 3000, eth, 'ImmediateOrCancel');
  }
  await place(mm, 'Buy', 3000, 4, 'Limit');
  await place(levered, 'Sell', 3000, 4, 'ImmediateOrCancel');
  assert.equal(await positionOf(levered), -4n * ETH_WEI);
  // Bids for the solvent account's close, inside the 1% bound at $2,880.
  await place(mm, 'Buy', 2870, 10, 'Limit');

  // Watch every block from here: invariants, and when each liquidation lands.
  const addresses = new Map([[solvent.address, 'solvent'], [bankruptB.address, 'B'], [bankruptC.address, 'C']]);
  const liquidatedAt = new Map();
  const landed = []; // [block, ms, price]
  const seen = [];
  let checking = Promise.resolve();
  const failures = [];
  const unsub = await api.rpc.chain.subscribeNewHeads((header) => {
    const number = header.number.toNumber();
    const at = Date.now();
    checking = checking.then(async () => {
      const hash = await api.rpc.chain.getBlockHash(number);
      const events = await (await api.at(hash)).query.system.events();
      for (const { event } of events) {
        if (event.section === 'liquidation') seen.push({ number, at, method: event.method, data: fields(event) });
        if (api.events.liquidation.Liquidated.is(event)) {
          const who = event.data.subaccount.owner.toString();
          if (addresses.has(who) && !liquidatedAt.has(who)) liquidatedAt.set(who, { number, at });
        }
      }
      await checkInvariants(hash, [...liquidatedAt.keys()]);
    }).catch((e) => failures.push(e));
  });

  async function stepTo(dollars) {
    await feed('/control/set', { asset: 'ETH', price: String(dollars) });
    const block = await waitForEth(dollars);
    landed.push({ block, at: Date.now(), price: dollars });
  }
  async function waitFor(address, blocks = 10) {
    for (let i = 0; i < blocks * 4 && !liquidatedAt.has(address); i++) await new Promise((r) => setTimeout(r, 250));
    await checking;
    assert.ok(liquidatedAt.has(address), `${addresses.get(address)} liquidated within ${blocks} blocks`);
  }

  const fund0 = await fundBalance();
  // 1% steps: the solvent account falls below maintenance at $2,880.
  for (const price of [2970, 2940, 2910]) await stepTo(price);
  assert.equal(liquidatedAt.size, 0, 'nobody is liquidated above maintenance');
  await stepTo(2880);
  await waitFor(solvent.address);
  assert.equal(await positionOf(solvent), 0n);
  const penalty = seen.find((e) => e.method === 'PenaltyPaid');
  assert.ok(penalty, 'a penalty was paid');
  assert.equal(penalty.data.keeper, null, 'the keeper was the chain itself: all of it to the fund');
  const fund1 = await fundBalance();
  const closed = seen.find((e) => e.method === 'ClosedInBook');
  const notional = BigInt(closed.data.notional);
  assert.equal(notional, 28_700n * UNIT, '10 ETH closed at the $2,870 bid');
  assert.equal(BigInt(penalty.data.toFund), notional * 15n / 1000n, '1.5% of the closed notional');
  // The close's trading fees (taker 0.05%, maker 0.02%, rounded up) send half to the fund too.
  const fees = (notional * 500n + 999_999n) / 1_000_000n + (notional * 200n + 999_999n) / 1_000_000n;
  assert.equal(fund1, fund0 + BigInt(penalty.data.toFund) + fees / 2n, 'the fund grew by its penalty share');

  // Each bankruptcy below will cost the fund the same loss L: at $2,170 each 4 ETH long
  // bought at $3,000 on $3,000 is 4 × $830 − $3,000 = $320 under, less funding. Make the
  // fund cover exactly one of them.
  const loss = 320n * UNIT;
  if (fund1 < loss + loss / 2n) {
    const staker = ctx.fresh();
    await fund(api, ctx.alice, staker, { clr: 10n * CLR, usdc: loss * 2n });
    const { error } = await submit(api, api.tx.insurance.stake(loss + loss / 2n - fund1), staker);
    assert.equal(error, null);
  }
  assert.ok((await fundBalance()) < 2n * loss - 10n * UNIT, 'the fund covers one bankruptcy, not two');

  for (let price = 2850; price >= 2400; price -= 30) await stepTo(price);
  assert.equal(liquidatedAt.size, 1, 'B and C are healthy down to $2,400');
  // A gap of −9.6%: B and C are under water before anyone can act.
  const fundBefore = await fundBalance();
  await stepTo(2170);
  await waitFor(bankruptB.address);
  await waitFor(bankruptC.address);
  await stepTo(2100);
  unsub();
  await checking;
  assert.deepEqual(failures, []);

  const backstop = seen.filter((e) => e.method === 'TakenByBackstop');
  const deleveraged = seen.filter((e) => e.method === 'Deleveraged');
  assert.equal(backstop.length, 1, 'one bankruptcy went to the backstop');
  const covered = BigInt(backstop[0].data.lossCovered);
  assert.ok(covered > 300n * UNIT && covered < 340n * UNIT, `the fund covered about $320: ${covered}`);
  assert.equal(await fundBalance(), fundBefore - covered, 'the fund paid exactly the loss');
  assert.ok(deleveraged.length >= 1, 'the other was deleveraged');
  assert.equal(deleveraged[0].data.counterparty.owner, levered.address, 'the most profitable short went first');
  assert.equal(await positionOf(levered), 0n, 'its 4 ETH short absorbed the whole long');
  for (const who of [bankruptB, bankruptC]) assert.equal(await positionOf(who), 0n);

  // How fast: from each price landing to the liquidation it triggered.
  const delays = [...liquidatedAt.entries()].map(([who, { number, at }]) => {
    const trigger = landed.filter((l) => l.block <= number).at(-1);
    return { who: addresses.get(who), blocks: number - trigger.block, ms: at - trigger.at };
  });
  console.log(`liquidation delays: ${JSON.stringify(delays)}`);
  for (const d of delays) assert.ok(d.blocks <= 3, `${d.who} liquidated ${d.blocks} blocks after the price landed`);
});
