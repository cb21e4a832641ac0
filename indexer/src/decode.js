// A finalized block, as plain values, turned into rows. `applyBlock` takes the block's events
// (each `{ index, extrinsic, pallet, method, data }` with snake_case field names and the
// chain's integers as decimal text) and writes every row the block makes, plus the cursor,
// in the caller's transaction. Pure apart from `tx`, so it is tested without a chain.
import { insert, upsert } from './db.js';
import { addTrade, CANDLE_SPANS } from './candles.js';

const PRICE_ONE = 10n ** 18n;
// Settlement (USDC) has 6 decimals: a price in 1e18 fixed point × a size in base units
// (10^decimals) is notional in 10^(18 + decimals − 6) units.
const SETTLEMENT_DECIMALS = 6n;

// Size × price in settlement units, rounded toward zero (the indexer's realized PnL is within
// one unit of the chain's own rounding).
export function notional(size, decimals, price) {
  const scale = PRICE_ONE * 10n ** BigInt(decimals) / 10n ** SETTLEMENT_DECIMALS;
  return (BigInt(size) * BigInt(price)) / scale;
}

// What a change of a position from (s0, c0) to (s1, c1) at `price` realized: the unrealized
// PnL it moved into cash, c1 − c0 − (s1 − s0) × price.
export function realizedPnl(before, after, decimals, price) {
  const delta = BigInt(after.size) - BigInt(before.size);
  return BigInt(after.cost_basis) - BigInt(before.cost_basis) - notional(delta, decimals, price);
}

const text = (value) => (value === null || value === undefined ? null : String(value));
const json = (value) => JSON.stringify(value ?? null);
const sub = (subaccount) => ({ owner: subaccount.owner, number: Number(subaccount.number) });

// The events that change which markets exist or their status: the markets table is read
// again from the chain at such a block.
export function changesMarkets(event) {
  return (event.pallet === 'margin' && ['MarketCreated', 'MarketUpdated', 'MarketStatusSet', 'MarketClosed'].includes(event.method)) ||
    (event.pallet === 'options' && ['SeriesListed', 'ExpiryListed', 'SeriesDelisted'].includes(event.method));
}

// What a block touched, for the websocket push.
function emptyTouch() {
  return { trades: [], orders: [], accounts: new Set(), markets: new Set() };
}

// Writes `block`'s rows. `block` = { number, hash, ts, events, feeds, markets } where
// `feeds` maps an extrinsic index to the `(asset, price)` pairs its `oracle.feed_prices` fed
// and `markets` (or null) is the chain's market list at this block.
export async function applyBlock(tx, block) {
  const touched = emptyTouch();
  // A block already applied (its row commits with all of its rows) is applied no more: the
  // mutable orders would otherwise count its fills twice.
  if (await tx.get('SELECT number FROM blocks WHERE hash = ?', [block.hash])) return touched;
  // Blocks land in order, none skipped: a gap would be rows lost.
  const cursor = await tx.get('SELECT block_number FROM cursor WHERE id = 1');
  if (cursor && cursor.block_number !== block.number - 1) {
    throw new Error(`block ${block.number} does not follow the cursor at ${cursor.block_number}`);
  }
  const key = (event) => ({ block_hash: block.hash, event_index: event.index, block_number: block.number, ts: block.ts });
  const decimalsCache = new Map();
  const decimalsOf = async (market) => {
    if (!decimalsCache.has(market)) {
      const row = await tx.get('SELECT base_decimals FROM markets WHERE market = ?', [market]);
      decimalsCache.set(market, row ? row.base_decimals : null);
    }
    return decimalsCache.get(market);
  };

  if (block.markets) {
    for (const market of block.markets) {
      await upsert(tx, 'markets', { ...market, updated_block: block.number }, 'market');
    }
  }
  await insert(tx, 'blocks', { number: block.number, hash: block.hash, ts: block.ts, events: block.events.length });

  const events = block.events;
  for (const [position, event] of events.entries()) {
    await insert(tx, 'events', {
      ...key(event), extrinsic_index: event.extrinsic, pallet: event.pallet, method: event.method, data: json(event.data),
    });
    const handler = HANDLERS[`${event.pallet}.${event.method}`];
    if (handler) await handler({ tx, block, event, events, position, row: key(event), touched, decimalsOf });
  }

  // An order its own call neither rested nor cancelled is done: filled whole, or as far as
  // a reduce-only order could go.
  await tx.run("UPDATE orders SET status = 'filled', remaining = '0' WHERE status = 'open' AND placed_block = ?", [block.number]);
  await upsert(tx, 'cursor', { id: 1, block_number: block.number, block_hash: block.hash }, 'id');
  return touched;
}

