// The signing account's subaccount 0: health, positions with their liquidation price, open
// orders (cancel), collateral (deposit, withdraw), the insurance fund (stake, unstake) and its
// fills from the indexer.
import { field, h, once, outcome, replace, replaceIfChanged, select, table } from '../dom';
import { ASSETS, parseUnits, price, symbolOf, units, usdc, when } from '../format';
import { type Context, type View, marketNames } from './view';

export function accountView(context: Context): View {
  const { chain, indexer } = context;
  const health = h('div', { id: 'health' });
  const positions = h('div', { id: 'positions' });
  const orders = h('div', { id: 'orders' });
  const triggers = h('div', { id: 'triggers' });
  const collateral = h('div', { id: 'collateral' });
  const insurance = h('div', { id: 'insurance' });
  const fills = h('div', { id: 'fills' });
  const result = h('div', { id: 'account-result', class: 'outcome' });

  const asset = select('collateral-asset', Object.entries(ASSETS).filter(([id]) => ['0', '1'].includes(id)).map(([id, a]) => [id, a.symbol]), '1');
  const amount = h('input', { id: 'collateral-amount', inputmode: 'decimal', placeholder: 'amount' }) as HTMLInputElement;
  const move = (what: 'deposit' | 'withdraw') => once(document.getElementById(what) as HTMLButtonElement, async () => {
    try {
      const id = Number(asset.value);
      const value = parseUnits(amount.value, ASSETS[id].decimals, 'amount');
      const tx = what === 'deposit' ? chain.api.tx.vaults.deposit(0, id, value) : chain.api.tx.vaults.withdraw(0, id, value);
      outcome(result, true, 'signing…');
      const sent = await chain.submit(tx);
      outcome(result, sent.ok, sent.ok ? `${what === 'deposit' ? 'Deposited' : 'Withdrew'} ${amount.value} ${symbolOf(id)} (${sent.message})` : sent.message);
    } catch (error) { outcome(result, false, (error as Error).message); }
  });
  const collateralForm = h('div', { class: 'row' }, field('Asset', asset), field('Amount', amount),
    h('button', { type: 'button', id: 'deposit', onclick: () => move('deposit') }, 'Deposit'),
    h('button', { type: 'button', id: 'withdraw', onclick: () => move('withdraw') }, 'Withdraw'));

  const stakeAmount = h('input', { id: 'stake-amount', inputmode: 'decimal', placeholder: 'USDC' }) as HTMLInputElement;
  const stake = (what: 'stake' | 'request' | 'unstake') => once(document.getElementById(`insurance-${what}`) as HTMLButtonElement, async () => {
    try {
      const { api } = chain;
      const tx = what === 'stake' ? api.tx.insurance.stake(parseUnits(stakeAmount.value, 6, 'amount'))
        : what === 'request' ? api.tx.insurance.requestUnstake(parseUnits(stakeAmount.value, 6, 'shares'))
          : api.tx.insurance.unstake();
      const sent = await chain.submit(tx);
      outcome(result, sent.ok, sent.ok ? `Done (${sent.message})` : sent.message);
    } catch (error) { outcome(result, false, (error as Error).message); }
  });
  const stakeForm = h('div', { class: 'row' }, field('Amount', stakeAmount),
    h('button', { type: 'button', id: 'insurance-stake', onclick: () => stake('stake') }, 'Stake'),
    h('button', { type: 'button', id: 'insurance-request', onclick: () => stake('request') }, 'Request unstake (shares)'),
    h('button', { type: 'button', id: 'insurance-unstake', onclick: () => stake('unstake') }, 'Unstake'));

  const element = h('section', { id: 'account-view' }, h('h2', {}, 'Account · subaccount 0'), result,
    h('div', { class: 'grid' },
      h('div', { class: 'panel' }, h('h3', {}, 'Health'), health, h('h3', {}, 'Collateral'), collateral, collateralForm),
      h('div', { class: 'panel wide' }, h('h3', {}, 'Positions'), positions, h('h3', {}, 'Open orders'), orders, h('h3', {}, 'Waiting triggers'), triggers, h('h3', {}, 'Fills'), fills),
      h('div', { class: 'panel' }, h('h3', {}, 'Insurance fund'), insurance, stakeForm)));

  return {
    element,
    async refresh() {
      const account = chain.current;
      if (!account) { replace(health, 'no account: install the polkadot.js extension'); return; }
      const { api } = chain;
      const call = api.call as any;
      const names = await marketNames(context);
      const [healthView, positionViews, openOrders, waiting, held, fund, staker] = await Promise.all([
        call.marginApi.accountHealth(account.address, 0), call.marginApi.positions(account.address, 0),
        call.orderbookApi.orders(account.address, 0), call.orderbookApi.triggers(account.address, 0),
        call.vaultsApi.collateral(account.address, 0), call.insuranceApi.fund(), call.insuranceApi.staker(account.address),
      ]);
      if (healthView.isSome) {
        const view = healthView.unwrap();
        const equity = view.equity.toBigInt();
        const maintenance = view.maintenanceRequirement.toBigInt();
        // The gauge: how much of the equity the maintenance requirement takes (100%: liquidatable).
        const used = equity > 0n ? Number((maintenance * 10_000n) / equity) / 100 : (maintenance > 0n ? 100 : 0);
        replace(health,
          h('div', { class: 'gauge', title: 'maintenance requirement / equity' }, h('div', { class: used >= 80 ? 'fill danger' : 'fill', style: { width: `${Math.min(100, used)}%` } })),
          h('div', { id: 'health-text' }, `equity ${usdc(equity)} · initial ${usdc(view.initialRequirement.toBigInt())} · maintenance ${usdc(maintenance)} · free ${usdc(view.freeCollateral.toBigInt())} USDC · ${used.toFixed(1)}% of equity used`),
          view.liquidatable.isTrue ? h('div', { class: 'error' }, 'Liquidatable') : null);
      } else {
        replace(health, 'no health reading (no fresh price?)');
      }
      replace(collateral, table(['asset', 'amount', 'value (USDC)', 'haircut'], held.assets.map((a: any) => [
        symbolOf(a.asset.toNumber()), units(a.amount.toBigInt(), ASSETS[a.asset.toNumber()]?.decimals ?? 0), usdc(a.value.toBigInt()),
        a.haircut.isSome ? `${(a.haircut.unwrap().haircut.toNumber() / 10_000).toFixed(2)}%` : '—',
      ]), { id: 'collateral-table' }));

      const rows = [];
      for (const p of positionViews as any[]) {
        const market = p.market.toNumber();
        const info = names.get(market);
        const liquidation = await call.marginApi.liquidationPrice(account.address, 0, market);
        const size = p.baseSize.toBigInt();
        const entry = size !== 0n ? (p.costBasis.toBigInt() * 10n ** BigInt(info?.decimals ?? 0) * 10n ** 12n) / size : 0n;
        rows.push([info?.name ?? `#${market}`, units(size, info?.decimals ?? 0), price(entry < 0n ? -entry : entry),
          p.mark.isSome ? price(p.mark.unwrap().toBigInt()) : '—', usdc(p.unrealizedPnl.toBigInt()),
          h('span', { class: 'liquidation-price' }, liquidation.isSome ? price(liquidation.unwrap().toBigInt()) : '—')]);
      }
      replace(positions, table(['market', 'size', 'entry', 'mark', 'unrealized PnL', 'liquidation price'], rows, { id: 'positions-table' }));

      const cancelButton = (id: string, kind: 'order' | 'trigger') => h('button', {
        type: 'button', class: kind === 'order' ? 'cancel' : 'cancel-trigger', [`data-${kind}`]: id,
        onclick: (event: Event) => once(event.currentTarget as HTMLButtonElement, async () => {
          const tx = kind === 'order' ? api.tx.orderbook.cancelOrder(id) : api.tx.orderbook.cancelTrigger(id);
          const sent = await chain.submit(tx);
          outcome(result, sent.ok, sent.ok ? `${kind === 'order' ? 'Order' : 'Trigger'} ${id} cancelled (${sent.message})` : sent.message);
        }),
      }, 'Cancel');
      const orderRows = (openOrders as any[]).map((o) => {
        const info = names.get(o.market.toNumber());
        return [o.id.toString(), info?.name ?? `#${o.market}`, o.side.toString(), price(o.price.toBigInt()), units(o.remaining.toBigInt(), info?.decimals ?? 0)];
      });
      replaceIfChanged(orders, JSON.stringify(orderRows), () => table(['id', 'market', 'side', 'price', 'remaining', ''],
        orderRows.map((row) => [...row, cancelButton(row[0], 'order')]), { id: 'orders-table' }));
      const triggerRows = (waiting as any[]).map((t) => {
        const info = names.get(t.market.toNumber());
        return [t.id.toString(), info?.name ?? `#${t.market}`, `${t.side.toString()} ${t.kind.toString()}`, price(t.triggerPrice.toBigInt()), price(t.price.toBigInt()),
          t.size.isSome ? units(t.size.unwrap().toBigInt(), info?.decimals ?? 0) : 'the position'];
      });
      replaceIfChanged(triggers, JSON.stringify(triggerRows), () => table(['id', 'market', 'trigger', 'at index', 'price', 'size', ''],
        triggerRows.map((row) => [...row, cancelButton(row[0], 'trigger')]), { id: 'triggers-table' }));

      replace(insurance, h('div', {}, `Fund value ${usdc(fund.value.toBigInt())} USDC · share price ${(Number(fund.sharePrice.toBigInt() / 10n ** 12n) / 1e6).toFixed(6)} · cooldown ${fund.cooldownBlocks.toNumber()} blocks`),
        h('div', {}, `Your shares ${units(staker.shares.toBigInt(), 6)} worth ${usdc(staker.value.toBigInt())} USDC`,
          staker.pending.isSome ? ` · unstake pending, unlocks at block ${staker.pending.unwrap().unlockAt.toNumber()}` : ''));

      try {
        const { items } = await indexer.get(`/accounts/${account.address}/fills?subaccount=0&limit=20`);
        replace(fills, table(['time', 'market', 'side', 'price', 'size', 'fee'], items.map((f: any) => [when(f.ts), names.get(f.market)?.name ?? `#${f.market}`, `${f.side} (${f.role})`, price(f.price), units(f.size, names.get(f.market)?.decimals ?? 0), usdc(f.fee, 4)]), { id: 'fills-table' }));
      } catch (error) {
        replace(fills, `history unavailable: ${(error as Error).message}`);
      }
    },
  };
}
