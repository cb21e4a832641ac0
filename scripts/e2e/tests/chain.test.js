// The chain identifies itself, produces a block about every second and finalizes right behind.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect, median } from './helpers.js';

let ctx;
before(async () => { ctx = await connect(); });
after(async () => { await ctx?.api.disconnect(); });

test('reports its name, runtime and native token CLR with 12 decimals', async () => {
  const { api } = ctx;
  assert.match((await api.rpc.system.chain()).toString(), /^Clearing/);
  assert.equal(api.runtimeVersion.specName.toString(), 'clearing');
  assert.deepEqual(api.registry.chainTokens, ['CLR']);
  assert.deepEqual(api.registry.chainDecimals, [12]);
  const props = await api.rpc.system.properties();
  assert.equal(props.tokenSymbol.unwrap()[0].toString(), 'CLR');
});

test('runtime APIs are callable by name from the metadata', async () => {
  const { api, alice } = ctx;
  // `api.call` exists only when the metadata (v15+) describes the runtime APIs.
  const version = await api.call.core.version();
  assert.equal(version.specName.toString(), 'clearing');
  const nonce = await api.call.accountNonceApi.accountNonce(alice.address);
  assert.ok(nonce.toNumber() >= 0);
  const slot = await api.call.auraApi.slotDuration();
  assert.equal(slot.toNumber(), 1000);
});

test('blocks arrive about every second and finality stays within 3 blocks', async () => {
  const { api } = ctx;
  // Let the first GRANDPA round conclude before measuring.
  for (let i = 0; i < 30 && (await api.rpc.chain.getFinalizedHead().then((h) => api.rpc.chain.getHeader(h))).number.toNumber() < 1; i++) {
    await new Promise((r) => setTimeout(r, 500));
  }
  let finalized = 0;
  const unsubFinal = await api.rpc.chain.subscribeFinalizedHeads((h) => { finalized = h.number.toNumber(); });
  const arrivals = [];
  const lags = [];
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${arrivals.length} blocks in 30 s`)), 30_000);
    let seen = -1;
    api.rpc.chain.subscribeNewHeads((header) => {
      const n = header.number.toNumber();
      if (n <= seen) return; // a re-announced or reorged head: not a new block
      seen = n;
      arrivals.push(Date.now());
      lags.push(n - finalized);
      if (arrivals.length === 11) { clearTimeout(timer); resolve(); }
    }).then((unsub) => { ctx.unsubHeads = unsub; }, reject);
  });
  ctx.unsubHeads?.();
  unsubFinal();
  const intervals = arrivals.slice(1).map((t, i) => (t - arrivals[i]) / 1000);
  const m = median(intervals);
  assert.ok(m >= 0.8 && m <= 1.3, `median block interval ${m} s (intervals ${intervals.join(', ')})`);
  assert.ok(Math.max(...lags) <= 3, `finality lag in blocks: ${lags.join(', ')}`);
});
