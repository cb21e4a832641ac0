// The risk council's changes waiting out the timelock, each with its countdown.
import { h, replace, table } from '../dom';
import type { Context, View } from './view';

export function governanceView(context: Context): View {
  const { chain } = context;
  const body = h('div', { id: 'pending' });
  const element = h('section', { id: 'governance' }, h('h2', {}, 'Governance: pending changes'), body);
  return {
    element,
    async refresh() {
      const { api } = chain;
      const [entries, header, timelock] = await Promise.all([
        (api.query as any).governance.pending.entries(), api.rpc.chain.getHeader(), (api.query as any).governance.timelock(),
      ]);
      const now = header.number.toNumber();
      const secondsPerBlock = Number((api.consts as any).aura?.slotDuration ?? 1000) / 1000 || 1;
      const rows = entries.map(([key, value]: any) => {
        const pending = value.unwrap();
        const left = pending.enactAt.toNumber() - now;
        return [key.args[0].toString(), JSON.stringify(pending.change.toHuman()), String(pending.enactAt.toNumber()),
          left > 0 ? `${left} blocks (~${Math.round(left * secondsPerBlock)} s)` : 'enacting'];
      });
      replace(body, h('p', { class: 'muted' }, `Timelock: ${timelock.toNumber()} blocks. Changes that loosen risk wait it out; tightening ones apply at once.`),
        table(['id', 'change', 'enacted at block', 'countdown'], rows, { id: 'pending-table' }));
    },
  };
}