// The phase an event belongs to ("extrinsic 3", "Initialization", "Finalization").
const phaseOf = (event) => event.phase ?? (event.extrinsic === null ? 'Initialization' : `extrinsic ${event.extrinsic}`);

// What a position change at `position` belongs to: the first fill or transfer after it in the
// same phase (a fill emits both sides' `PositionChanged`, then `FillApplied`; a transfer
// then `PositionTransferred`). Only a fill carries a price.
function fillOfChange(events, position) {
  const phase = phaseOf(events[position]);
  for (let i = position + 1; i < events.length; i += 1) {
    const next = events[i];
    if (phaseOf(next) !== phase) continue;
    if (next.pallet === 'margin' && next.method === 'FillApplied') return next;
    if (next.pallet === 'margin' && next.method === 'PositionTransferred') return null;
  }
  return null;
}

// The last `method` event before `position` in the same phase that `matches`.
function preceding(events, position, pallet, method, matches) {
  const phase = phaseOf(events[position]);
  for (let i = position - 1; i >= 0; i -= 1) {
    const earlier = events[i];
    if (phaseOf(earlier) !== phase) continue;
    if (earlier.pallet === pallet && earlier.method === method && matches(earlier.data)) return earlier;
  }
  return null;
}

// An enum as text: "Limit", "GoodTilBlock(120)" (polkadot.js gives `{ goodTilBlock: 120 }`).
export function enumText(value) {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'object') return String(value);
  const [[name, inner]] = Object.entries(value);
  const variant = name.charAt(0).toUpperCase() + name.slice(1);
  return inner === null ? variant : `${variant}(${typeof inner === 'object' ? JSON.stringify(inner) : inner})`;
}

// A subaccount's position in `market` as last indexed (none yet: flat).
async function lastPosition(tx, who, market) {
  return (await tx.get(
    'SELECT size, cost_basis FROM positions WHERE owner = ? AND number = ? AND market = ? ORDER BY block_number DESC, event_index DESC LIMIT 1',
    [who.owner, who.number, market])) ?? { size: '0', cost_basis: '0' };
}

const sameSub = (a, b) => a.owner === b.owner && Number(a.number) === Number(b.number);

async function updateOrder(tx, id, changes, blockNumber) {
  const order = await tx.get('SELECT size, filled, remaining, status FROM orders WHERE order_id = ?', [id]);
  if (!order) return null;
  const next = { ...order, ...changes(order) };
  await tx.run('UPDATE orders SET filled = ?, remaining = ?, status = ?, updated_block = ? WHERE order_id = ?',
    [next.filled, next.remaining, next.status, blockNumber, id]);
  return next;
}

async function orderEvent(ctx, id, kind, remaining, detail) {
  await insert(ctx.tx, 'order_events', { ...ctx.row, order_id: text(id), kind, remaining: text(remaining), detail: json(detail) });
  const order = await ctx.tx.get('SELECT owner, number, market FROM orders WHERE order_id = ?', [text(id)]);
  ctx.touched.orders.push({ order_id: text(id), kind, remaining: text(remaining), ...(order ?? {}), block_number: ctx.block.number });
  if (order) { ctx.touched.accounts.add(order.owner); ctx.touched.markets.add(order.market); }
}

