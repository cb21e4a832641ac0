// Dynamic haircuts on a real node. CLR's `dev` curve: a 25% floor; 12% per unit of realized
// volatility, at most 50%; a holding counts for less per unit past about 200,000 CLR
// (1.1 / (1 + 0.5·√(holding / 250,000 CLR))). `vaultsApi.haircut` quotes a holding before
// it is deposited, `vaultsApi.collateral` shows each holding's haircut in force and why.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Keyring } from '@polkadot/api';
import { connect, submit, feed, fund, sudo, waitUntil } from './helpers.js';

const CLR_ID = 0;
const CLR = 10n ** 12n;
const FIXED = 10n ** 18n;
const PPM = 1_000_000n;
// The oracle's realized volatility: an EWMA keeping λ = 0.9995 per one-minute sample.
const LAMBDA_COMPLEMENT = 0.0005;
const SAMPLES_A_YEAR = 525_960;
let ctx;
let funder;
let genesisCurve;

const setCurve = (curve, what) => sudo(ctx.api, ctx.alice, ctx.api.tx.vaults.setHaircutCurve(CLR_ID, curve), what);

async function quote(holding) {
  const cut = (await ctx.api.call.vaultsApi.haircut(CLR_ID, holding)).unwrap();
  return {
    haircut: BigInt(cut.haircut.toNumber()),
    binding: cut.binding.toString(),
    volatilityHaircut: BigInt(cut.volatilityHaircut.toNumber()),
    sizeWeight: BigInt(cut.sizeWeight.toNumber()),
  };
}

async function realizedVolatility() {
  const rv = await ctx.api.call.oracleApi.realizedVolatility(CLR_ID);
  return rv.isSome ? rv.unwrap().toBigInt() : 0n;
}

async function clrPrice() {
  return (await ctx.api.call.oracleApi.price(CLR_ID)).unwrap().price.toBigInt();
}

before(async () => {
  ctx = await connect();
  // Eve's CLR, which no other e2e test spends (the web app test, after the suite, pays fees from it).
  funder = new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri('//Eve');
  genesisCurve = (await ctx.api.query.vaults.haircutCurves(CLR_ID)).unwrap().toJSON();
});

after(async () => {
  if (ctx && genesisCurve) await setCurve(genesisCurve, 'the genesis curve back').catch(() => {});
  await ctx?.api.disconnect();
});

test('a large CLR deposit is cut more per unit than a small one, and the vaults say why', { timeout: 120_000 }, async () => {
  const { api } = ctx;
  // The volatility term off, so the size term shows whatever CLR's volatility is by now.
  await setCurve({ ...genesisCurve, volatilityFactor: 0 }, 'a size-only curve');

  // Quotes before any deposit: the floor until about 200,000 CLR, then more with every size.
  const sizes = [1_000n, 100_000n, 300_000n, 400_000n, 900_000n].map((n) => n * CLR);
  const quotes = [];
  for (const size of sizes) quotes.push(await quote(size));
  assert.deepEqual(quotes.slice(0, 2).map((q) => [q.haircut, q.binding]), [[250_000n, 'Floor'], [250_000n, 'Floor']]);
  for (let i = 2; i < quotes.length; i++) {
    assert.equal(quotes[i].binding, 'Size');
    assert.ok(quotes[i].haircut > quotes[i - 1].haircut, `${sizes[i] / CLR} CLR cut more than ${sizes[i - 1] / CLR}`);
  }
  // 900,000 CLR: 1.1 / (1 + 0.5·√3.6) = 56.45% counted.
  assert.ok(quotes[4].sizeWeight >= 564_000n && quotes[4].sizeWeight <= 565_000n, `${quotes[4].sizeWeight}`);

  // A real 400,000 CLR deposit: the view shows the size term binding and values it so.
  const whale = ctx.fresh();
  await fund(api, funder, whale, { clr: 400_010n * CLR, usdc: 0n });
  const { error } = await submit(api, api.tx.vaults.deposit(0, CLR_ID, 400_000n * CLR), whale);
  assert.equal(error, null, 'the deposit goes in');
  const view = await api.call.vaultsApi.collateral(whale.address, 0);
  const holding = view.assets.find((a) => a.asset.toNumber() === CLR_ID);
  const cut = holding.haircut.unwrap();
  assert.equal(cut.binding.toString(), 'Size');
  assert.equal(BigInt(cut.haircut.toNumber()), quotes[3].haircut);
  // value = 400,000 × price × (1 − haircut), in USDC units, within a unit's rounding.
  const price = await clrPrice();
  const expected = (400_000n * price * 1_000_000n / FIXED) * (PPM - quotes[3].haircut) / PPM;
  const value = holding.value.toBigInt();
  assert.ok(value <= expected && expected - value <= 1_000_000n, `value ${value} against ${expected}`);
});

