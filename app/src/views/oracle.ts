// The oracle: each asset's aggregate (status, dispersion between sources) and what each
// source fed last (from the indexer).
import { h, replace, table } from '../dom';
import { price, symbolOf, when } from '../format';
import type { Context, View } from './view';

export function oracleView(context: Context): View {
  const { chain, indexer } = context;
  const body = h('div', { id: 'oracle-prices' });
  const element = h('section', { id: 'oracle' }, h('h2', {}, 'Oracle'), body);
  return {
    element,
    async refresh() {
      const call = chain.api.call as any;
      const quotes = (await call.oracleApi.prices()) as any[];
      const sections = [];
      for (const [asset, quote] of quotes) {
        const id = asset.toNumber();
        const dispersion = await call.oracleApi.dispersion(id).catch(() => null);
        let sources: any[] = [];
        try {
          const { items } = await indexer.get(`/oracle/${id}/prices?limit=50`);
          const latest = new Map<string, any>();
          for (const row of items) if (row.source !== 'aggregate' && !latest.has(row.source)) latest.set(row.source, row);
          sources = [...latest.values()];
        } catch { /* per-source history needs the indexer */ }
        sections.push(h('div', { class: 'panel' },
          // Ids from 1000 are volatility indices (points), not dollar prices.
          h('h3', {}, `${id >= 1000 ? `volatility index #${id}` : symbolOf(id)}: ${price(quote.price.toBigInt())}${id >= 1000 ? '' : ' USD'}`),
          h('div', { class: 'muted' }, `${quote.status.toString()} · updated ${when(quote.updatedAt.toNumber())}`,
            dispersion && dispersion.toNumber() > 0 ? ` · sources disagree by ${(dispersion.toNumber() / 10_000).toFixed(2)}%` : ''),
          table(['source', 'price', 'block'], sources.map((s) => [s.source.slice(0, 10) + '…', price(s.price), String(s.block_number)]))));
      }
      replace(body, ...sections);
    },
  };
}
