// The store: SQLite (a file, the default: no server to run) or PostgreSQL (a `postgres://`
// URL). Both behind one small async interface, so the indexer and the API never branch:
// `transaction(fn)` runs `fn(tx)` atomically (a block and the cursor land together or not at
// all), `all`/`get` read committed rows. SQL is written with `?` placeholders.
import { TABLES, INDEXES } from './schema.js';

// Columns the backends return as text or bigint that the API serves as numbers.
const INTEGER_COLUMNS = new Set([
  'block_number', 'event_index', 'ts', 'number', 'to_number', 'market', 'asset', 'extrinsic_index',
  'base_asset', 'base_decimals', 'updated_block', 'placed_block', 'placed_ts', 'position', 'events',
  'underlying', 'expiry', 'enact_at', 'maker_number', 'taker_number', 'start', 'trades', 'span', 'placed_index',
]);

function normalize(row) {
  if (!row) return row;
  const out = {};
  for (const [key, value] of Object.entries(row)) {
    out[key] = INTEGER_COLUMNS.has(key) && value !== null && value !== undefined ? Number(value) : value;
  }
  return out;
}

export function isPostgresUrl(url) {
  return /^postgres(ql)?:\/\//.test(url);
}

export async function openStore(url) {
  const store = isPostgresUrl(url) ? await openPostgres(url) : await openSqlite(url);
  await store.transaction(async (tx) => {
    for (const ddl of Object.values(TABLES)) await tx.run(ddl);
    for (const ddl of INDEXES) await tx.run(ddl);
  });
  return store;
}

async function openSqlite(path) {
  const { default: Database } = await import('better-sqlite3');
  const writer = new Database(path);
  writer.pragma('journal_mode = WAL');
  writer.pragma('synchronous = NORMAL');
  // Readers get their own handle: they see committed blocks only, never one half-applied.
  const reader = new Database(path, { readonly: false });
  const statements = new Map();
  const prepare = (db, sql) => {
    const key = `${db === writer ? 'w' : 'r'}:${sql}`;
    let statement = statements.get(key);
    if (!statement) { statement = db.prepare(sql); statements.set(key, statement); }
    return statement;
  };
  const tx = {
    run: async (sql, params = []) => { prepare(writer, sql).run(...params); },
    get: async (sql, params = []) => normalize(prepare(writer, sql).get(...params)),
  };
  let busy = Promise.resolve();
  return {
    kind: 'sqlite',
    async transaction(fn) {
      // One writer at a time: a transaction is awaited whole before the next begins.
      const run = busy.then(async () => {
        writer.exec('BEGIN IMMEDIATE');
        try {
          const result = await fn(tx);
          writer.exec('COMMIT');
          return result;
        } catch (error) {
          writer.exec('ROLLBACK');
          throw error;
        }
      });
      busy = run.catch(() => {});
      return run;
    },
    all: async (sql, params = []) => prepare(reader, sql).all(...params).map(normalize),
    get: async (sql, params = []) => normalize(prepare(reader, sql).get(...params)),
    async close() { writer.close(); reader.close(); },
  };
}

function numbered(sql) {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

async function openPostgres(url) {
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  // An idle client dropped by the server (a database restart) is an error event, not a crash:
  // the next query reconnects.
  pool.on('error', (error) => console.error(`postgres: ${error.message}`));
  let busy = Promise.resolve();
  return {
    kind: 'postgres',
    async transaction(fn) {
      const run = busy.then(async () => {
        const client = await pool.connect();
        const tx = {
          run: async (sql, params = []) => { await client.query(numbered(sql), params); },
          get: async (sql, params = []) => normalize((await client.query(numbered(sql), params)).rows[0]),
        };
        try {
          await client.query('BEGIN');
          // One writer per database: a second indexer on it waits, then finds the block stored.
          await client.query('SELECT pg_advisory_xact_lock(7291264)');
          const result = await fn(tx);
          await client.query('COMMIT');
          client.release();
          return result;
        } catch (error) {
          await client.query('ROLLBACK').catch(() => {});
          // A client that failed is not handed out again.
          client.release(error);
          throw error;
        }
      });
      busy = run.catch(() => {});
      return run;
    },
    all: async (sql, params = []) => (await pool.query(numbered(sql), params)).rows.map(normalize),
    get: async (sql, params = []) => normalize((await pool.query(numbered(sql), params)).rows[0]),
    async close() { await pool.end(); },
  };
}

// `INSERT … ON CONFLICT DO NOTHING` of one row given as an object.
export async function insert(tx, table, row) {
  const columns = Object.keys(row);
  const sql = `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')}) ON CONFLICT DO NOTHING`;
  await tx.run(sql, columns.map((column) => row[column] ?? null));
}

// Inserts `row`, or replaces the columns other than `key` (a column or a list of them) of the
// row with the same key.
export async function upsert(tx, table, row, key) {
  const keys = Array.isArray(key) ? key : [key];
  const columns = Object.keys(row);
  const updates = columns.filter((column) => !keys.includes(column)).map((column) => `${column} = excluded.${column}`);
  const sql = `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')}) ON CONFLICT (${keys.join(', ')}) DO UPDATE SET ${updates.join(', ')}`;
  await tx.run(sql, columns.map((column) => row[column] ?? null));
}
