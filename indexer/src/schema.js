// The tables, one DDL for both backends. Amounts, prices and sizes are the chain's integers
// as decimal text (u128 and i128 do not fit a SQL integer); every history row is keyed by the
// block hash and the event's index in the block, so applying a block twice adds nothing.

const EVENT_KEY = 'block_hash TEXT NOT NULL, event_index INTEGER NOT NULL, block_number BIGINT NOT NULL, ts BIGINT NOT NULL';

export const TABLES = {
  cursor: `CREATE TABLE IF NOT EXISTS cursor (
    id INTEGER PRIMARY KEY, block_number BIGINT NOT NULL, block_hash TEXT NOT NULL)`,
  blocks: `CREATE TABLE IF NOT EXISTS blocks (
    number BIGINT PRIMARY KEY, hash TEXT NOT NULL UNIQUE, ts BIGINT NOT NULL, events INTEGER NOT NULL)`,
  events: `CREATE TABLE IF NOT EXISTS events (${EVENT_KEY},
    extrinsic_index INTEGER, pallet TEXT NOT NULL, method TEXT NOT NULL, data TEXT NOT NULL,
    PRIMARY KEY (block_hash, event_index))`,
  markets: `CREATE TABLE IF NOT EXISTS markets (
    market BIGINT PRIMARY KEY, base_asset BIGINT NOT NULL, base_decimals INTEGER NOT NULL,
    status TEXT NOT NULL, config TEXT NOT NULL, updated_block BIGINT NOT NULL)`,
  trades: `CREATE TABLE IF NOT EXISTS trades (${EVENT_KEY},
    market BIGINT NOT NULL, price TEXT NOT NULL, size TEXT NOT NULL, taker_side TEXT NOT NULL,
    maker_order TEXT NOT NULL, taker_order TEXT NOT NULL,
    maker TEXT NOT NULL, maker_number INTEGER NOT NULL, taker TEXT NOT NULL, taker_number INTEGER NOT NULL,
    taker_fee TEXT NOT NULL, maker_fee TEXT NOT NULL, maker_rebate TEXT NOT NULL,
    PRIMARY KEY (block_hash, event_index))`,
  // Candles per market of a minute, an hour and a day (`span` in ms), kept as trades land: a
  // request reads at most a few thousand of these, never a scan of the trades.
  candles: `CREATE TABLE IF NOT EXISTS candles (
    market BIGINT NOT NULL, span BIGINT NOT NULL, start BIGINT NOT NULL, open TEXT NOT NULL, high TEXT NOT NULL,
    low TEXT NOT NULL, close TEXT NOT NULL, volume TEXT NOT NULL, trades INTEGER NOT NULL,
    PRIMARY KEY (market, span, start))`,
  fills: `CREATE TABLE IF NOT EXISTS fills (${EVENT_KEY},
    role TEXT NOT NULL, owner TEXT NOT NULL, number INTEGER NOT NULL, market BIGINT NOT NULL,
    side TEXT NOT NULL, price TEXT NOT NULL, size TEXT NOT NULL, order_id TEXT NOT NULL,
    fee TEXT NOT NULL, rebate TEXT NOT NULL,
    PRIMARY KEY (block_hash, event_index, role))`,
  orders: `CREATE TABLE IF NOT EXISTS orders (
    order_id TEXT PRIMARY KEY, owner TEXT NOT NULL, number INTEGER NOT NULL, market BIGINT NOT NULL,
    side TEXT NOT NULL, price TEXT NOT NULL, size TEXT NOT NULL, kind TEXT NOT NULL, client_id TEXT,
    status TEXT NOT NULL, remaining TEXT NOT NULL, filled TEXT NOT NULL,
    placed_block BIGINT NOT NULL, placed_index INTEGER NOT NULL, placed_ts BIGINT NOT NULL, updated_block BIGINT NOT NULL)`,
  order_events: `CREATE TABLE IF NOT EXISTS order_events (${EVENT_KEY},
    order_id TEXT NOT NULL, kind TEXT NOT NULL, remaining TEXT, detail TEXT,
    PRIMARY KEY (block_hash, event_index))`,
  positions: `CREATE TABLE IF NOT EXISTS positions (${EVENT_KEY},
    owner TEXT NOT NULL, number INTEGER NOT NULL, market BIGINT NOT NULL,
    size TEXT NOT NULL, cost_basis TEXT NOT NULL, realized TEXT, price TEXT,
    PRIMARY KEY (block_hash, event_index))`,
  funding_rates: `CREATE TABLE IF NOT EXISTS funding_rates (${EVENT_KEY},
    market BIGINT NOT NULL, rate TEXT NOT NULL, funding_index TEXT NOT NULL,
    PRIMARY KEY (block_hash, event_index))`,
  funding_payments: `CREATE TABLE IF NOT EXISTS funding_payments (${EVENT_KEY},
    owner TEXT NOT NULL, number INTEGER NOT NULL, market BIGINT NOT NULL, amount TEXT NOT NULL,
    PRIMARY KEY (block_hash, event_index))`,
  liquidations: `CREATE TABLE IF NOT EXISTS liquidations (${EVENT_KEY},
    step TEXT NOT NULL, owner TEXT NOT NULL, number INTEGER NOT NULL, market BIGINT,
    size TEXT, detail TEXT NOT NULL,
    PRIMARY KEY (block_hash, event_index))`,
  collateral: `CREATE TABLE IF NOT EXISTS collateral (${EVENT_KEY},
    kind TEXT NOT NULL, owner TEXT NOT NULL, number INTEGER NOT NULL, to_number INTEGER, to_owner TEXT,
    asset BIGINT NOT NULL, amount TEXT NOT NULL,
    PRIMARY KEY (block_hash, event_index))`,
  insurance: `CREATE TABLE IF NOT EXISTS insurance (${EVENT_KEY},
    kind TEXT NOT NULL, who TEXT, amount TEXT, shares TEXT, detail TEXT NOT NULL,
    PRIMARY KEY (block_hash, event_index))`,
  oracle_prices: `CREATE TABLE IF NOT EXISTS oracle_prices (${EVENT_KEY},
    position INTEGER NOT NULL, source TEXT NOT NULL, asset BIGINT NOT NULL, price TEXT NOT NULL,
    PRIMARY KEY (block_hash, event_index, position))`,
  governance: `CREATE TABLE IF NOT EXISTS governance (${EVENT_KEY},
    kind TEXT NOT NULL, change_id TEXT, change TEXT, enact_at BIGINT, detail TEXT NOT NULL,
    PRIMARY KEY (block_hash, event_index))`,
  settlements: `CREATE TABLE IF NOT EXISTS settlements (${EVENT_KEY},
    kind TEXT NOT NULL, underlying BIGINT, expiry BIGINT, market BIGINT, owner TEXT, number INTEGER,
    price TEXT, amount TEXT, detail TEXT NOT NULL,
    PRIMARY KEY (block_hash, event_index))`,
};

