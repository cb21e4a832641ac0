// The node connection, the signing accounts and transaction submission. The provider
// reconnects by itself; the app shows its state and keeps working when the node comes back.
import { ApiPromise, WsProvider } from '@polkadot/api';
import type { SubmittableExtrinsic } from '@polkadot/api/types';
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { cryptoWaitReady } from '@polkadot/util-crypto';

export type Account = { address: string; name: string; pair?: KeyringPair; signer?: unknown };
export type Outcome = { ok: boolean; message: string; block?: number };

type Injected = { enable: (origin: string) => Promise<{ accounts: { get: () => Promise<{ address: string; name?: string }[]> }; signer: unknown }> };

export const DEV_ACCOUNTS = ['Alice', 'Bob', 'Charlie', 'Dave', 'Eve', 'Ferdie'];

export class Chain {
  api!: ApiPromise;
  connected = false;
  accounts: Account[] = [];
  current: Account | null = null;
  private statusListeners: ((connected: boolean) => void)[] = [];

  constructor(readonly url: string) {}

  onStatus(listener: (connected: boolean) => void) { this.statusListeners.push(listener); }

  private setStatus(connected: boolean) {
    this.connected = connected;
    for (const listener of this.statusListeners) listener(connected);
  }

  async connect() {
    await cryptoWaitReady();
    const provider = new WsProvider(this.url, 1000);
    provider.on('connected', () => this.setStatus(true));
    provider.on('disconnected', () => this.setStatus(false));
    provider.on('error', () => this.setStatus(false));
    this.api = await ApiPromise.create({ provider, noInitWarn: true });
    this.setStatus(provider.isConnected);
    await this.loadAccounts();
  }

  // The browser extension's accounts where one is installed; on a dev chain, the dev accounts.
  private async loadAccounts() {
    const injected = (window as unknown as { injectedWeb3?: Record<string, Injected> }).injectedWeb3 ?? {};
    for (const [name, extension] of Object.entries(injected)) {
      try {
        const enabled = await extension.enable('Clearing');
        for (const account of await enabled.accounts.get()) {
          this.accounts.push({ address: account.address, name: `${account.name ?? account.address.slice(0, 8)} (${name})`, signer: enabled.signer });
        }
      } catch { /* the user declined this extension */ }
    }
    const chain = (await this.api.rpc.system.chain()).toString();
    if (/dev|local/i.test(chain)) {
      const keyring = new Keyring({ type: 'sr25519', ss58Format: this.api.registry.chainSS58 ?? 42 });
      for (const name of DEV_ACCOUNTS) {
        const pair = keyring.addFromUri(`//${name}`);
        this.accounts.push({ address: pair.address, name: `${name} (dev)`, pair });
      }
    }
    this.current = this.accounts[0] ?? null;
  }

  select(address: string) {
    this.current = this.accounts.find((account) => account.address === address) ?? this.current;
  }

  // A dispatch error by name, in plain words: "margin.InitialMarginBreached: <its doc line>".
  describe(error: any): string {
    if (error.isModule) {
      const meta = this.api.registry.findMetaError(error.asModule);
      const words = meta.docs.join(' ').trim();
      return `${meta.section}.${meta.name}${words ? `: ${words}` : ''}`;
    }
    if (error.isToken) return `Token.${error.asToken.type}: the account cannot pay this (funds, existential deposit or a frozen balance)`;
    if (error.isArithmetic) return `Arithmetic.${error.asArithmetic.type}`;
    return error.type ?? String(error);
  }

  // Signs and sends `tx` as the selected account; resolves once it is in a block.
  submit(tx: SubmittableExtrinsic<'promise'>): Promise<Outcome> {
    const account = this.current;
    if (!account) return Promise.resolve({ ok: false, message: 'no account to sign with: install the polkadot.js extension' });
    if (!this.connected) return Promise.resolve({ ok: false, message: 'not connected to the node' });
    return new Promise((resolve) => {
      let unsubscribe = () => {};
      const done = (outcome: Outcome) => { unsubscribe(); resolve(outcome); };
      const callback = (result: any) => {
        const { status, dispatchError } = result;
        if (status.isInvalid || status.isDropped || status.isUsurped) return done({ ok: false, message: `the transaction was ${status.type.toLowerCase()}` });
        if (!status.isInBlock) return;
        this.api.rpc.chain.getHeader(status.asInBlock).then((header) => {
          const block = header.number.toNumber();
          done(dispatchError ? { ok: false, message: this.describe(dispatchError), block } : { ok: true, message: `included in block ${block}`, block });
        }, () => done({ ok: !dispatchError, message: dispatchError ? this.describe(dispatchError) : 'included' }));
      };
      const sent = account.pair
        ? tx.signAndSend(account.pair, callback)
        : tx.signAndSend(account.address, { signer: account.signer as any }, callback);
      sent.then((unsub) => { unsubscribe = unsub; }, (error: Error) => resolve({ ok: false, message: error.message }));
    });
  }
}
