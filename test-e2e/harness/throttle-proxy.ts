// An HTTP proxy on 127.0.0.1 in front of the S3 server that adds per-request latency and a shared
// bandwidth cap, to make transfers slow on purpose (lock heartbeats, killed uploads, benchmarks). Headers
// pass through untouched, so request signatures stay valid.
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

export interface ThrottleProxy {
  readonly endpoint: string;
  /** Bytes that went through, each way. */
  readonly stats: { up: number; down: number; requests: number };
  close(): Promise<void>;
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
  const stats = { up: 0, down: 0, requests: 0 };
  const server: Server = createServer((req, res) => {
    stats.requests++;
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
