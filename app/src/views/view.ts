import type { Chain } from '../chain';
import { price, symbolOf } from '../format';
import type { Indexer } from '../indexer';

export type Context = { chain: Chain; indexer: Indexer };

// A screen: its element, refreshed at every new block, told when it is left.
export type View = { element: HTMLElement; refresh: () => Promise<void>; unmount?: () => void };

// The base asset's decimals of each market, and a readable name ("BTC-USD", or a series).
export async function marketNames(context: Context): Promise<Map<number, { name: string; decimals: number; asset: number }>> {
  const { api } = context.chain;
  const out = new Map<number, { name: string; decimals: number; asset: number }>();

  const series = new Map<number, any>();
  try {
    for (const [market, terms] of (await (api.call as any).optionsApi.series()) as any[]) series.set(market.toNumber(), terms);
  } catch { /* a runtime without options */ }
  for (const [market, config] of (await (api.call as any).marginApi.markets()) as any[]) {
    const id = market.toNumber();
    const asset = config.baseAsset.toNumber();
    const terms = series.get(id);
    const name = terms
      ? `${symbolOf(terms.underlying.toNumber())} ${new Date(terms.expiry.toNumber()).toISOString().slice(0, 10)} ${price(terms.strike.toBigInt())} ${terms.kind.toString()}`
      : `${symbolOf(asset)}-USD`;
    out.set(id, { name, decimals: config.baseDecimals.toNumber(), asset });
  }
  return out;
}
