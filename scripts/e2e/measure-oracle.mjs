// Oracle latency and weight, against a running dev chain fed by scripts/price-feed:
// - latency: blocks and ms from pinning a new BTC price at the feed to the aggregate on chain
//   (median and p95 over N changes of ±2%);
// - weight: `oracle.feedPrices` (1 and 3 assets) against `balances.transferKeepAlive`.
// Usage: node measure-oracle.mjs [ws-url] [feed-url] [changes]
import { ApiPromise, WsProvider, Keyring } from '@polkadot/api';
import { cryptoWaitReady } from '@polkadot/util-crypto';

const url = process.argv[2] ?? 'ws://127.0.0.1:9944';
const feedUrl = process.argv[3] ?? 'http://127.0.0.1:8099';
const changes = Number(process.argv[4] ?? 20);
const BTC = 2;
const UNIT = 10n ** 18n;

await cryptoWaitReady();
const api = await ApiPromise.create({ provider: new WsProvider(url), noInitWarn: true });
const alice = new Keyring({ type: 'sr25519' }).addFromUri('//Alice');
const bob = new Keyring({ type: 'sr25519' }).addFromUri('//Bob');

const quantile = (v, q) => [...v].sort((a, b) => a - b)[Math.min(v.length - 1, Math.ceil(q * v.length) - 1)];
const quote = async () => { const q = await api.call.oracleApi.price(BTC); return q.isSome ? q.unwrap() : null; };
const fixed = (text) => { const [w, f = ''] = text.split('.'); return BigInt(w) * UNIT + BigInt((f + '0'.repeat(18)).slice(0, 18)); };

let best = 0;
let bestAt = Date.now();
const waiters = new Set();
await api.rpc.chain.subscribeNewHeads((h) => {
  best = h.number.toNumber();
  bestAt = Date.now();
  for (const w of waiters) w(best, bestAt);
});

async function waitFor(check, maxBlocks = 15) {
  const start = best;
  return new Promise((resolve, reject) => {
    const w = async (n, at) => {
      const q = await quote();
      if (q && check(q)) { waiters.delete(w); resolve({ n, at }); }
      else if (n - start > maxBlocks) { waiters.delete(w); reject(new Error('timed out')); }
    };
    waiters.add(w);
  });
}

await waitFor((q) => q.status.isFresh, 60);
const blocks = [];
const millis = [];
for (let i = 0; i < changes; i++) {
  const current = (await quote()).price.toBigInt();
  const factor = i % 2 === 0 ? 102n : 98n;
  const text = `${(current * factor) / 100n / UNIT}.5`;
  const target = fixed(text);
  const b0 = best;
  const t0 = Date.now();
  await fetch(`${feedUrl}/control/set`, { method: 'POST', body: JSON.stringify({ asset: 'BTC', price: text }) });
  const { n, at } = await waitFor((q) => q.price.toBigInt() === target);
  blocks.push(n - b0);
  millis.push(at - t0);
}

const weightOf = async (tx) => (await tx.paymentInfo(alice)).weight.refTime.toBigInt();
const transfer = await weightOf(api.tx.balances.transferKeepAlive(bob.address, 1n));
const feedOne = await weightOf(api.tx.oracle.feedPrices([[BTC, UNIT]]));
const feedThree = await weightOf(api.tx.oracle.feedPrices([[2, UNIT], [3, UNIT], [4, UNIT]]));
const ratio = (w) => Number((w * 1000n) / transfer) / 1000;
console.log(JSON.stringify({
  url, changes,
  latency_blocks: { median: quantile(blocks, 0.5), p95: quantile(blocks, 0.95), all: blocks },
  latency_ms: { median: quantile(millis, 0.5), p95: quantile(millis, 0.95) },
  weight_ref_time: {
    transfer_keep_alive: transfer.toString(),
    feed_prices_1: feedOne.toString(), feed_prices_1_ratio: ratio(feedOne),
    feed_prices_3: feedThree.toString(), feed_prices_3_ratio: ratio(feedThree),
  },
}, null, 2));
process.exit(0);
