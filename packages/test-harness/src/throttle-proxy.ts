// An HTTP proxy on 127.0.0.1 in front of the S3 server that adds per-request latency and a shared
// bandwidth cap, to make transfers slow on purpose (lock heartbeats, killed uploads) or like a real region
// (benchmarks), and counts bytes and requests by S3 operation. Headers pass through untouched, so request
// signatures stay valid. With `loseAnswers` it plays a store that carries a write out and then loses the
// answer (a 500 or a reset), the way some S3-compatible stores do under load; with `quirks`, a fussier
// store than MinIO (multi-object delete).
import { createHash } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Readable, Transform, type TransformCallback } from 'node:stream';

export interface ThrottleOptions {
  /** Upstream S3 endpoint, e.g. http://127.0.0.1:9000. */
  readonly target: string;
  /** Added before each request is forwarded. */
  readonly latencyMs?: number;
  /** Shared by all connections and both directions; undefined = unlimited. */
  readonly bytesPerSecond?: number;
  /** Loses the answers of a seeded-random share of the writes the server carried out. */
  readonly loseAnswers?: LoseAnswersOptions;
  /** Refusals of stores stricter than MinIO, answered by the proxy itself. */
  readonly quirks?: StoreQuirks;
}

export interface LoseAnswersOptions {
  /** Share of carried-out writes (2xx answers) whose answer is lost, 0 to 1. */
  readonly rate: number;
  /** `500`: an InternalError replaces the server's answer; `reset`: the connection is dropped instead. */
  readonly mode: '500' | 'reset';
  /** Methods that count as writes (default PUT, POST, DELETE). */
  readonly methods?: readonly string[];
  /** Seed of the draw: the same seed loses the answers of the same writes on every run (default 1). */
  readonly seed?: number;
}

/** The writes whose answers were lost: how many, and each one's operation and path. */
export interface LostAnswers {
  count: number;
  readonly log: { readonly kind: string; readonly nth: number; readonly status: number }[];
}

export interface StoreQuirks {
  /** `POST ?delete` without a Content-MD5 matching its body: 400 MissingContentMD5 / BadDigest (older Ceph, ECS). */
  readonly requireContentMd5?: boolean;
  /** Any `POST ?delete`: 501 NotImplemented (stores without multi-object delete). */
  readonly noMultiDelete?: boolean;
  /** A `PUT` whose path (`/<bucket>/<key>`) matches: 403 AccessDenied (a policy that denies writes under a prefix). */
  readonly denyPuts?: RegExp;
}

/** One multi-object delete the quirks looked at: the Content-MD5 it carried and what the proxy answered. */
export interface MultiDeleteRecord {
  readonly contentMd5: 'valid' | 'wrong' | 'missing';
  /** The status the proxy refused it with; undefined when it went on to the server. */
  readonly refusedWith: number | undefined;
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
  readonly lostAnswers: LostAnswers;
  /** With quirks: every `POST ?delete`, in arrival order. */
  readonly multiDeletes: readonly MultiDeleteRecord[];
  close(): Promise<void>;
}