const HANDLERS = {
  'orderbook.OrderPlaced': async (ctx) => {
    const d = ctx.event.data;
    const owner = sub(d.owner);
    await insert(ctx.tx, 'orders', {
      order_id: text(d.id), owner: owner.owner, number: owner.number, market: Number(d.market), side: enumText(d.side),
      price: text(d.price), size: text(d.size), kind: enumText(d.kind),
      client_id: text(d.client_id), status: 'open', remaining: text(d.size), filled: '0',
      placed_block: ctx.block.number, placed_index: ctx.event.index, placed_ts: ctx.block.ts, updated_block: ctx.block.number,
    });
    await orderEvent(ctx, d.id, 'placed', d.size, { side: d.side, price: d.price, size: d.size, kind: d.kind });
  },
  'orderbook.OrderRested': async (ctx) => {
    const d = ctx.event.data;
    await updateOrder(ctx.tx, text(d.id), () => ({ remaining: text(d.remaining), status: 'resting' }), ctx.block.number);
    await orderEvent(ctx, d.id, 'rested', d.remaining, null);
  },
  'orderbook.OrderCancelled': async (ctx) => {
    const d = ctx.event.data;
    await updateOrder(ctx.tx, text(d.id), () => ({ remaining: text(d.remaining), status: 'cancelled' }), ctx.block.number);
    await orderEvent(ctx, d.id, 'cancelled', d.remaining, { reason: d.reason });
  },
  'orderbook.OrderReduced': async (ctx) => {
    const d = ctx.event.data;
    await updateOrder(ctx.tx, text(d.id), () => ({ remaining: text(d.remaining) }), ctx.block.number);
    await orderEvent(ctx, d.id, 'reduced', d.remaining, null);
  },
  'orderbook.OrderReplaced': async (ctx) => {
    const d = ctx.event.data;
    await updateOrder(ctx.tx, text(d.old), () => ({ status: 'replaced', remaining: '0' }), ctx.block.number);
    await orderEvent(ctx, d.old, 'replaced', '0', { new: d.new });
  },
  'orderbook.OrderFilled': async (ctx) => {
    const d = ctx.event.data;
    const fill = preceding(ctx.events, ctx.position, 'margin', 'FillApplied',
      (f) => String(f.market) === String(d.market) && String(f.price) === String(d.price) && String(f.size) === String(d.size));
    if (!fill) return;
    const f = fill.data;
    const taker = sub(f.taker);
    const maker = sub(f.maker);
    const trade = {
      ...ctx.row, market: Number(d.market), price: text(d.price), size: text(d.size), taker_side: enumText(f.taker_side),
      maker_order: text(d.maker_order), taker_order: text(d.taker_order),
      maker: maker.owner, maker_number: maker.number, taker: taker.owner, taker_number: taker.number,
      taker_fee: text(d.taker_fee), maker_fee: text(d.maker_fee), maker_rebate: text(d.maker_rebate),
    };
    await insert(ctx.tx, 'trades', trade);
    for (const span of CANDLE_SPANS) {
      const start = Math.floor(ctx.block.ts / span) * span;
      const candle = await ctx.tx.get('SELECT open, high, low, close, volume, trades FROM candles WHERE market = ? AND span = ? AND start = ?', [trade.market, span, start]);
      await upsert(ctx.tx, 'candles', { market: trade.market, span, start, ...addTrade(candle ?? null, trade) }, ['market', 'span', 'start']);
    }
    const makerSide = trade.taker_side === 'Buy' ? 'Sell' : 'Buy';
    for (const [role, who, side, order, fee, rebate] of [
      ['taker', taker, trade.taker_side, d.taker_order, d.taker_fee, '0'],
      ['maker', maker, makerSide, d.maker_order, d.maker_fee, d.maker_rebate],
    ]) {
      await insert(ctx.tx, 'fills', {
        ...ctx.row, role, owner: who.owner, number: who.number, market: Number(d.market), side,
        price: text(d.price), size: text(d.size), order_id: text(order), fee: text(fee), rebate: text(rebate),
      });
      ctx.touched.accounts.add(who.owner);
    }
    // What is left after the fill (an amend may have cut it): the chain drops a maker filled
    // whole without an event of its own.
    for (const id of [text(d.maker_order), text(d.taker_order)]) {
      const order = await updateOrder(ctx.tx, id, (current) => {
        const left = BigInt(current.remaining) - BigInt(d.size);
        const remaining = left < 0n ? 0n : left;
        return { filled: String(BigInt(current.filled) + BigInt(d.size)), remaining: String(remaining), status: remaining === 0n ? 'filled' : current.status };
      }, ctx.block.number);
      await orderEvent(ctx, id, 'filled', order ? order.remaining : null, { maker_order: d.maker_order, taker_order: d.taker_order, price: d.price, size: d.size });
    }
    ctx.touched.trades.push(trade);
    ctx.touched.markets.add(Number(d.market));
  },
  'margin.PositionChanged': async (ctx) => {
    const d = ctx.event.data;
    const who = sub(d.subaccount);
    const market = Number(d.market);
    const before = await lastPosition(ctx.tx, who, market);
    // The fill (or transfer) this change belongs to follows it in the same extrinsic.
    const next = fillOfChange(ctx.events, ctx.position);
    const fill = next && Number(next.data.market) === market && (sameSub(next.data.taker, who) || sameSub(next.data.maker, who)) ? next : null;
    const decimals = await ctx.decimalsOf(market);
    const price = fill ? text(fill.data.price) : null;
    // A transfer (backstop, deleveraging) has no fill price: its realized PnL is left null.
    const realized = price !== null && decimals !== null
      ? String(realizedPnl(before, { size: d.size, cost_basis: d.cost_basis }, decimals, price))
      : null;
    await insert(ctx.tx, 'positions', {
      ...ctx.row, owner: who.owner, number: who.number, market, size: text(d.size), cost_basis: text(d.cost_basis),
      realized, price,
    });
    ctx.touched.accounts.add(who.owner);
  },
  'margin.FundingUpdated': async (ctx) => {
    const d = ctx.event.data;
    await insert(ctx.tx, 'funding_rates', { ...ctx.row, market: Number(d.market), rate: text(d.rate), funding_index: text(d.index) });
  },
  'margin.FundingSettled': async (ctx) => {
    const d = ctx.event.data;
    const who = sub(d.subaccount);
    await insert(ctx.tx, 'funding_payments', { ...ctx.row, owner: who.owner, number: who.number, market: Number(d.market), amount: text(d.amount) });
    ctx.touched.accounts.add(who.owner);
  },
  'margin.SeriesPositionSettled': async (ctx) => {
    const d = ctx.event.data;
    const who = sub(d.subaccount);
    const market = Number(d.market);
    // Settlement closes the position without a `PositionChanged`: the holder receives
    // `amount` (pays, when negative), realizing amount − cost basis.
    const before = await lastPosition(ctx.tx, who, market);
    await insert(ctx.tx, 'positions', {
      ...ctx.row, owner: who.owner, number: who.number, market, size: '0', cost_basis: '0',
      realized: String(BigInt(d.amount) - BigInt(before.cost_basis)), price: null,
    });
    await insert(ctx.tx, 'settlements', {
      ...ctx.row, kind: 'position', market: Number(d.market), owner: who.owner, number: who.number,
      amount: text(d.amount), detail: json(d),
    });
    ctx.touched.accounts.add(who.owner);
  },
  'options.ExpirySettled': (ctx) => settlement(ctx, 'expiry'),
  'options.SettlementPending': (ctx) => settlement(ctx, 'pending'),
  'options.SettlementPriceSet': (ctx) => settlement(ctx, 'price_set'),
  'liquidation.ClosedInBook': (ctx) => liquidation(ctx, 'book'),
  'liquidation.PenaltyPaid': (ctx) => liquidation(ctx, 'penalty'),
  'liquidation.TakenByBackstop': (ctx) => liquidation(ctx, 'backstop'),
  'liquidation.Deleveraged': (ctx) => liquidation(ctx, 'deleverage'),
  'liquidation.BadDebtCovered': (ctx) => liquidation(ctx, 'bad_debt'),
  'liquidation.Liquidated': (ctx) => liquidation(ctx, 'liquidated'),
  'vaults.Deposited': (ctx) => collateral(ctx, 'deposit', ctx.event.data.subaccount, null),
  'vaults.Withdrawn': (ctx) => collateral(ctx, 'withdraw', ctx.event.data.subaccount, null),
  'vaults.Transferred': (ctx) => collateral(ctx, 'transfer', { owner: ctx.event.data.owner, number: ctx.event.data.from }, ctx.event.data.to),
  'vaults.CollateralSeized': (ctx) => collateral(ctx, 'seized', ctx.event.data.from, ctx.event.data.to.number, ctx.event.data.to.owner),
  'insurance.Staked': (ctx) => insurance(ctx, 'staked'),
  'insurance.UnstakeRequested': (ctx) => insurance(ctx, 'unstake_requested'),
  'insurance.UnstakeCancelled': (ctx) => insurance(ctx, 'unstake_cancelled'),
  'insurance.Unstaked': (ctx) => insurance(ctx, 'unstaked'),
  'insurance.RevenueDeposited': (ctx) => insurance(ctx, 'revenue'),
  'insurance.LossCovered': (ctx) => insurance(ctx, 'loss_covered'),
  'insurance.ProtocolSharesMinted': (ctx) => insurance(ctx, 'protocol_shares'),
  'oracle.PricesFed': async (ctx) => {
    const d = ctx.event.data;
    const values = ctx.block.feeds?.[ctx.event.extrinsic] ?? [];
    for (const [position, [asset, price]] of values.entries()) {
      await insert(ctx.tx, 'oracle_prices', { ...ctx.row, position, source: String(d.feeder), asset: Number(asset), price: text(price) });
    }
  },
  'oracle.PriceAggregated': async (ctx) => {
    const d = ctx.event.data;
    await insert(ctx.tx, 'oracle_prices', { ...ctx.row, position: 0, source: 'aggregate', asset: Number(d.asset), price: text(d.price) });
  },
  'governance.ChangeScheduled': (ctx) => governance(ctx, 'scheduled'),
  'governance.ChangeEnacted': (ctx) => governance(ctx, 'enacted'),
  'governance.ChangeCancelled': (ctx) => governance(ctx, 'cancelled'),
  'governance.ChangeFailed': (ctx) => governance(ctx, 'failed'),
};

