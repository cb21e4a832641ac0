// Shared client plumbing for the end-to-end suite: one connection, the dev keyring, and a
// submit helper that waits for inclusion or finality and returns the outcome with its events.
import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady, mnemonicGenerate } from '@polkadot/util-crypto';

export const WS_URL = process.env.CLEARING_WS ?? 'ws://127.0.0.1:9944';
export const FEED_URL = process.env.PRICE_FEED_URL ?? 'http://127.0.0.1:8099';
export const USDC = 1;

export async function connect() {
  await cryptoWaitReady();
  const provider = new WsProvider(WS_URL, 1000, {}, 30_000);
  const api = await ApiPromise.create({ provider, noInitWarn: true, throwOnConnect: true });
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  return {
    api,
    alice: keyring.addFromUri('//Alice'),
    bob: keyring.addFromUri('//Bob'),
    charlie: keyring.addFromUri('//Charlie'),
    // A brand-new account per call, so tests never depend on what ran before them.
    fresh: () => keyring.addFromUri(mnemonicGenerate()),
  };
}

// Submits `tx` signed by `signer` and resolves once it is in a block (or finalized, with
// `{ finalized: true }`). Never rejects on a failed dispatch: the caller inspects `error`.
// `nonce` (default: the next the node knows of) lets a caller send several without waiting.
export function submit(api, tx, signer, { finalized = false, nonce = -1 } = {}) {
  return new Promise((resolve, reject) => {
    let unsub = () => {};
    const timer = setTimeout(() => { unsub(); reject(new Error('transaction not included within 60 s')); }, 60_000);
    tx.signAndSend(signer, { nonce }, (result) => {
      const { status, events, dispatchError } = result;
      if (status.isInvalid || status.isDropped || status.isUsurped) {
        clearTimeout(timer); unsub();
        reject(new Error(`transaction ${status.type}`));
        return;
      }
      const done = finalized ? status.isFinalized : (status.isInBlock || status.isFinalized);
      if (!done) return;
      clearTimeout(timer); unsub();
      const blockHash = finalized ? status.asFinalized : (status.isInBlock ? status.asInBlock : status.asFinalized);
      resolve({ blockHash, events, error: dispatchError ? describeError(api, dispatchError) : null });
    }).then((u) => { unsub = u; }, (e) => { clearTimeout(timer); reject(e); });
  });
}

// Names a dispatch error as `pallet.Variant` from the metadata, or `Token.Variant` etc.
export function describeError(api, dispatchError) {
  if (dispatchError.isModule) {
    const meta = api.registry.findMetaError(dispatchError.asModule);
    return `${meta.section}.${meta.name}`;
  }
  if (dispatchError.isToken) return `Token.${dispatchError.asToken.type}`;
  if (dispatchError.isArithmetic) return `Arithmetic.${dispatchError.asArithmetic.type}`;
  return dispatchError.type;
}

// The fee the signer paid, from the block's `TransactionFeePaid` event.
export function feePaid(api, events, who) {
  const paid = events.find(({ event }) =>
    api.events.transactionPayment.TransactionFeePaid.is(event) && event.data[0].eq(who.address));
  if (!paid) throw new Error('no TransactionFeePaid event for the signer');
  return paid.event.data[1].toBigInt();
}

export async function freeClr(api, who, at) {
  const source = at ? await api.at(at) : api;
  return (await source.query.system.account(who.address)).data.free.toBigInt();
}

export async function usdcBalance(api, who, at) {
  const source = at ? await api.at(at) : api;
  const account = await source.query.assets.account(USDC, who.address);
  return account.isSome ? account.unwrap().balance.toBigInt() : 0n;
}

