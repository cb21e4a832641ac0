// The options chain of one underlying and expiry: each series' mark, implied volatility,
// Greeks, best bid and ask and open interest (`OptionsApi.chain`).
import { h, replace, table } from '../dom';
import { ASSETS, fixed, price, symbolOf, units } from '../format';
import type { Context, View } from './view';

export function optionsView(context: Context): View {
  const { chain } = context;
  const picker = h('select', { id: 'expiry' }) as HTMLSelectElement;
  const body = h('div', { id: 'options-chain' }, 'loading series…');
  let chosen = '';
  picker.addEventListener('change', () => { chosen = picker.value; void view.refresh(); });
  const element = h('section', { id: 'options' }, h('h2', {}, 'Options'), picker, body);
  const view: View = {
    element,
    async refresh() {
      const call = chain.api.call as any;
      let series: any[] = [];
      try { series = await call.optionsApi.series(); } catch { replace(body, 'this runtime has no options'); return; }
      const expiries = new Map<string, [number, number]>();
      for (const [, terms] of series) {
        const key = `${terms.underlying.toNumber()}:${terms.expiry.toNumber()}`;
        expiries.set(key, [terms.underlying.toNumber(), terms.expiry.toNumber()]);
      }
      if (!expiries.size) { replace(body, 'no series listed'); return; }
      if (!chosen || !expiries.has(chosen)) chosen = [...expiries.keys()][0];
      // Rebuilt only when the expiries change, so an open dropdown stays open.
      const listed = [...expiries.keys()].join(',');
      if (picker.dataset.key !== listed) {
        picker.dataset.key = listed;
        replace(picker, ...[...expiries.entries()].map(([key, [underlying, expiry]]) =>
          h('option', { value: key, selected: key === chosen }, `${symbolOf(underlying)} ${new Date(expiry).toISOString().replace('T', ' ').slice(0, 16)} UTC`)));
      }
      const [underlying, expiry] = expiries.get(chosen)!;
      const rows = (await call.optionsApi.chain(underlying, expiry)) as any[];
      replace(body, table(['series', 'kind', 'strike', 'mark', 'IV', 'delta', 'gamma', 'vega', 'bid', 'ask', 'open interest'], rows.map((row) => {
        const s = row.series;
        return [h('a', { href: `#/market/${s.market.toNumber()}` }, `#${s.market.toNumber()}`), s.terms.kind.toString(), price(s.terms.strike.toBigInt()),
          price(s.mark.toBigInt()), `${(Number(s.volatility.toBigInt() / 10n ** 14n) / 100).toFixed(2)}%`,
          fixed(s.delta.toBigInt(), 4), fixed(s.gamma.toBigInt(), 6), fixed(s.vega.toBigInt(), 4),
          row.bestBid.isSome ? price(row.bestBid.unwrap().toBigInt()) : '—', row.bestAsk.isSome ? price(row.bestAsk.unwrap().toBigInt()) : '—',
          units(row.openInterest.toBigInt(), ASSETS[underlying]?.decimals ?? 0)];
      }), { id: 'chain-table' }));
    },
  };
  return view;
}
