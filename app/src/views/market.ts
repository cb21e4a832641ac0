// One market: the order book ladder and its depth, candles, recent trades, and order entry
// for every order kind and trigger the chain has, with the margin the order would leave
// (`MarginApi.what_if`) shown before signing.
import { createChart, CandlestickSeries, type IChartApi, type ISeriesApi, type UTCTimestamp } from 'lightweight-charts';
import { field, h, once, outcome, replace, select, table } from '../dom';
import { parseUnits, price, units, usdc, when } from '../format';
import { type Context, type View, marketNames } from './view';

const ORDER_KINDS: [string, string][] = [
  ['Limit', 'Limit'], ['ImmediateOrCancel', 'Market (immediate-or-cancel)'], ['PostOnly', 'Post-only'],
  ['FillOrKill', 'Fill-or-kill'], ['GoodTilBlock', 'Good until block'],
  ['StopMarket', 'Stop (market)'], ['StopLimit', 'Stop (limit)'], ['TakeProfitMarket', 'Take-profit (market)'], ['TakeProfitLimit', 'Take-profit (limit)'],
];
const TRIGGERS = new Set(['StopMarket', 'StopLimit', 'TakeProfitMarket', 'TakeProfitLimit']);
const INTERVALS = ['1m', '5m', '1h', '1d'];
const asNumber = (price18: string) => Number(BigInt(price18) / 10n ** 12n) / 1e6;

