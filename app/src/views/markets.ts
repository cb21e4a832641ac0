// Markets: each market's index, open interest, funding and 24 h volume.
import { h, replace, table } from '../dom';
import { fixed, price, units } from '../format';
import { type Context, type View, marketNames } from './view';

export function marketsView(context: Context): View {
  const body = h('div', {}, h('p', { class: 'muted' }, 'loading markets…'));
  const element = h('section', { id: 'markets' }, h('h2', {}, 'Markets'), body);
  return {
    element,
    async refresh() {
      const { api } = context.chain;
      const names = await marketNames(context);
      // Perpetuals first (low ids), then option series, each in id order.
      const markets = ((await (api.call as any).marginApi.markets()) as any[]).sort((a, b) => a[0].toNumber() - b[0].toNumber());
      const history = new Map<number, any>();
      try {
        for (const row of (await context.indexer.get('/markets')).items) history.set(row.market, row);
      } catch { /* the indexer is optional for this screen */ }
      // One price read per asset (every series of an underlying shares its index).
      const quotes = new Map<number, string>();
      for (const [asset, quote] of (await (api.call as any).oracleApi.prices()) as any[]) quotes.set(asset.toNumber(), price(quote.price.toBigInt()));
      const rows = [];
      for (const [market, config, state] of markets) {
        const id = market.toNumber();
        const name = names.get(id);
        const index = quotes.get(config.baseAsset.toNumber()) ?? '—';
        const past = history.get(id);
        rows.push([
          h('a', { href: `#/market/${id}`, class: 'market-link', 'data-market': id }, name?.name ?? `#${id}`),
          index,
          units(state.openInterest.toBigInt(), config.baseDecimals.toNumber()),
          past?.funding ? `${fixed(past.funding.rate, 6)} / interval` : '—',
          past ? units(past.volume_24h, config.baseDecimals.toNumber()) : '—',
          past ? String(past.trades_24h) : '—',
          past?.last_price ? price(past.last_price) : '—',
        ]);
      }
      replace(body, table(['market', 'index', 'open interest', 'funding', '24 h volume', '24 h trades', 'last'], rows, { id: 'markets-table' }));
    },
  };
}
