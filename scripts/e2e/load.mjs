// Load-generator plumbing shared by the throughput workloads: signing with locally tracked
// nonces, fire-and-forget submission, and waiting on blocks and the pool.

// `pallet.Error` for a module error, else the error's kind (e.g. `Token`).
export function errorName(api, dispatchError) {
  if (dispatchError.isModule) {
    const { section, name } = api.registry.findMetaError(dispatchError.asModule);
    return `${section}.${name}`;
  }
  return dispatchError.type;
}

// Normal-class ref_time used / allowed in the block `at`, as a percentage (one decimal);
// `wholeBlock`: every class's use over the block's maximum.
export async function blockFullness(api, at, wholeBlock = false) {
  const used = await at.query.system.blockWeight();
  if (wholeBlock) {
    // Every class over the block's maximum: operational transactions (the keeper's
    // batches) may fill past the normal share.
    const all = ['normal', 'operational', 'mandatory'].reduce((n, c) => n + used[c].refTime.toBigInt(), 0n);
    return Number(all * 1000n / api.consts.system.blockWeights.maxBlock.refTime.toBigInt()) / 10;
  }
  const allowed = api.consts.system.blockWeights.perClass.normal.maxTotal.unwrap().refTime.toBigInt();
  return Number(used.normal.refTime.toBigInt() * 1000n / allowed) / 10;
}

export function loader(api) {
  const nonces = new Map();

  async function nonceOf(pair) {
    if (!nonces.has(pair.address)) nonces.set(pair.address, (await api.rpc.system.accountNextIndex(pair.address)).toNumber());
    const n = nonces.get(pair.address);
    nonces.set(pair.address, n + 1);
    return n;
  }

  // Re-reads `pairs`' nonces from the chain, one at a time (parallel misses would race), so
  // what the pool dropped earlier leaves no gap.
  async function refreshNonces(pairs) {
    for (const p of pairs) nonces.set(p.address, (await api.rpc.system.accountNextIndex(p.address)).toNumber());
  }

  // Submits without waiting; resolves to true if the pool took it.
  async function fire(tx, pair) {
    const signed = await tx.signAsync(pair, { nonce: await nonceOf(pair), era: 0 });
    try {
      await api.rpc.author.submitExtrinsic(signed.toHex());
      return true;
    } catch (e) {
      nonces.delete(pair.address); // re-read: a refused nonce leaves a gap otherwise
      return false;
    }
  }

  async function waitBlocks(n) {
    const start = (await api.rpc.chain.getHeader()).number.toNumber();
    return new Promise((resolve) => {
      let unsub = () => {};
      api.rpc.chain.subscribeNewHeads((h) => { if (h.number.toNumber() >= start + n) { unsub(); resolve(); } })
        .then((u) => { unsub = u; });
    });
  }

  // Waits until the pool is empty (at most `max` blocks).
  async function drain(max = 60) {
    for (let extra = 0; extra < max; extra++) {
      if ((await api.rpc.author.pendingExtrinsics()).length === 0) return;
      await waitBlocks(1);
    }
  }

  // Waits (at most `blocks` blocks) until `check` holds; fails naming `what` otherwise.
  async function until(check, what, blocks = 30) {
    for (let n = 0; n < blocks; n++) {
      if (await check()) return;
      await waitBlocks(1);
    }
    throw new Error(`no ${what} after ${blocks} blocks`);
  }

  return { fire, refreshNonces, waitBlocks, drain, until };
}
