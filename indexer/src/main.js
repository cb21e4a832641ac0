#!/usr/bin/env node
// clearing-indexer: follows a Clearing node's finalized blocks into SQLite or PostgreSQL and
// serves the history over HTTP. Options (or the environment variable beside each):
//   --ws URL        the node's RPC (CLEARING_WS, default ws://127.0.0.1:9944)
//   --db PATH|URL   a SQLite file or a postgres:// URL (INDEXER_DB, default clearing-indexer.sqlite)
//   --port N        the API's port (INDEXER_PORT, default 3001); --host (INDEXER_HOST, 127.0.0.1)
//   --from N        the first block when the database is empty (default 1)
//   --until N       stop once block N is indexed (a replay; default: follow for ever)
import { ApiPromise, WsProvider } from '@polkadot/api';
import { openStore } from './db.js';
import { Follower } from './follower.js';
import { createServer } from './server.js';

function options(argv) {
  const out = {
    ws: process.env.CLEARING_WS ?? 'ws://127.0.0.1:9944',
    db: process.env.INDEXER_DB ?? 'clearing-indexer.sqlite',
    port: Number(process.env.INDEXER_PORT ?? 3001),
    host: process.env.INDEXER_HOST ?? '127.0.0.1',
    from: 1,
    until: null,
  };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === '--ws') out.ws = value;
    else if (flag === '--db') out.db = value;
    else if (flag === '--port') out.port = Number(value);
    else if (flag === '--host') out.host = value;
    else if (flag === '--from') out.from = Number(value);
    else if (flag === '--until') out.until = Number(value);
    else throw new Error(`unknown option ${flag} (see the header of src/main.js)`);
  }
  if (!Number.isInteger(out.port) || out.port < 0 || out.port > 65535) throw new Error('--port must be a port number');
  if (!Number.isInteger(out.from) || out.from < 1) throw new Error('--from must be a block number ≥ 1');
  if (out.until !== null && (!Number.isInteger(out.until) || out.until < out.from)) throw new Error('--until must be a block number ≥ --from');
  return out;
}

const log = (message) => console.error(`${new Date().toISOString()} ${message}`);

async function main() {
  const opts = options(process.argv.slice(2));
  const store = await openStore(opts.db);
  // Reconnects by itself (every second) when the node restarts.
  const provider = new WsProvider(opts.ws, 1000);
  provider.on('disconnected', () => log(`disconnected from ${opts.ws}; reconnecting`));
  provider.on('connected', () => log(`connected to ${opts.ws}`));
  const api = await ApiPromise.create({ provider, noInitWarn: true });
  let server;
  const follower = new Follower({ api, store, from: opts.from, until: opts.until, log, onBlock: (block, touched) => server?.publish(block, touched) });
  server = createServer({ store, follower, ss58Format: api.registry.chainSS58 ?? 42, log });
  await new Promise((resolve) => server.server.listen(opts.port, opts.host, resolve));
  const { port } = server.server.address();
  log(`indexing ${opts.ws} into ${store.kind}; API on http://${opts.host}:${port}`);
  let stopping = false;
  const running = follower.run();
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    follower.stop();
    // The block being applied commits (or not) before the store closes.
    await running.catch(() => {});
    await server.close();
    await api.disconnect();
    await store.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  await running;
  // `--until` reached: the replay is complete.
  await stop();
}

main().catch((error) => {
  log(`clearing-indexer: ${error.message}`);
  process.exit(1);
});
