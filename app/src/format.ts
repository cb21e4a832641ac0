// The chain's integers as people read them, and back. Prices are 1e18 fixed point, USDC has 6
// decimals, CLR 12, a market's size its base asset's decimals.

export const PRICE_DECIMALS = 18;
export const USDC_DECIMALS = 6;
export const USDC = 1;
export const ASSETS: Record<number, { symbol: string; decimals: number }> = {
  0: { symbol: 'CLR', decimals: 12 },
  1: { symbol: 'USDC', decimals: 6 },
  2: { symbol: 'BTC', decimals: 8 },
  3: { symbol: 'ETH', decimals: 18 },
  4: { symbol: 'DOT', decimals: 10 },
};

export const symbolOf = (asset: number) => ASSETS[asset]?.symbol ?? `#${asset}`;

// `value` (an integer in units of 10^-decimals) as a decimal with at most `shown` places.
export function units(value: bigint | string | number, decimals: number, shown = 4): string {
  const raw = BigInt(value);
  const negative = raw < 0n;
  const magnitude = negative ? -raw : raw;
  const scale = 10n ** BigInt(decimals);
  const whole = magnitude / scale;
  let fraction = (magnitude % scale).toString().padStart(decimals, '0').slice(0, Math.min(shown, decimals));
  fraction = fraction.replace(/0+$/, '');
  const grouped = whole.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '-' : ''}${grouped}${fraction ? `.${fraction}` : ''}`;
}

export const price = (value: bigint | string | number, shown = 2) => units(value, PRICE_DECIMALS, shown);
export const usdc = (value: bigint | string | number, shown = 2) => units(value, USDC_DECIMALS, shown);

// A decimal typed by a person as an integer in 10^-decimals units; throws a plain message.
export function parseUnits(text: string, decimals: number, what: string): bigint {
  const trimmed = text.trim().replace(/,/g, '');
  const match = /^(\d+)(?:\.(\d*))?$/.exec(trimmed);
  if (!match) throw new Error(`${what}: "${text}" is not a positive number`);
  const [, whole, fraction = ''] = match;
  if (fraction.length > decimals) throw new Error(`${what}: at most ${decimals} decimals`);
  const value = BigInt(whole) * 10n ** BigInt(decimals) + BigInt(fraction.padEnd(decimals, '0') || '0');
  if (value === 0n) throw new Error(`${what} must be more than zero`);
  return value;
}

export const fixed = (value: bigint | string, shown = 4) => units(value, 18, shown);
export const percent = (perMillion: number) => `${(perMillion / 10_000).toFixed(2)}%`;
export const when = (ms: number) => new Date(ms).toLocaleTimeString();
