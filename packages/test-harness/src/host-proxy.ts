// A forward HTTP proxy on 127.0.0.1 that sends every request to one S3 server, Host header untouched: how
// JGit, which reaches S3 only as http://<bucket>.<domain>/<key> on port 80, finds a MinIO started with
// MINIO_DOMAIN=<domain> without any DNS entry. Requests addressed to the proxy itself (path-style, as our
// helper sends them) pass too. Each request is recorded for assertions on what a client sent.
import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';

export interface ProxiedRequest {
  readonly method: string;
  /** `<bucket>.<domain>` for a virtual-hosted request, `127.0.0.1:<port>` for a path-style one. */
  readonly host: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
}

export interface HostProxy {
  readonly port: number;
  /** Every request so far, in order. */
  readonly requests: ProxiedRequest[];
  stop(): Promise<void>;
}

/** Starts the proxy in front of `target` (e.g. `http://127.0.0.1:9000`). */
export async function startHostProxy(target: string): Promise<HostProxy> {
  const upstream = new URL(target);
  const requests: ProxiedRequest[] = [];
  const server = createServer((req, res) => {
    // absolute-form (`GET http://b.domain/key`) from a client using us as its proxy; origin-form otherwise
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? upstream.host}`);
    const path = `${url.pathname}${url.search}`;
    const { 'proxy-connection': _, ...headers } = req.headers;
    requests.push({ method: req.method ?? 'GET', host: req.headers.host ?? '', path, headers });
    const forward = httpRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forward.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502);
      res.end(String(error));
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    requests,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
