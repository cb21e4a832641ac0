// The REST API and the websocket push. Every list is newest first and paginated by an opaque
// `cursor` (the `next` of the previous page); bad input gets a 400 with a named error.
import http from 'node:http';
import { WebSocketServer } from 'ws';
import { decodeAddress, encodeAddress } from '@polkadot/util-crypto';
import { INTERVALS, mergeCandles, sourceSpan } from './candles.js';

export class BadRequest extends Error {
  constructor(code, message, status = 400) { super(message); this.code = code; this.status = status; }
}

const MAX_LIMIT = 1000;
const MAX_SOCKETS = 256;
const MAX_SUBSCRIPTIONS = 16;
const MAX_BUFFERED = 1 << 20;
const DAY_MS = 86_400_000;

export function parseLimit(value, fallback = 100) {
  if (value === null || value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > MAX_LIMIT) {
    throw new BadRequest('BadLimit', `limit must be an integer from 1 to ${MAX_LIMIT}`);
  }
  return Number(value);
}

export function parseMarket(value) {
  if (!/^\d+$/.test(value) || Number(value) > 0xffff_ffff) {
    throw new BadRequest('BadMarket', `market must be a market id (an integer from 0 to 4294967295), got "${value}"`);
  }
  return Number(value);
}

export function parseInterval(value) {
  if (!(value in INTERVALS)) {
    throw new BadRequest('BadInterval', `interval must be one of ${Object.keys(INTERVALS).join(', ')}, got "${value}"`);
  }
  return INTERVALS[value];
}

// An account (32 bytes) in SS58 or hex, as the chain's SS58 text.
export function parseAddress(value, ss58Format) {
  let key = null;
  try { key = decodeAddress(value); } catch { /* refused below */ }
  if (!key || key.length !== 32) throw new BadRequest('BadAddress', `"${value}" is not an account address (SS58, or 32 bytes of hex)`);
  return encodeAddress(key, ss58Format);
}

function parseSubaccount(value) {
  if (value === null || value === undefined) return null;
  if (!/^\d+$/.test(value) || Number(value) > 0xffff) throw new BadRequest('BadSubaccount', 'subaccount must be an integer from 0 to 65535');
  return Number(value);
}

// A page's cursor: "<block_number>.<event_index>" of its last row.
export function parseCursor(value) {
  if (value === null || value === undefined) return null;
  const match = /^(\d+)\.(\d+)$/.exec(value);
  if (!match) throw new BadRequest('BadCursor', 'cursor must be the "next" value of a previous page');
  return [Number(match[1]), Number(match[2])];
}

function integer(value, name) {
  if (value === null || value === undefined) return null;
  if (!/^\d+$/.test(value)) throw new BadRequest('BadParameter', `${name} must be a non-negative integer`);
  return Number(value);
}

// A newest-first page of `table` rows matching `where`.
async function page(store, table, where, params, query) {
  const limit = parseLimit(query.get('limit'));
  const cursor = parseCursor(query.get('cursor'));
  const clauses = [...where];
  const values = [...params];
  if (cursor) {
    clauses.push('(block_number < ? OR (block_number = ? AND event_index < ?))');
    values.push(cursor[0], cursor[0], cursor[1]);
  }
  const sql = `SELECT * FROM ${table}${clauses.length ? ` WHERE ${clauses.join(' AND ')}` : ''} ORDER BY block_number DESC, event_index DESC LIMIT ?`;
  const rows = await store.all(sql, [...values, limit + 1]);
  const items = rows.slice(0, limit).map(expand);
  const last = items[items.length - 1];
  return { items, next: rows.length > limit && last ? `${last.block_number}.${last.event_index}` : null };
}

// JSON columns served as values.
function expand(row) {
  const out = { ...row };
  for (const column of ['detail', 'change', 'config', 'data']) {
    if (typeof out[column] === 'string') out[column] = JSON.parse(out[column]);
  }
  return out;
}

