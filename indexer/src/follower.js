// Follows finalized blocks: reads the next blocks ahead in parallel, applies them strictly in
// order, each in one transaction with the cursor, so a kill at any point resumes at the first
// block not committed and ends with the same rows. A lost connection (node restart) is
// retried from the cursor until the node is back.
import { applyBlock, changesMarkets } from './decode.js';
import { readBlock, marketsAt } from './chain.js';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// The database was filled from another chain (its block at the cursor differs): refusing to
// mix two chains' rows is the only safe answer; point `--db` at a new file or database.
export class ChainMismatch extends Error {
  constructor(cursor, hash) {
    super(`the database's block ${cursor.number} is ${cursor.hash}, the node's is ${hash}: it indexes another chain`);
  }
}

// The node no longer has the state of a block still to index (events are state): the
// indexer needs an archive node, `--state-pruning archive-canonical`.
export class StatePruned extends Error {
  constructor(detail) {
    super(`the node has pruned the state of blocks still to index (${detail}); run it with --state-pruning archive-canonical`);
  }
}

export class Follower {
  constructor({ api, store, from = 1, until = null, readAhead = 8, log = () => {}, onBlock = () => {} }) {
    Object.assign(this, { api, store, from, until, readAhead, log, onBlock });
    this.stopped = false;
    this.finalized = 0;
    this.indexed = null;
  }

  async cursor() {
    const row = await this.store.get('SELECT block_number, block_hash FROM cursor WHERE id = 1');
    return row ? { number: row.block_number, hash: row.block_hash } : null;
  }

  async finalizedNumber() {
    const head = await this.api.rpc.chain.getFinalizedHead();
    const header = await this.api.rpc.chain.getHeader(head);
    return header.number.toNumber();
  }

  stop() { this.stopped = true; }

  async run() {
    while (!this.stopped) {
      try {
        await this.catchUp();
        if (this.until !== null && this.indexed && this.indexed.number >= this.until) break;
        await sleep(200);
      } catch (error) {
        if (this.stopped) break;
        if (error instanceof ChainMismatch) throw error;
        // Events live in state: a node that pruned a block's state cannot give them again.
        if (/State already discarded|unknown Block/i.test(error.message)) throw new StatePruned(error.message);
        this.log(`indexing paused: ${error.message}; retrying from the cursor`);
        await sleep(1000);
      }
    }
  }

  async catchUp() {
    const cursor = await this.cursor();
    this.indexed = cursor;
    if (cursor) {
      const hash = await this.api.rpc.chain.getBlockHash(cursor.number);
      // A node still syncing (or restarted from scratch) has no block there yet: wait.
      if (hash.isEmpty || /^0x0+$/.test(hash.toHex())) throw new Error(`the node has no block ${cursor.number} yet`);
      if (hash.toHex() !== cursor.hash) throw new ChainMismatch(cursor, hash.toHex());
    }
    let next = cursor ? cursor.number + 1 : this.from;
    let haveMarkets = Boolean(await this.store.get('SELECT market FROM markets LIMIT 1'));
    this.finalized = await this.finalizedNumber();
    const end = () => (this.until === null ? this.finalized : Math.min(this.finalized, this.until));
    while (!this.stopped && next <= end()) {
      const last = Math.min(end(), next + this.readAhead - 1);
      const numbers = [];
      for (let n = next; n <= last; n += 1) numbers.push(n);
      const blocks = await Promise.all(numbers.map((n) => readBlock(this.api, n, {})));
      for (const block of blocks) {
        if (this.stopped) return;
        if (!haveMarkets || block.events.some(changesMarkets)) {
          block.markets = await marketsAt(block.apiAt);
          haveMarkets = true;
        }
        const touched = await this.store.transaction((tx) => applyBlock(tx, block));
        this.indexed = { number: block.number, hash: block.hash };
        this.onBlock(block, touched);
      }
      next = last + 1;
      if (next > this.finalized) this.finalized = await this.finalizedNumber();
    }
  }
}