/** The S3 operation a path-style request is, from its method and query alone. */
function classifyRequest(method: string, url: string): string {
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

/**
 * A write's operation and key, without the bucket (one per test) and with ids (40 or 64 hex digits) as `<id>`:
 * the nth bundle or pack written to a ref is the same write from run to run, whatever commit ids it names.
 */
function writeKind(type: string, url: string): string {
  const key = (url.split('?')[0] ?? '').split('/').slice(2).join('/');
  return `${type} ${key.replace(/[0-9a-f]{40}(?:[0-9a-f]{24})?/g, '<id>')}`;
}

/**
 * A draw in [0, 1) for the `nth` write of its `kind` (operation and key), from the seed: the same writes lose
 * their answers on every run, whatever order concurrent requests arrive in.
 */
function drawFor(seed: number, kind: string, nth: number): number {
  const digest = createHash('sha256').update(`${seed}\0${kind}\0${nth}`).digest();
  return digest.readUInt32BE(0) / 2 ** 32;
}

/**
 * The `loseAnswers` fault: decides, per answer the server gave, whether to lose it (a carried-out write drawn at
 * `rate`), and loses it by reading the server's whole answer (the write is done) and then answering 500 or
 * dropping the connection.
 */
function answerLoser(options: LoseAnswersOptions | undefined, lost: LostAnswers) {
  const methods = new Set(options?.methods ?? ['PUT', 'POST', 'DELETE']);
  const seen = new Map<string, number>();
  return {
    /** True when it took the answer over (the caller must not forward it). */
    intercept(req: IncomingMessage, answer: IncomingMessage, res: ServerResponse, type: string): boolean {
      const status = answer.statusCode ?? 0;
      if (!options || !methods.has(req.method ?? '') || status < 200 || status > 299) return false;
      const kind = writeKind(type, req.url ?? '/');
      const nth = (seen.get(kind) ?? 0) + 1;
      seen.set(kind, nth);
      if (drawFor(options.seed ?? 1, kind, nth) >= options.rate) return false;
      lost.count++;
      lost.log.push({ kind, nth, status });
      answer.resume();
      answer.on('end', () => {
        if (options.mode === 'reset') {
          res.destroy();
          return;
        }
        const body =
          '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message></Error>';
        res.writeHead(500, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      });
      return true;
    },
  };
}

export async function startThrottleProxy(options: ThrottleOptions): Promise<ThrottleProxy> {
  const target = new URL(options.target);
  const lostAnswers: LostAnswers = { count: 0, log: [] };
  const loser = answerLoser(options.loseAnswers, lostAnswers);
  const bandwidth = new Bandwidth(options.bytesPerSecond);
  const stats: ProxyStats = { up: 0, down: 0, requests: 0, byType: {}, log: [] };
  const multiDeletes: MultiDeleteRecord[] = [];
  const server: Server = createServer((req, res) => {
    stats.requests++;
    const type = classifyRequest(req.method ?? 'GET', req.url ?? '/');
    stats.byType[type] = (stats.byType[type] ?? 0) + 1;
    const acl = req.headers['x-amz-acl'];
    stats.log.push({ type, url: req.url ?? '/', acl: Array.isArray(acl) ? acl.join(',') : acl });
    if (options.quirks?.denyPuts && type === 'PUT' && options.quirks.denyPuts.test(req.url?.split('?')[0] ?? '')) {
      req.resume();
      req.on('end', () => answerError(res, { status: 403, code: 'AccessDenied', message: 'Access Denied' }));
      return;
    }
    if (options.quirks && type === 'DELETE-MANY') {
      void answerQuirks(req, res, options.quirks, multiDeletes).then((body) => body && forward(req, res, type, body));
      return;
    }
    forward(req, res, type);
  });
  /** Sends the request on to the server (`body`: already read by the quirks) and its answer back. */
  const forward = (req: IncomingMessage, res: ServerResponse, type: string, body?: Buffer) =>
    setTimeout(() => {
      const upstream = httpRequest(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          if (loser.intercept(req, answer, res, type)) return;
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(throttled(bandwidth, (n) => (stats.down += n))).pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      (body ? Readable.from([body]) : req).pipe(throttled(bandwidth, (n) => (stats.up += n))).pipe(upstream);
    }, options.latencyMs ?? 0);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stats,
    lostAnswers,
    multiDeletes,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Plays a store stricter than MinIO on one `POST ?delete`: answers it with the store's S3 error and resolves
 * undefined, or resolves the body read (for the caller to forward) when the request passes.
 */
async function answerQuirks(
  req: IncomingMessage,
  res: ServerResponse,
  quirks: StoreQuirks,
  seen: MultiDeleteRecord[],
): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  const given = req.headers['content-md5'];
  const contentMd5 = given === undefined ? 'missing' : given === createHash('md5').update(body).digest('base64') ? 'valid' : 'wrong';
  const refusal = quirks.noMultiDelete
    ? { status: 501, code: 'NotImplemented', message: 'A header you provided implies functionality that is not implemented' }
    : quirks.requireContentMd5 && contentMd5 === 'missing'
      ? { status: 400, code: 'MissingContentMD5', message: 'Missing required header for this request: Content-MD5' }
      : quirks.requireContentMd5 && contentMd5 === 'wrong'
        ? { status: 400, code: 'BadDigest', message: 'The Content-MD5 you specified did not match what we received' }
        : undefined;
  seen.push({ contentMd5, refusedWith: refusal?.status });
  if (!refusal) return body;
  answerError(res, refusal);
  return undefined;
}

/** Answers with an S3 error document, as the store being played would. */
function answerError(res: ServerResponse, refusal: { readonly status: number; readonly code: string; readonly message: string }): void {
  const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${refusal.code}</Code><Message>${refusal.message}</Message><RequestId>quirk</RequestId></Error>`;
  res.writeHead(refusal.status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(xml) });
  res.end(xml);
}
