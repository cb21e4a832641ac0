// The app's shell: connects to the node and the indexer, keeps the account selector and the
// connection banner, routes between screens and refreshes the one shown at every new block.
import './style.css';
import { Chain } from './chain';
import { Indexer } from './indexer';
import { h, replace } from './dom';
import type { View } from './views/view';
import { marketsView } from './views/markets';
import { marketView } from './views/market';
import { accountView } from './views/account';
import { optionsView } from './views/options';
import { governanceView } from './views/governance';
import { oracleView } from './views/oracle';

const params = new URLSearchParams(location.search);
const defaults = { ws: `ws://${location.hostname}:9944`, indexer: `http://${location.hostname}:3001` };
const chain = new Chain(params.get('ws') ?? defaults.ws);
const indexer = new Indexer(params.get('indexer') ?? defaults.indexer);

const banner = document.getElementById('banner')!;
const root = document.getElementById('view')!;
const blockLabel = document.getElementById('block')!;
const accountSelect = document.getElementById('account') as HTMLSelectElement;

const SCREENS: [string, string][] = [
  ['#/markets', 'Markets'], ['#/market/0', 'Trade'], ['#/account', 'Account'],
  ['#/options', 'Options'], ['#/governance', 'Governance'], ['#/oracle', 'Oracle'],
];

function showBanner(text: string | null) {
  banner.hidden = text === null;
  banner.textContent = text ?? '';
}

let current: View | null = null;
let refreshing = false;

async function refresh() {
  if (!current || refreshing || !chain.connected) return;
  refreshing = true;
  try { await current.refresh(); } catch (error) { console.warn('refresh failed', error); } finally { refreshing = false; }
}

function route() {
  current?.unmount?.();
  const hash = location.hash || '#/markets';
  const [, screen, argument] = hash.split('/');
  const context = { chain, indexer };
  current = screen === 'market' ? marketView(context, Number(argument ?? 0))
    : screen === 'account' ? accountView(context)
      : screen === 'options' ? optionsView(context)
        : screen === 'governance' ? governanceView(context)
          : screen === 'oracle' ? oracleView(context)
            : marketsView(context);
  replace(root, current.element);
  for (const link of document.querySelectorAll('#nav a')) link.classList.toggle('active', link.getAttribute('href') === hash);
  void refresh();
}

async function start() {
  replace(document.getElementById('nav')!, ...SCREENS.map(([href, label]) => h('a', { href }, label)));
  // Which node the app trusts is always on screen: a link can name another (?ws=, ?indexer=),
  // and what a node answers (book, prices, margin) is what the user signs against.
  const endpoint = document.getElementById('endpoint')!;
  endpoint.textContent = `node ${chain.url}`;
  if (chain.url !== defaults.ws || indexer.url !== defaults.indexer) {
    endpoint.classList.add('warning');
    endpoint.title = `This page was opened with a node or indexer of its own: node ${chain.url}, indexer ${indexer.url}`;
  }
  showBanner(`Connecting to the node at ${chain.url}…`);
  chain.onStatus((connected) => {
    showBanner(connected ? null : `Disconnected from the node at ${chain.url}: reconnecting… (what you see is as of the last block received)`);
    document.body.classList.toggle('offline', !connected);
  });
  await chain.connect();
  replace(accountSelect, ...chain.accounts.map((account) => h('option', { value: account.address }, account.name)));
  const wanted = params.get('account');
  if (wanted) { chain.select(wanted); accountSelect.value = chain.current?.address ?? ''; }
  accountSelect.addEventListener('change', () => { chain.select(accountSelect.value); void refresh(); });
  await chain.api.rpc.chain.subscribeNewHeads((header) => {
    blockLabel.textContent = `block #${header.number.toNumber()}`;
    blockLabel.dataset.block = String(header.number.toNumber());
    void refresh();
  });
  window.addEventListener('hashchange', route);
  route();
}

start().catch((error) => showBanner(`Cannot start: ${error.message}`));
