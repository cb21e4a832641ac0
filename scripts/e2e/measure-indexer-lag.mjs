// The indexer's lag behind finality under load: every 250 ms, the node's finalized block
// (its own subscription) less the block the indexer last committed (`/status`). Runs until
// SIGTERM/SIGINT, then prints one JSON line: samples, median, p99 and max lag in blocks, and
// the blocks finalized meanwhile.
//   node measure-indexer-lag.mjs <indexer-url>
import { connect } from './tests/helpers.js';

const indexerUrl = process.argv[2] ?? 'http://127.0.0.1:3001';
const { api } = await connect();
let finalized = 0;
let firstFinalized = null;
await api.rpc.chain.subscribeFinalizedHeads((header) => {
  finalized = header.number.toNumber();
  firstFinalized ??= finalized;
});
const lags = [];
const timer = setInterval(async () => {
  try {
    const status = await (await fetch(`${indexerUrl}/status`)).json();
    if (finalized) lags.push(Math.max(0, finalized - status.indexed));
  } catch { lags.push(Number.NaN); }
}, 250);

function finish() {
  clearInterval(timer);
  const valid = lags.filter((lag) => Number.isFinite(lag)).sort((a, b) => a - b);
  const at = (q) => valid[Math.min(valid.length - 1, Math.floor(q * valid.length))] ?? null;
  console.log(JSON.stringify({ samples: valid.length, unanswered: lags.length - valid.length, median: at(0.5), p99: at(0.99), max: valid.at(-1) ?? null, blocks: finalized - (firstFinalized ?? finalized) }));
  process.exit(0);
}
process.on('SIGTERM', finish);
process.on('SIGINT', finish);