test('a sharp CLR move raises its realized volatility, and the haircut follows', { timeout: 400_000 }, async () => {
  // CLR +50% over 20 s: one squared log return of ln(1.5)² adds at most (1 − λ)·ln(1.5)² a
  // sample to the variance. Choose the volatility factor so the term stays under a 90% cap
  // whatever CLR's volatility was before (earlier tests move CLR too).
  const before = await realizedVolatility();
  const r = Math.log(1.5);
  const bound = Math.sqrt((Number(before) / 1e18) ** 2 + 1.2 * LAMBDA_COMPLEMENT * r * r * SAMPLES_A_YEAR);
  const factor = BigInt(Math.min(1_000_000, Math.floor(850_000 / bound)));
  const curve = { ...genesisCurve, volatilityFactor: Number(factor), maxVolatilityHaircut: 900_000 };
  await setCurve(curve, 'a curve whose volatility term shows');
  const small = 1_000n * CLR;
  const start = await quote(small);

  const p0 = await clrPrice();
  const top = p0 * 3n / 2n;
  const dollars = (fixed) => (Number(fixed / 10n ** 12n) / 1e6).toFixed(4);
  const pinned = (fixed) => BigInt(Math.round(Number(dollars(fixed)) * 1e4)) * 10n ** 14n;
  await feed('/control/path', { asset: 'CLR', points: [[0, dollars(p0)], [20, dollars(top)]] });
  // The first sample after the path starts may catch only part of the move: wait for the
  // top, then for a sample taken after it (the volatility changes at every sample).
  await waitUntil(ctx.api, async () => (await clrPrice()) === pinned(top), 60);
  const atTop = await realizedVolatility();
  await waitUntil(ctx.api, async () => (await realizedVolatility()) !== atTop, 90);
  // Both read at one block.
  const at = await ctx.api.at(await ctx.api.rpc.chain.getBlockHash());
  const afterRv = await at.call.oracleApi.realizedVolatility(CLR_ID);
  const after = afterRv.isSome ? afterRv.unwrap().toBigInt() : 0n;
  const endCut = (await at.call.vaultsApi.haircut(CLR_ID, small)).unwrap();
  const end = {
    haircut: BigInt(endCut.haircut.toNumber()),
    binding: endCut.binding.toString(),
    volatilityHaircut: BigInt(endCut.volatilityHaircut.toNumber()),
  };
  assert.ok(after > before, `realized volatility ${before} → ${after}`);

  assert.ok(end.volatilityHaircut > start.volatilityHaircut, `${start.volatilityHaircut} → ${end.volatilityHaircut}`);
  assert.ok(end.haircut > start.haircut, `${start.haircut} → ${end.haircut}`);
  assert.equal(end.binding, 'Volatility');
  // The term is the factor times the volatility, rounded up, and under its cap.
  const term = (factor * after + FIXED - 1n) / FIXED;
  assert.equal(end.volatilityHaircut, term < 900_000n ? term : 900_000n);

  // CLR back where it was.
  await feed('/control/path', { asset: 'CLR', points: [[0, dollars(top)], [20, dollars(p0)]] });
  await waitUntil(ctx.api, async () => (await clrPrice()) === pinned(p0), 60);
});
