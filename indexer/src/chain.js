// Reading one block from the node: its events as plain values, the prices each oracle feed
// extrinsic carried, and (when asked) the markets in storage. Read at the block's own
// runtime (`api.at`), so blocks from before a runtime upgrade decode with their metadata.

// A codec as plain JSON values: integers wider than 53 bits as decimal text.
function plain(codec) {
  return codec.toPrimitive();
}

// polkadot.js names event fields in camelCase, with a trailing "_" where the name would
// shadow a codec property (`size` → `size_`); the rows use the runtime's own snake_case.
export function snakeCase(name) {
  return name.replace(/_+$/, '').replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

export function plainEvents(records) {
  return records.map((record, index) => {
    const { event, phase } = record;
    const names = event.data.names ?? [];
    const data = {};
    event.data.forEach((value, i) => { data[names[i] ? snakeCase(names[i]) : String(i)] = plain(value); });
    const extrinsic = phase.isApplyExtrinsic ? phase.asApplyExtrinsic.toNumber() : null;
    return {
      index,
      extrinsic,
      // Block-start and block-end work are phases of their own, not one "no extrinsic".
      phase: extrinsic === null ? phase.type : `extrinsic ${extrinsic}`,
      pallet: event.section,
      method: event.method,
      data,
    };
  });
}

// The `(asset, price)` pairs of each `oracle.feed_prices` extrinsic, by extrinsic index.
export function oracleFeeds(block) {
  const feeds = {};
  block.extrinsics.forEach((extrinsic, index) => {
    const { section, method } = extrinsic.method;
    if (section === 'oracle' && method === 'feedPrices') {
      feeds[index] = extrinsic.method.args[0].map(([asset, price]) => [asset.toNumber(), price.toString()]);
    }
  });
  return feeds;
}

export async function marketsAt(apiAt) {
  const entries = await apiAt.query.margin.markets.entries();
  return entries.map(([key, value]) => {
    const market = value.unwrap();
    const config = market.config ?? market;
    return {
      market: key.args[0].toNumber(),
      base_asset: config.baseAsset.toNumber(),
      base_decimals: config.baseDecimals.toNumber(),
      status: market.status ? market.status.toString() : 'Active',
      config: JSON.stringify(market.toPrimitive()),
    };
  }).sort((a, b) => a.market - b.market);
}

// Everything `applyBlock` needs of block `number`.
export async function readBlock(api, number, { withMarkets }) {
  const hash = await api.rpc.chain.getBlockHash(number);
  if (hash.isEmpty) throw new Error(`no block ${number}`);
  const apiAt = await api.at(hash);
  const [signed, records, now] = await Promise.all([
    api.rpc.chain.getBlock(hash),
    apiAt.query.system.events(),
    apiAt.query.timestamp.now(),
  ]);
  const events = plainEvents(records);
  return {
    number,
    hash: hash.toHex(),
    ts: now.toNumber(),
    events,
    feeds: oracleFeeds(signed.block),
    apiAt,
    withMarkets,
  };
}
