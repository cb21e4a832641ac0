// The history indexer's REST API and its websocket push (see README, "History: the indexer").

export type Trade = { block_number: number; event_index: number; ts: number; market: number; price: string; size: string; taker_side: string; maker: string; taker: string };
export type Candle = { start: number; open: string; high: string; low: string; close: string; volume: string; trades: number };

export class Indexer {
  reachable = false;
  constructor(readonly url: string) {}

  async get<T = any>(path: string): Promise<T> {
    try {
      const response = await fetch(this.url + path);
      const body = await response.json();
      this.reachable = true;
      if (!response.ok) throw new Error(`${body.error}: ${body.message}`);
      return body as T;
    } catch (error) {
      if (error instanceof TypeError) this.reachable = false;
      throw error;
    }
  }

  trades(market: number, limit = 30) { return this.get<{ items: Trade[] }>(`/markets/${market}/trades?limit=${limit}`); }
  candles(market: number, interval: string, limit = 200) { return this.get<{ items: Candle[] }>(`/markets/${market}/candles?interval=${interval}&limit=${limit}`); }

  // Subscribes to `channel` (reconnecting after a drop); `onMessage` gets each push.
  subscribe(subscription: Record<string, unknown>, onMessage: (message: any) => void): () => void {
    let socket: WebSocket | null = null;
    let closed = false;
    const open = () => {
      socket = new WebSocket(this.url.replace(/^http/, 'ws') + '/ws');
      socket.onopen = () => socket?.send(JSON.stringify(subscription));
      socket.onmessage = (event) => onMessage(JSON.parse(String(event.data)));
      socket.onclose = () => { if (!closed) setTimeout(open, 2000); };
    };
    open();
    return () => { closed = true; socket?.close(); };
  }
}
