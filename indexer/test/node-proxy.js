// A TCP proxy to the node for tests: `drop()` cuts every connection and refuses new ones (the
// node restarting, as a client sees it), `restore()` lets them through again.
import net from 'node:net';

export function nodeProxy(target) {
  const { hostname, port } = new URL(target);
  const sockets = new Set();
  let open = true;
  const server = net.createServer((client) => {
    if (!open) return client.destroy();
    const upstream = net.connect(Number(port), hostname);
    for (const socket of [client, upstream]) { sockets.add(socket); socket.on('close', () => sockets.delete(socket)); socket.on('error', () => {}); }
    client.pipe(upstream).pipe(client);
  });
  return { server, drop() { open = false; for (const socket of sockets) socket.destroy(); }, restore() { open = true; } };
}