async function settlement(ctx, kind) {
  const d = ctx.event.data;
  await insert(ctx.tx, 'settlements', {
    ...ctx.row, kind, underlying: Number(d.underlying), expiry: Number(d.expiry), price: text(d.price), detail: json(d),
  });
}

async function liquidation(ctx, step) {
  const d = ctx.event.data;
  const who = sub(d.subaccount);
  await insert(ctx.tx, 'liquidations', {
    ...ctx.row, step, owner: who.owner, number: who.number,
    market: d.market === undefined ? null : Number(d.market), size: text(d.size), detail: json(d),
  });
  ctx.touched.accounts.add(who.owner);
}

async function collateral(ctx, kind, from, toNumber, toOwner = null) {
  const d = ctx.event.data;
  const who = sub(from);
  await insert(ctx.tx, 'collateral', {
    ...ctx.row, kind, owner: who.owner, number: who.number, to_number: toNumber === null ? null : Number(toNumber),
    to_owner: toOwner === null ? null : String(toOwner),
    asset: Number(d.asset), amount: text(d.amount),
  });
  ctx.touched.accounts.add(who.owner);
}

async function insurance(ctx, kind) {
  const d = ctx.event.data;
  const who = d.who ?? d.to ?? (d.from ? d.from.owner : null);
  await insert(ctx.tx, 'insurance', {
    ...ctx.row, kind, who: text(who), amount: text(d.amount ?? d.paid), shares: text(d.shares), detail: json(d),
  });
}

async function governance(ctx, kind) {
  const d = ctx.event.data;
  await insert(ctx.tx, 'governance', {
    ...ctx.row, kind, change_id: text(d.id), change: d.change === undefined ? null : json(d.change),
    enact_at: d.enact_at === undefined ? null : Number(d.enact_at), detail: json(d),
  });
}
