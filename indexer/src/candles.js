// Candles from trades: open, high, low, close (prices as 1e18 fixed-point text), volume (base
// units) and trade count per interval, for the intervals a chart asks for.

export const INTERVALS = { '1m': 60_000, '5m': 300_000, '1h': 3_600_000, '1d': 86_400_000 };
// The spans stored (5m merges five minute rows).
export const CANDLE_SPANS = [INTERVALS['1m'], INTERVALS['1h'], INTERVALS['1d']];
// The stored span an interval is read from.
export const sourceSpan = (interval) => [...CANDLE_SPANS].reverse().find((span) => interval % span === 0);

// A minute candle with `trade` added (`candle` null: the minute's first trade). Trades are
// applied in chain order, so the last one applied is the close.
export function addTrade(candle, trade) {
  const price = BigInt(trade.price);
  if (!candle) {
    return { open: String(price), high: String(price), low: String(price), close: String(price), volume: String(trade.size), trades: 1 };
  }
  return {
    open: candle.open,
    high: String(price > BigInt(candle.high) ? price : BigInt(candle.high)),
    low: String(price < BigInt(candle.low) ? price : BigInt(candle.low)),
    close: String(price),
    volume: String(BigInt(candle.volume) + BigInt(trade.size)),
    trades: candle.trades + 1,
  };
}

// Minute candles (ordered by start) merged into `intervalMs` ones.
export function mergeCandles(minutes, intervalMs) {
  const out = [];
  for (const minute of minutes) {
    const start = Math.floor(minute.start / intervalMs) * intervalMs;
    const last = out[out.length - 1];
    if (!last || last.start !== start) {
      out.push({ start, open: minute.open, high: minute.high, low: minute.low, close: minute.close, volume: minute.volume, trades: minute.trades });
      continue;
    }
    if (BigInt(minute.high) > BigInt(last.high)) last.high = minute.high;
    if (BigInt(minute.low) < BigInt(last.low)) last.low = minute.low;
    last.close = minute.close;
    last.volume = String(BigInt(last.volume) + BigInt(minute.volume));
    last.trades += minute.trades;
  }
  return out;
}
