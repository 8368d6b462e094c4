// A forward proxy on 127.0.0.1 that records what went through it: CONNECT tunnels (HTTPS, and
// undici's HTTP) and plain forwarding of absolute-URI requests (curl's HTTP). `routes` redirects
// a host:port to another port on 127.0.0.1, so a test can name an address only the proxy
// reaches; and a decoy server there counts any client that tried to go around the proxy.
import { createServer, request as httpRequest, type Server } from 'node:http';
import { connect, createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';

export interface ProxyEntry {
  kind: 'connect' | 'forward';
  /** host:port as the client asked for it. */
  target: string;
  userAgent: string;
}

export interface TestProxy {
  url: string;
  entries: ProxyEntry[];
  stop(): Promise<void>;
}

/** Starts the proxy; `routes` maps a requested `host:port` to a port on 127.0.0.1. */
export async function startProxy(routes: Map<string, number> = new Map()): Promise<TestProxy> {
  const entries: ProxyEntry[] = [];
  const sockets = new Set<Socket>();
  const resolve = (target: string): { host: string; port: number } => {
    const port = routes.get(target);
    if (port !== undefined) return { host: '127.0.0.1', port };
    const [host = '', portText = ''] = target.split(/:(?=\d+$)/);
    return { host, port: Number(portText) };
  };
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/');
    entries.push({
      kind: 'forward',
      target: url.host,
      userAgent: request.headers['user-agent'] ?? '',
    });
    const { host, port } = resolve(url.host);
    const upstream = httpRequest(
      {
        host,
        port,
        method: request.method,
        path: `${url.pathname}${url.search}`,
        headers: request.headers,
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    upstream.on('error', () => response.destroy());
    request.pipe(upstream);
  });
  server.on('connect', (request, client: Socket, head: Buffer) => {
    const target = request.url ?? '';
    entries.push({ kind: 'connect', target, userAgent: request.headers['user-agent'] ?? '' });
    const { host, port } = resolve(target);
    const upstream = connect(port, host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    entries,
    stop: () =>
      new Promise<void>((done) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => done());
      }),
  };
}

/** A port that counts connections and closes them: where a client that skipped the proxy lands. */
export async function startDecoy(): Promise<{
  port: number;
  connections: () => number;
  stop(): Promise<void>;
}> {
  let count = 0;
  const server = createTcpServer((socket) => {
    count++;
    socket.destroy();
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => count,
    stop: () => new Promise<void>((done) => server.close(() => done())),
  };
}