// Every page is newest first by (block_number, event_index), over a whole table, an owner's
// rows, or a market's or asset's: each has an index in that order.
const PAGED = ['events', 'trades', 'fills', 'positions', 'funding_rates', 'funding_payments', 'liquidations',
  'collateral', 'insurance', 'oracle_prices', 'governance', 'settlements'];
export const INDEXES = [
  ...PAGED.map((table) => `CREATE INDEX IF NOT EXISTS ${table}_newest ON ${table} (block_number, event_index)`),
  ...['fills', 'positions', 'funding_payments', 'liquidations', 'collateral'].flatMap((table) => [
    `CREATE INDEX IF NOT EXISTS ${table}_owner ON ${table} (owner, block_number, event_index)`,
    `CREATE INDEX IF NOT EXISTS ${table}_subaccount ON ${table} (owner, number, block_number, event_index)`,
  ]),
  'CREATE INDEX IF NOT EXISTS trades_market ON trades (market, block_number, event_index)',
  'CREATE INDEX IF NOT EXISTS funding_rates_market ON funding_rates (market, block_number, event_index)',
  'CREATE INDEX IF NOT EXISTS positions_market ON positions (owner, number, market, block_number, event_index)',
  'CREATE INDEX IF NOT EXISTS oracle_asset ON oracle_prices (asset, block_number, event_index)',
  'CREATE INDEX IF NOT EXISTS oracle_source ON oracle_prices (asset, source, block_number, event_index)',
  'CREATE INDEX IF NOT EXISTS orders_owner ON orders (owner, placed_block, placed_index)',
  'CREATE INDEX IF NOT EXISTS orders_subaccount ON orders (owner, number, placed_block, placed_index)',
];

// The history tables the test compares between runs (every table keyed by an event).
export const HISTORY_TABLES = [
  'blocks', 'events', 'trades', 'fills', 'order_events', 'positions', 'funding_rates',
  'funding_payments', 'liquidations', 'collateral', 'insurance', 'oracle_prices', 'governance',
  'settlements', 'orders', 'markets', 'candles',
];
