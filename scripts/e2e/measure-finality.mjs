// Measures block production and finality of a running node over a window, from its RPC
// subscriptions: block interval (median, p95, p99), and finality lag in blocks (best − finalized
// when each block arrives) and in ms (block arrival → the moment it is finalized).
// Usage: node measure-finality.mjs [ws-url] [seconds]
import { ApiPromise, WsProvider } from '@polkadot/api';

const url = process.argv[2] ?? 'ws://127.0.0.1:9944';
const seconds = Number(process.argv[3] ?? 60);

const quantile = (values, q) => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
};

const api = await ApiPromise.create({ provider: new WsProvider(url), noInitWarn: true });
const slotDuration = Number(api.consts.aura.slotDuration.toBigInt());
const arrivedAt = new Map(); // block number → ms when first announced
const finalizedAt = new Map(); // block number → ms when first covered by a finalized head
const lagBlocks = [];
let finalized = (await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead())).number.toNumber();
const finalizedAtStart = finalized;
let best = -1;

const unsubFinal = await api.rpc.chain.subscribeFinalizedHeads((h) => {
  const now = Date.now();
  const n = h.number.toNumber();
  for (let b = finalized + 1; b <= n; b++) if (!finalizedAt.has(b)) finalizedAt.set(b, now);
  finalized = Math.max(finalized, n);
});
const unsubNew = await api.rpc.chain.subscribeNewHeads((h) => {
  const n = h.number.toNumber();
  if (n <= best) return;
  best = n;
  arrivedAt.set(n, Date.now());
  lagBlocks.push(n - finalized);
});

await new Promise((r) => setTimeout(r, seconds * 1000));
unsubNew();
// Give the last blocks a few seconds to finalize before computing their lag.
await new Promise((r) => setTimeout(r, 5000));
unsubFinal();
await api.disconnect();

const numbers = [...arrivedAt.keys()].sort((a, b) => a - b);
const intervals = [];
let missed = 0;
for (let i = 1; i < numbers.length; i++) {
  if (numbers[i] !== numbers[i - 1] + 1) continue;
  const dt = arrivedAt.get(numbers[i]) - arrivedAt.get(numbers[i - 1]);
  intervals.push(dt);
}
const slotMs = Number(process.env.SLOT_MS ?? slotDuration);
missed = intervals.filter((dt) => dt > 1.5 * slotMs).length;
// Blocks already final when measuring began have no arrival-to-finality time.
const measured = numbers.filter((n) => n > finalizedAtStart);
const lagMs = measured.filter((n) => finalizedAt.has(n)).map((n) => finalizedAt.get(n) - arrivedAt.get(n));
const report = {
  url, seconds, slot_ms: slotMs, blocks: numbers.length,
  interval_ms: { median: quantile(intervals, 0.5), p95: quantile(intervals, 0.95), p99: quantile(intervals, 0.99) },
  intervals_over_1_5_slots: missed,
  finality_lag_blocks: { median: quantile(lagBlocks, 0.5), p95: quantile(lagBlocks, 0.95) },
  finality_lag_ms: { median: quantile(lagMs, 0.5), p95: quantile(lagMs, 0.95) },
  not_finalized_at_end: measured.length - lagMs.length,
};
console.log(JSON.stringify(report, null, 2));