// The block before `hash`: the state a transaction in `hash` started from.
export async function parentOf(api, hash) {
  return (await api.rpc.chain.getHeader(hash)).parentHash;
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

// Calls the price feed's control API (GET without a body, POST with one) and returns its JSON.
export async function feed(path, body) {
  const res = await fetch(`${FEED_URL}${path}`, body ? { method: 'POST', body: JSON.stringify(body) } : undefined);
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${text}`);
  return JSON.parse(text);
}

// `from` sends `who` `clr` of the native token (for fees and deposits) and `usdc` of USDC,
// each in its smallest unit; throws if either transfer fails.
export async function fund(api, from, who, { clr, usdc }) {
  for (const tx of [
    api.tx.balances.transferKeepAlive(who.address, clr),
    api.tx.assets.transfer(USDC, who.address, usdc),
  ]) {
    const { error } = await submit(api, tx, from);
    if (error) throw new Error(`funding ${who.address}: ${error}`);
  }
}

// Funds `who` from `from` (100 CLR for fees and deposits, `usdc` + 1,000 USDC) and deposits
// `usdc` into its subaccount 0; throws if any step fails.
export async function fundTrader(api, from, who, usdc) {
  await fund(api, from, who, { clr: 100n * 10n ** 12n, usdc: usdc + 1_000n * 1_000_000n });
  const { error } = await submit(api, api.tx.vaults.deposit(0, USDC, usdc), who);
  if (error) throw new Error(`depositing for ${who.address}: ${error}`);
}

// The risk council (Alice, Bob, Charlie on dev) decides on `call`: `members[0]` proposes it
// with a threshold of `members.length`, every member votes aye (the proposer too: a proposal
// carries no vote), and the first closes the motion.
// With one member the motion executes at once. Resolves with the block the call ran in and
// the call's own outcome (`error`: null or its `pallet.Variant`).
export async function councilDecide(api, members, call) {
  const threshold = members.length;
  const lengthBound = call.method.encodedLength;
  const proposed = await submit(api, api.tx.riskCouncil.propose(threshold, call.method, lengthBound), members[0]);
  if (proposed.error) throw new Error(`council proposal: ${proposed.error}`);
  const executedIn = (events, blockHash) => {
    const executed = events.find(({ event }) => api.events.riskCouncil.Executed.is(event));
    if (!executed) return null;
    const result = executed.event.data.result;
    return { blockHash, error: result.isErr ? describeError(api, result.asErr) : null, events };
  };
  if (threshold === 1) {
    const outcome = executedIn(proposed.events, proposed.blockHash);
    if (!outcome) throw new Error('a one-member motion did not execute');
    return outcome;
  }
  const motion = proposed.events.find(({ event }) => api.events.riskCouncil.Proposed.is(event)).event.data;
  for (const voter of members) {
    const voted = await submit(api, api.tx.riskCouncil.vote(motion.proposalHash, motion.proposalIndex, true), voter);
    if (voted.error) throw new Error(`council vote: ${voted.error}`);
  }
  const { weight } = await call.paymentInfo(members[0]);
  const closed = await submit(
    api, api.tx.riskCouncil.close(motion.proposalHash, motion.proposalIndex, weight, lengthBound), members[0]);
  if (closed.error) throw new Error(`council close: ${closed.error}`);
  const outcome = executedIn(closed.events, closed.blockHash);
  if (!outcome) throw new Error('the council motion closed without executing');
  return outcome;
}

// Resolves with the hash of block `number` once the chain has imported it.
export function blockNumbered(api, number, maxWaitBlocks = 200) {
  return new Promise((resolve, reject) => {
    let unsub = () => {};
    let seen = 0;
    api.rpc.chain.subscribeNewHeads(async (header) => {
      if (header.number.toNumber() >= number) {
        unsub();
        resolve(await api.rpc.chain.getBlockHash(number));
      } else if (++seen > maxWaitBlocks) {
        unsub();
        reject(new Error(`block ${number} not reached within ${maxWaitBlocks} blocks`));
      }
    }).then((u) => { unsub = u; }, reject);
  });
}

// The events of block `hash`.
export async function eventsAt(api, hash) {
  return (await (await api.at(hash)).query.system.events()).map((r) => r.event);
}

// Resolves with the number of the first block (within `maxBlocks`) whose index price of
// `asset` is exactly `price` (FixedU128 inner) and fresh.
export function waitForIndex(api, asset, price, maxBlocks = 20) {
  return new Promise((resolve, reject) => {
    let seen = 0;
    let unsub = () => {};
    api.rpc.chain.subscribeNewHeads(async (header) => {
      const q = await api.call.oracleApi.price(asset);
      if (q.isSome && q.unwrap().price.toBigInt() === price && q.unwrap().status.isFresh) {
        unsub(); resolve(header.number.toNumber());
      } else if (++seen > maxBlocks) { unsub(); reject(new Error(`asset ${asset} not at ${price} within ${maxBlocks} blocks`)); }
    }).then((u) => { unsub = u; }, reject);
  });
}

// Resolves with `{ number, hash, event }` for the first event within `maxBlocks` new blocks
// for which `match(event)` holds.
export function waitForEvent(api, match, maxBlocks = 20) {
  return new Promise((resolve, reject) => {
    let seen = 0;
    let unsub = () => {};
    let checking = Promise.resolve();
    api.rpc.chain.subscribeNewHeads((header) => {
      checking = checking.then(async () => {
        const hash = await api.rpc.chain.getBlockHash(header.number.toNumber());
        const event = (await eventsAt(api, hash)).find(match);
        if (event) { unsub(); resolve({ number: header.number.toNumber(), hash, event }); }
        else if (++seen > maxBlocks) { unsub(); reject(new Error(`no such event within ${maxBlocks} blocks`)); }
      }).catch((e) => { unsub(); reject(e); });
    }).then((u) => { unsub = u; }, reject);
  });
}

// Root (sudo on `dev`, signed by `sudoer`) runs `call`; resolves with the block's events,
// throws (naming `what`) if the transaction or the call itself fails.
export async function sudo(api, sudoer, call, what) {
  const { error, events } = await submit(api, api.tx.sudo.sudo(call), sudoer);
  if (error) throw new Error(`${what}: ${error}`);
  const sudid = events.find(({ event }) => api.events.sudo.Sudid.is(event)).event.data[0];
  if (!sudid.isOk) throw new Error(`${what} refused: ${sudid.asErr.toString()}`);
  return events;
}

// Resolves at the first new block (within `maxBlocks`) at which `check()` holds.
export function waitUntil(api, check, maxBlocks = 20) {
  return new Promise((resolve, reject) => {
    let seen = 0;
    let unsub = () => {};
    api.rpc.chain.subscribeNewHeads(async () => {
      if (await check()) { unsub(); resolve(); }
      else if (++seen > maxBlocks) { unsub(); reject(new Error(`not within ${maxBlocks} blocks`)); }
    }).then((u) => { unsub = u; }, reject);
  });
}

// Root (sudo on `dev`, signed by `sudoer`) lists a series on perpetual `underlying` (BTC-USD
// by default), tick $1, at most 100 BTC open; resolves with its market id.
export async function listSeries(api, sudoer, kind, strike, expiry, underlying = 0) {
  const fixed = 10n ** 18n;
  const call = api.tx.options.listSeries(underlying, expiry, BigInt(strike) * fixed, kind, fixed, 100n * 10n ** 8n);
  const events = await sudo(api, sudoer, call, 'listing');
  return events.find(({ event }) => api.events.options.SeriesListed.is(event)).event.data.market.toNumber();
}

// Pins BTC at $60,000 on the feed with a flat smile at a 60% DVOL (every strike at 60%, so
// marks read plainly) and waits for the chain to follow.
export async function pinBtcFlatSmile(api) {
  const fixed = 10n ** 18n;
  await feed('/control/set', { asset: 'BTC', price: '60000' });
  await feed('/control/vol', { asset: 'BTC', volatility: '60', skew: '0', curvature: '0' });
  await waitForIndex(api, 2, 60_000n * fixed);
  await waitForIndex(api, 1002, 6n * fixed / 10n, 30);
}

// Puts BTC's feed back where the other files expect it (a skewed smile, walking; $60,000),
// whatever a file did to it.
export async function restoreBtcFeed(api) {
  await feed('/control/vol', { asset: 'BTC', volatility: '60', skew: '-40', curvature: '200' }).catch(() => {});
  await feed('/control/vol', { asset: 'BTC', walk: true }).catch(() => {});
  await feed('/control/set', { asset: 'BTC', price: '60000' }).catch(() => {});
  if (api) await waitForIndex(api, 2, 60_000n * 10n ** 18n).catch(() => {});
}
