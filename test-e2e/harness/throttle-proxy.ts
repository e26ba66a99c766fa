// An HTTP proxy on 127.0.0.1 in front of the S3 server that adds per-request latency and a shared
// bandwidth cap, to make transfers slow on purpose (lock heartbeats, killed uploads) or like a real region
// (benchmarks), and counts bytes and requests by S3 operation. Headers pass through untouched, so request
// signatures stay valid.
import { createServer, request as httpRequest, type Server } from 'node:http';
import { Transform, type TransformCallback } from 'node:stream';

export interface ThrottleOptions {
  /** Upstream S3 endpoint, e.g. http://127.0.0.1:9000. */
  readonly target: string;
  /** Added before each request is forwarded. */
  readonly latencyMs?: number;
  /** Shared by all connections and both directions; undefined = unlimited. */
  readonly bytesPerSecond?: number;
}

export interface ProxyStats {
  /** Bytes that went through, each way (bodies only). */
  up: number;
  down: number;
  requests: number;
  /** Requests by S3 operation: LIST, GET, HEAD, PUT, UPLOAD-PART, CREATE-MULTIPART, COMPLETE-MULTIPART, DELETE, DELETE-MANY, … */
  readonly byType: Record<string, number>;
  /** Every request in arrival order: its operation, path and query, and the canned ACL it asked for. */
  readonly log: { readonly type: string; readonly url: string; readonly acl: string | undefined }[];
}

export interface ThrottleProxy {
  readonly endpoint: string;
  readonly stats: ProxyStats;
  close(): Promise<void>;
}

/** The S3 operation a path-style request is, from its method and query alone. */
export function classifyRequest(method: string, url: string): string {
  const query = new URL(url, 'http://x').searchParams;
  const path = url.split('?')[0] ?? '';
  const bucketOnly = path.split('/').filter(Boolean).length <= 1;
  if (method === 'GET' && (query.has('list-type') || (bucketOnly && query.has('prefix')))) return 'LIST';
  if (method === 'PUT' && query.has('uploadId')) return 'UPLOAD-PART';
  if (method === 'POST' && query.has('uploads')) return 'CREATE-MULTIPART';
  if (method === 'POST' && query.has('uploadId')) return 'COMPLETE-MULTIPART';
  if (method === 'POST' && query.has('delete')) return 'DELETE-MANY';
  if (method === 'DELETE' && query.has('uploadId')) return 'ABORT-MULTIPART';
  return method === 'DELETE' ? 'DELETE' : method;
}

/** A token bucket shared by every stream through the proxy. */
class Bandwidth {
  private nextFree = Date.now();
  constructor(private readonly bytesPerSecond: number | undefined) {}
  delayFor(bytes: number): number {
    if (!this.bytesPerSecond) return 0;
    const now = Date.now();
    this.nextFree = Math.max(this.nextFree, now) + (bytes * 1000) / this.bytesPerSecond;
    return Math.max(0, this.nextFree - now);
  }
}

function throttled(bandwidth: Bandwidth, count: (n: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      count(chunk.length);
      const wait = bandwidth.delayFor(chunk.length);
      if (wait === 0) done(null, chunk);
      else setTimeout(() => done(null, chunk), wait);
    },
  });
}

export async function startThrottleProxy(options: ThrottleOptions): Promise<ThrottleProxy> {
  const target = new URL(options.target);
  const bandwidth = new Bandwidth(options.bytesPerSecond);
  const stats: ProxyStats = { up: 0, down: 0, requests: 0, byType: {}, log: [] };
  const server: Server = createServer((req, res) => {
    stats.requests++;
    const type = classifyRequest(req.method ?? 'GET', req.url ?? '/');
    stats.byType[type] = (stats.byType[type] ?? 0) + 1;
    const acl = req.headers['x-amz-acl'];
    stats.log.push({ type, url: req.url ?? '/', acl: Array.isArray(acl) ? acl.join(',') : acl });
    setTimeout(() => {
      const upstream = httpRequest(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(throttled(bandwidth, (n) => (stats.down += n))).pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      req.pipe(throttled(bandwidth, (n) => (stats.up += n))).pipe(upstream);
    }, options.latencyMs ?? 0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stats,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