export function createServer({ store, follower, ss58Format = 42, log = () => {} }) {
  const routes = [];
  const route = (pattern, handler) => routes.push([pattern, handler]);
  const knownMarket = async (market) => {
    if (!(await store.get('SELECT market FROM markets WHERE market = ?', [market]))) {
      throw new BadRequest('UnknownMarket', `no market ${market} on this chain`, 404);
    }
    return market;
  };
  const account = (params, query) => {
    const owner = parseAddress(params[0], ss58Format);
    const number = parseSubaccount(query.get('subaccount'));
    const where = ['owner = ?'];
    const values = [owner];
    if (number !== null) { where.push('number = ?'); values.push(number); }
    return { where, values };
  };

  route(/^\/status$/, async () => {
    const cursor = await store.get('SELECT block_number, block_hash FROM cursor WHERE id = 1');
    const indexed = cursor ? cursor.block_number : 0;
    return { indexed, indexed_hash: cursor?.block_hash ?? null, finalized: follower?.finalized ?? null,
      lag: follower?.finalized ? Math.max(0, follower.finalized - indexed) : null };
  });
  route(/^\/markets$/, async () => {
    const markets = await store.all('SELECT * FROM markets ORDER BY market');
    const latest = await store.get('SELECT MAX(ts) AS ts FROM blocks');
    const since = (latest?.ts ?? 0) - DAY_MS;
    const out = [];
    for (const market of markets) {
      // The last 24 whole hours and the current one.
      const hours = await store.all('SELECT volume, trades FROM candles WHERE market = ? AND span = ? AND start >= ?',
        [market.market, INTERVALS['1h'], Math.floor(since / INTERVALS['1h']) * INTERVALS['1h']]);
      const last = await store.get('SELECT price FROM trades WHERE market = ? ORDER BY block_number DESC, event_index DESC LIMIT 1', [market.market]);
      const funding = await store.get('SELECT rate, funding_index, block_number FROM funding_rates WHERE market = ? ORDER BY block_number DESC, event_index DESC LIMIT 1', [market.market]);
      out.push({
        ...expand(market), last_price: last?.price ?? null,
        volume_24h: String(hours.reduce((sum, h) => sum + BigInt(h.volume), 0n)),
        trades_24h: hours.reduce((sum, h) => sum + h.trades, 0), funding: funding ?? null,
      });
    }
    return { items: out };
  });
  route(/^\/markets\/([^/]+)$/, async ([m]) => {
    const market = await knownMarket(parseMarket(m));
    return expand(await store.get('SELECT * FROM markets WHERE market = ?', [market]));
  });
  route(/^\/markets\/([^/]+)\/trades$/, async ([m], query) => {
    const market = await knownMarket(parseMarket(m));
    return page(store, 'trades', ['market = ?'], [market], query);
  });
  route(/^\/markets\/([^/]+)\/funding$/, async ([m], query) => {
    const market = await knownMarket(parseMarket(m));
    return page(store, 'funding_rates', ['market = ?'], [market], query);
  });
  // Candles from the minute rows: at most `limit` intervals, ending at `to` (default: after
  // the last indexed block).
  route(/^\/markets\/([^/]+)\/candles$/, async ([m], query) => {
    const market = await knownMarket(parseMarket(m));
    const name = query.get('interval') ?? '1m';
    const interval = parseInterval(name);
    const limit = parseLimit(query.get('limit'));
    const latest = await store.get('SELECT MAX(ts) AS ts FROM blocks');
    const to = integer(query.get('to'), 'to') ?? (latest?.ts ?? 0) + 1;
    const from = integer(query.get('from'), 'from') ?? Math.floor(to / interval) * interval - (limit - 1) * interval;
    if (from >= to) throw new BadRequest('BadRange', 'from must be before to');
    if (to - from > limit * interval) throw new BadRequest('BadRange', `from..to spans more than limit (${limit}) intervals`);
    const start = Math.floor(from / interval) * interval;
    const rows = await store.all('SELECT * FROM candles WHERE market = ? AND span = ? AND start >= ? AND start < ? ORDER BY start',
      [market, sourceSpan(interval), start, to]);
    return { interval: name, items: mergeCandles(rows, interval).slice(-limit) };
  });
  // An account's history, one table per route (`pnl`: its position changes).
  const ACCOUNT_TABLES = { fills: 'fills', pnl: 'positions', funding: 'funding_payments', liquidations: 'liquidations', collateral: 'collateral' };
  for (const [name, table] of Object.entries(ACCOUNT_TABLES)) {
    route(new RegExp(`^/accounts/([^/]+)/${name}$`), async (params, query) => {
      const { where, values } = account(params, query);
      return page(store, table, where, values, query);
    });
  }
  route(/^\/accounts\/([^/]+)\/orders$/, async (params, query) => {
    const { where, values } = account(params, query);
    const status = query.get('status');
    if (status !== null) {
      if (!['open', 'resting', 'filled', 'cancelled', 'replaced'].includes(status)) throw new BadRequest('BadStatus', 'status must be open, resting, filled, cancelled or replaced');
      where.push('status = ?'); values.push(status);
    }
    const limit = parseLimit(query.get('limit'));
    const cursor = parseCursor(query.get('cursor'));
    if (cursor) {
      where.push('(placed_block < ? OR (placed_block = ? AND placed_index < ?))');
      values.push(cursor[0], cursor[0], cursor[1]);
    }
    const rows = await store.all(`SELECT * FROM orders WHERE ${where.join(' AND ')} ORDER BY placed_block DESC, placed_index DESC LIMIT ?`, [...values, limit + 1]);
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return { items, next: rows.length > limit && last ? `${last.placed_block}.${last.placed_index}` : null };
  });
  for (const table of ['insurance', 'governance', 'settlements', 'liquidations']) {
    route(new RegExp(`^/${table}$`), async (_, query) => page(store, table, [], [], query));
  }
  route(/^\/oracle\/([^/]+)\/prices$/, async ([a], query) => {
    const asset = integer(a, 'asset');
    const where = ['asset = ?'];
    const values = [asset];
    const source = query.get('source');
    if (source !== null) { where.push('source = ?'); values.push(source === 'aggregate' ? source : parseAddress(source, ss58Format)); }
    return page(store, 'oracle_prices', where, values, query);
  });

  const server = http.createServer(async (request, response) => {
    const send = (status, body) => {
      response.writeHead(status, { 'content-type': 'application/json', 'access-control-allow-origin': '*' });
      response.end(JSON.stringify(body));
    };
    if (request.method !== 'GET') return send(405, { error: 'MethodNotAllowed', message: 'the API is read-only: GET only' });
    let url;
    try { url = new URL(request.url, 'http://localhost'); } catch { return send(400, { error: 'BadUrl', message: 'the request URL cannot be parsed' }); }
    for (const [pattern, handler] of routes) {
      const match = pattern.exec(url.pathname);
      if (!match) continue;
      try {
        let params;
        try { params = match.slice(1).map(decodeURIComponent); } catch { throw new BadRequest('BadUrl', 'a path segment is not valid percent-encoding'); }
        return send(200, await handler(params, url.searchParams));
      } catch (error) {
        if (error instanceof BadRequest) return send(error.status, { error: error.code, message: error.message });
        log(`${url.pathname}: ${error.stack ?? error}`);
        return send(500, { error: 'Internal', message: 'the indexer could not answer; see its log' });
      }
    }
    return send(404, { error: 'NotFound', message: `no route ${url.pathname}` });
  });

  // Websocket: {"subscribe":"trades","market":0} | {"subscribe":"orders","market":0} |
  // {"subscribe":"account","address":"5…"}; each finalized block pushes what it changed.
  // Bounded: small messages, a few subscriptions per socket, a cap on sockets, and a socket
  // that stops reading (its unsent data past 1 MiB) or answering pings is dropped.
  const sockets = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  server.on('upgrade', (request, socket, head) => {
    let path = null;
    try { path = new URL(request.url, 'http://localhost').pathname; } catch { /* refused below */ }
    if (path !== '/ws' || sockets.clients.size >= MAX_SOCKETS) return socket.destroy();
    sockets.handleUpgrade(request, socket, head, (ws) => {
      ws.subscriptions = [];
      ws.alive = true;
      ws.on('pong', () => { ws.alive = true; });
      ws.on('error', () => ws.terminate());
      ws.on('message', (raw) => {
        const reply = (body) => ws.send(JSON.stringify(body));
        let message;
        try { message = JSON.parse(String(raw)); } catch { return reply({ error: 'BadMessage', message: 'messages are JSON' }); }
        try {
          const channel = message?.subscribe;
          let subscription;
          if (channel === 'trades' || channel === 'orders') subscription = { channel, market: parseMarket(String(message.market)) };
          else if (channel === 'account') subscription = { channel, address: parseAddress(String(message.address), ss58Format) };
          else throw new BadRequest('BadChannel', 'subscribe to "trades", "orders" (with a market) or "account" (with an address)');
          const same = ws.subscriptions.some((held) => JSON.stringify(held) === JSON.stringify(subscription));
          if (!same && ws.subscriptions.length >= MAX_SUBSCRIPTIONS) throw new BadRequest('TooManySubscriptions', `at most ${MAX_SUBSCRIPTIONS} subscriptions per socket`);
          if (!same) ws.subscriptions.push(subscription);
          reply({ subscribed: subscription });
        } catch (error) {
          reply({ error: error.code ?? 'BadMessage', message: error.message });
        }
      });
    });
  });
  const heartbeat = setInterval(() => {
    for (const ws of sockets.clients) {
      if (!ws.alive) { ws.terminate(); continue; }
      ws.alive = false;
      ws.ping();
    }
  }, 30_000);
  heartbeat.unref();

  const publish = (block, touched) => {
    for (const ws of sockets.clients) {
      for (const subscription of ws.subscriptions ?? []) {
        let data = null;
        if (subscription.channel === 'trades') data = touched.trades.filter((t) => t.market === subscription.market);
        else if (subscription.channel === 'orders') data = touched.orders.filter((o) => o.market === subscription.market);
        else if (touched.accounts.has(subscription.address)) {
          data = { trades: touched.trades.filter((t) => t.maker === subscription.address || t.taker === subscription.address),
            orders: touched.orders.filter((o) => o.owner === subscription.address) };
        }
        const empty = !data || (Array.isArray(data) && data.length === 0);
        if (empty) continue;
        if (ws.bufferedAmount > MAX_BUFFERED) { ws.terminate(); break; }
        ws.send(JSON.stringify({ channel: subscription.channel, block: block.number, data }));
      }
    }
  };

  const close = () => new Promise((resolve) => {
    clearInterval(heartbeat);
    for (const ws of sockets.clients) ws.terminate();
    sockets.close();
    server.close(() => resolve());
  });
  return { server, publish, close };
}