export function marketView(context: Context, market: number): View {
  const { chain, indexer } = context;
  const title = h('h2', {}, `Market #${market}`);
  const summary = h('div', { class: 'summary' });
  const ladder = h('div', { id: 'ladder' });
  const depthCanvas = h('canvas', { id: 'depth', width: 320, height: 140 }) as HTMLCanvasElement;
  const chartBox = h('div', { id: 'chart', style: { height: '300px' } });
  const lastCandle = h('div', { id: 'last-candle', class: 'muted' }, 'no trades yet');
  const trades = h('div', { id: 'trades' });
  let interval = '1m';
  const intervalButtons = h('div', { class: 'buttons' }, ...INTERVALS.map((name) => h('button', {
    type: 'button', 'data-interval': name, class: name === interval ? 'active' : '',
    onclick: () => { interval = name; for (const b of intervalButtons.querySelectorAll('button')) b.classList.toggle('active', b.getAttribute('data-interval') === name); void loadCandles(); },
  }, name)));

  // Order entry.
  const side = select('side', [['Buy', 'Buy / long'], ['Sell', 'Sell / short']]);
  const kind = select('kind', ORDER_KINDS);
  const priceInput = h('input', { id: 'price', inputmode: 'decimal', placeholder: 'limit price (USD)' }) as HTMLInputElement;
  const sizeInput = h('input', { id: 'size', inputmode: 'decimal', placeholder: 'size (base asset)' }) as HTMLInputElement;
  const triggerInput = h('input', { id: 'trigger-price', inputmode: 'decimal', placeholder: 'trigger index price' }) as HTMLInputElement;
  const untilInput = h('input', { id: 'good-til', inputmode: 'numeric', placeholder: 'last block' }) as HTMLInputElement;
  const reduceOnly = h('input', { id: 'reduce-only', type: 'checkbox' }) as HTMLInputElement;
  const leverageInput = h('input', { id: 'leverage', inputmode: 'numeric', placeholder: 'e.g. 5' }) as HTMLInputElement;
  const whatIf = h('div', { id: 'what-if', class: 'what-if muted' }, 'enter a price and size to see the margin this order needs');
  const result = h('div', { id: 'order-result', class: 'outcome' });
  const triggerRow = field('Trigger price (USD)', triggerInput);
  const untilRow = field('Good until block', untilInput);
  const showFields = () => {
    triggerRow.hidden = !TRIGGERS.has(kind.value);
    untilRow.hidden = kind.value !== 'GoodTilBlock';
    void preview();
  };
  kind.addEventListener('change', showFields);
  let decimals = 8;
  let names: Awaited<ReturnType<typeof marketNames>> | null = null;

  const read = () => ({
    side: side.value,
    price: parseUnits(priceInput.value, 18, 'price'),
    size: parseUnits(sizeInput.value, decimals, 'size'),
  });

  // Answers may come back out of order: only the latest request's is shown.
  let previews = 0;
  async function preview() {
    const account = chain.current;
    if (!account || !priceInput.value || !sizeInput.value) return;
    const asked = ++previews;
    try {
      const order = read();
      const [now, after] = await Promise.all([
        (chain.api.call as any).marginApi.accountHealth(account.address, 0),
        (chain.api.call as any).marginApi.whatIf(account.address, 0, { market, side: order.side, size: order.size, price: order.price }),
      ]);
      if (asked !== previews) return;
      if (after.isNone) { replace(whatIf, 'the chain cannot value this order now (no fresh price?)'); return; }
      const health = after.unwrap();
      const before = now.isSome ? now.unwrap() : null;
      whatIf.className = health.freeCollateral.toBigInt() < 0n ? 'what-if error' : 'what-if';
      replace(whatIf,
        h('div', {}, `Initial requirement after: ${usdc(health.initialRequirement.toBigInt())} USDC`, before ? ` (now ${usdc(before.initialRequirement.toBigInt())})` : ''),
        h('div', {}, `Free collateral after: `, h('strong', { id: 'free-after' }, usdc(health.freeCollateral.toBigInt())), ' USDC'),
        health.freeCollateral.toBigInt() < 0n ? h('div', {}, 'The chain will refuse this order: not enough free collateral.') : null);
    } catch (error) {
      if (asked === previews) replace(whatIf, (error as Error).message);
    }
  }
  for (const input of [priceInput, sizeInput]) input.addEventListener('input', () => void preview());
  side.addEventListener('change', () => void preview());

  async function place(event: Event) {
    event.preventDefault();
    await once(placeButton, async () => {
    try {
      const order = read();
      const { api } = chain;
      let tx;
      if (TRIGGERS.has(kind.value)) {
        const trigger = parseUnits(triggerInput.value, 18, 'trigger price');
        tx = api.tx.orderbook.placeTrigger(0, market, order.side, kind.value, trigger, order.price, order.size, reduceOnly.checked);
      } else {
        const orderKind = kind.value === 'GoodTilBlock' ? { GoodTilBlock: Number(untilInput.value) } : kind.value;
        tx = api.tx.orderbook.placeOrder(0, market, order.side, order.price, order.size, orderKind, reduceOnly.checked);
      }
      outcome(result, true, 'signing…');
      const sent = await chain.submit(tx);
      outcome(result, sent.ok, sent.ok ? `Order placed (${sent.message})` : sent.message);
    } catch (error) {
      outcome(result, false, (error as Error).message);
    }
    });
  }

  const leverageButton = h('button', { type: 'submit', id: 'set-leverage' }, 'Set') as HTMLButtonElement;
  async function setLeverage(event: Event) {
    event.preventDefault();
    await once(leverageButton, async () => {
      const value = Number(leverageInput.value);
      if (!Number.isInteger(value) || value < 1 || value > 255) { outcome(result, false, 'leverage must be a whole number from 1 to 255'); return; }
      const sent = await chain.submit(chain.api.tx.margin.setLeverage(0, market, value));
      outcome(result, sent.ok, sent.ok ? `Leverage set to ${value}× (${sent.message})` : sent.message);
    });
  }

  const placeButton = h('button', { type: 'submit', id: 'place' }, 'Place order') as HTMLButtonElement;
  // Two forms: Enter in the leverage field sets leverage, never places an order.
  const form = h('div', {},
    h('form', { id: 'order-form', onsubmit: place },
      field('Side', side), field('Type', kind), field('Price (USD)', priceInput), field('Size', sizeInput),
      triggerRow, untilRow, h('label', { class: 'check' }, reduceOnly, ' reduce-only'), whatIf, placeButton),
    h('form', { id: 'leverage-form', class: 'leverage', onsubmit: setLeverage }, field('Leverage', leverageInput), leverageButton),
    result);
  showFields();

  const element = h('section', { id: 'market', 'data-market': market }, title, summary,
    h('div', { class: 'grid' },
      h('div', { class: 'panel' }, h('h3', {}, 'Order book'), ladder, depthCanvas),
      h('div', { class: 'panel wide' }, h('h3', {}, 'Candles'), intervalButtons, chartBox, lastCandle, h('h3', {}, 'Recent trades'), trades),
      h('div', { class: 'panel' }, h('h3', {}, 'Order entry'), form)));

  let chart: IChartApi | null = null;
  let candles: ISeriesApi<'Candlestick'> | null = null;
  async function loadCandles() {
    try {
      const { items } = await indexer.candles(market, interval);
      if (!chart) {
        chart = createChart(chartBox, { height: 300, layout: { background: { color: '#11151c' }, textColor: '#c9d1d9' }, grid: { vertLines: { color: '#1c2330' }, horzLines: { color: '#1c2330' } }, timeScale: { timeVisible: true } });
        candles = chart.addSeries(CandlestickSeries);
      }
      candles!.setData(items.map((c) => ({ time: (c.start / 1000) as UTCTimestamp, open: asNumber(c.open), high: asNumber(c.high), low: asNumber(c.low), close: asNumber(c.close) })));
      const last = items[items.length - 1];
      if (last) {
        lastCandle.dataset.close = last.close;
        replace(lastCandle, `${interval} candle from ${when(last.start)}: open ${price(last.open)} high ${price(last.high)} low ${price(last.low)} close ${price(last.close)}, volume ${units(last.volume, decimals)} in ${last.trades} trades`);
      }
    } catch (error) {
      replace(lastCandle, `candles unavailable: ${(error as Error).message}`);
    }
  }

  function drawDepth(bids: [bigint, bigint][], asks: [bigint, bigint][]) {
    const context2d = depthCanvas.getContext('2d');
    if (!context2d) return;
    const { width, height } = depthCanvas;
    context2d.clearRect(0, 0, width, height);
    const cumulative = (levels: [bigint, bigint][]) => { let sum = 0; return levels.map(([p, s]) => { sum += Number(s); return [Number(p / 10n ** 12n) / 1e6, sum] as [number, number]; }); };
    const b = cumulative(bids);
    const a = cumulative(asks);
    const all = [...b, ...a];
    if (!all.length) return;
    const lo = Math.min(...all.map(([p]) => p));
    const hi = Math.max(...all.map(([p]) => p));
    const top = Math.max(...all.map(([, s]) => s));
    const x = (p: number) => (hi === lo ? width / 2 : ((p - lo) / (hi - lo)) * (width - 10) + 5);
    const y = (s: number) => height - (s / top) * (height - 10);
    for (const [levels, color] of [[b, '#2ea043'], [a, '#da3633']] as const) {
      context2d.strokeStyle = color;
      context2d.beginPath();
      levels.forEach(([p, s], i) => (i ? context2d.lineTo(x(p), y(s)) : context2d.moveTo(x(p), y(s))));
      context2d.stroke();
    }
  }

  const unsubscribe = indexer.subscribe({ subscribe: 'trades', market }, () => { void loadCandles(); });

  return {
    element,
    unmount: unsubscribe,
    async refresh() {
      const { api } = chain;
      names ??= await marketNames(context);
      const info = names.get(market);
      if (info) { decimals = info.decimals; title.textContent = info.name; }
      const depth = await (api.call as any).orderbookApi.depth(market, 10);
      const bids: [bigint, bigint][] = depth.bids.map(([p, s]: any) => [p.toBigInt(), s.toBigInt()]);
      const asks: [bigint, bigint][] = depth.asks.map(([p, s]: any) => [p.toBigInt(), s.toBigInt()]);
      replace(ladder,
        table(['price', 'size'], [...asks].reverse().map(([p, s]) => [price(p), units(s, decimals)]), { class: 'asks', id: 'asks' }),
        table(['price', 'size'], bids.map(([p, s]) => [price(p), units(s, decimals)]), { class: 'bids', id: 'bids' }));
      drawDepth(bids, asks);
      const margin = await (api.call as any).marginApi.marketMargin(market);
      if (info) {
        const quote = await (api.call as any).oracleApi.price(info.asset);
        replace(summary, `Index ${quote.isSome ? price(quote.unwrap().price.toBigInt()) : '—'} USD`,
          margin.isSome ? ` · initial margin ${(margin.unwrap().initialFraction.toNumber() / 10_000).toFixed(2)}%` : '');
      }
      try {
        const { items } = await indexer.trades(market, 20);
        replace(trades, table(['time', 'side', 'price', 'size'], items.map((t) => [when(t.ts), t.taker_side, price(t.price), units(t.size, decimals)]), { id: 'trades-table' }));
      } catch (error) {
        replace(trades, `history unavailable: ${(error as Error).message}`);
      }
      await loadCandles();
    },
  };
}
