import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { openStore } from './store.js';

interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, unknown>;
  readonly headers: Record<string, string>;
  /** The region the request was signed for (from its Authorization header's credential scope). */
  readonly region: string;
  readonly body: string;
}

interface Answer {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

/** An HTTP layer that answers like a store whose bucket is in `home`; `wrongRegion` says how it refuses. */
function fakeStore(home: string, wrongRegion: (request: SeenRequest) => Answer, answer: (request: SeenRequest) => Answer = ok) {
  const seen: SeenRequest[] = [];
  const handler = {
    async handle(request: {
      method: string;
      path: string;
      query?: Record<string, unknown>;
      headers: Record<string, string>;
      body?: unknown;
    }) {
      const body = await bodyText(request.body);
      const region = /Credential=[^/]+\/\d+\/([^/]+)\//.exec(request.headers.authorization ?? '')?.[1] ?? '?';
      const req: SeenRequest = {
        method: request.method,
        path: request.path,
        query: request.query ?? {},
        headers: request.headers,
        region,
        body,
      };
      seen.push(req);
      const a = region === home ? answer(req) : wrongRegion(req);
      return {
        response: {
          statusCode: a.status,
          headers: { 'content-type': 'application/xml', date: new Date().toUTCString(), ...a.headers },
          body: Readable.from([Buffer.from(req.method === 'HEAD' ? '' : (a.body ?? ''))]),
        },
      };
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs: () => ({}),
    destroy() {},
  };
  return { handler, seen };
}

async function bodyText(body: unknown): Promise<string> {
  if (body === undefined || body === null) return '';
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return Buffer.from(body).toString();
  const chunks: Buffer[] = [];
  for await (const c of body as AsyncIterable<Buffer>) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks).toString();
}

function ok(request: SeenRequest): Answer {
  if (request.method === 'HEAD' || (request.method === 'GET' && !request.query['list-type'])) {
    return { status: 404, body: '<Error><Code>NoSuchKey</Code><Message>no</Message></Error>' };
  }
  if (request.method === 'GET') return { status: 200, body: '<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>' };
  if (request.method === 'POST' && 'delete' in request.query) return { status: 200, body: '<DeleteResult></DeleteResult>' };
  if (request.method === 'DELETE') return { status: 204 };
  return { status: 200, headers: { etag: '"e"' } };
}

const malformed = (home: string) => (): Answer => ({
  status: 400,
  body: `<Error><Code>AuthorizationHeaderMalformed</Code><Message>The authorization header is malformed; the region 'us-east-1' is wrong; expecting '${home}'</Message><Region>${home}</Region></Error>`,
});

async function storeOn(fake: ReturnType<typeof fakeStore>, notices: string[] = []) {
  return openStore({
    bucket: 'bkt',
    endpoint: 'http://store.invalid',
    credentials: { accessKeyId: 'AK', secretAccessKey: 'SK' },
    env: { AWS_REGION: 'us-east-1' },
    requestHandler: fake.handler,
    onNotice: (m) => notices.push(m),
  });
}

describe('a bucket in another region than the configured one', () => {
  it('a 400 naming the region is retried there once, and every later request goes there directly', async () => {
    const fake = fakeStore('eu-west-3', malformed('eu-west-3'));
    const notices: string[] = [];
    const store = await storeOn(fake, notices);
    expect(await store.getText('a')).toBeUndefined();
    expect(await store.getText('b')).toBeUndefined();
    await store.put('c', 'x');
    expect(fake.seen.map((r) => `${r.method} ${r.path} ${r.region}`)).toEqual([
      'GET /bkt/a us-east-1',
      'GET /bkt/a eu-west-3',
      'GET /bkt/b eu-west-3',
      'PUT /bkt/c eu-west-3',
    ]);
    expect(notices).toEqual(['bucket bkt is in region eu-west-3, not us-east-1: using eu-west-3']);
    store.close();
  });

  it('a HEAD answered by a bare 400 asks the region with a one-key listing, then repeats the HEAD there', async () => {
    const fake = fakeStore('ap-south-1', (r) => (r.method === 'HEAD' ? { status: 400 } : malformed('ap-south-1')()));
    const store = await storeOn(fake);
    expect(await store.head('k')).toBeUndefined();
    expect(fake.seen.map((r) => `${r.method} ${r.region}`)).toEqual(['HEAD us-east-1', 'GET us-east-1', 'HEAD ap-south-1']);
    store.close();
  });

  it('a HEAD answered with x-amz-bucket-region needs no listing', async () => {
    const fake = fakeStore('eu-west-3', () => ({ status: 400, headers: { 'x-amz-bucket-region': 'eu-west-3' } }));
    const store = await storeOn(fake);
    expect(await store.head('k')).toBeUndefined();
    expect(fake.seen.map((r) => `${r.method} ${r.region}`)).toEqual(['HEAD us-east-1', 'HEAD eu-west-3']);
    store.close();
  });

  it('a 301 with x-amz-bucket-region (followed by the SDK itself) is remembered for later requests', async () => {
    const fake = fakeStore('us-west-2', () => ({
      status: 301,
      headers: { 'x-amz-bucket-region': 'us-west-2' },
      body: '<Error><Code>PermanentRedirect</Code><Message>use the right endpoint</Message></Error>',
    }));
    const store = await storeOn(fake);
    await store.put('a', 'x');
    await store.put('b', 'y');
    expect(fake.seen.map((r) => `${r.path} ${r.region}`)).toEqual(['/bkt/a us-east-1', '/bkt/a us-west-2', '/bkt/b us-west-2']);
    store.close();
  });

  it('a 301 naming only its endpoint host is followed too', async () => {
    const fake = fakeStore('eu-central-1', () => ({
      status: 301,
      body: '<Error><Code>PermanentRedirect</Code><Message>m</Message><Endpoint>bkt.s3.eu-central-1.amazonaws.com</Endpoint></Error>',
    }));
    const store = await storeOn(fake);
    await store.put('a', 'x');
    expect(fake.seen.map((r) => r.region)).toEqual(['us-east-1', 'eu-central-1']);
    store.close();
  });

  it('a streamed upload as the first request learns the region before sending a byte, and sends it once', async () => {
    const fake = fakeStore('eu-west-3', malformed('eu-west-3'));
    const store = await storeOn(fake);
    await store.upload('big', Readable.from([Buffer.from('streamed body')]));
    expect(fake.seen.map((r) => `${r.method} ${r.region}`)).toEqual(['GET us-east-1', 'PUT eu-west-3']);
    expect(fake.seen[1]?.body).toBe('streamed body');
    store.close();
  });

  it('a 400 that names no region is an error, not retried', async () => {
    const fake = fakeStore('us-east-1', malformed('us-east-1'), () => ({
      status: 400,
      body: '<Error><Code>InvalidArgument</Code><Message>bad</Message></Error>',
    }));
    const store = await storeOn(fake);
    await expect(store.put('a', 'x')).rejects.toThrow(/PutObject on s3:\/\/bkt\/a failed \(HTTP 400\): InvalidArgument/);
    expect(fake.seen).toHaveLength(1);
    store.close();
  });
});

describe('multi-object delete', () => {
  it('carries a Content-MD5 of its body', async () => {
    const fake = fakeStore('us-east-1', malformed('us-east-1'));
    const store = await storeOn(fake);
    await store.deleteMany(['a', 'b']);
    const [post] = fake.seen;
    expect(post?.query).toHaveProperty('delete');
    expect(post?.headers['content-md5']).toBe(
      createHash('md5')
        .update(post?.body ?? '')
        .digest('base64'),
    );
    store.close();
  });

  it('a store that lacks it (501) gets single deletes, and no second multi-object delete in the process', async () => {
    const fake = fakeStore('us-east-1', malformed('us-east-1'), (r) =>
      r.method === 'POST' ? { status: 501, body: '<Error><Code>NotImplemented</Code><Message>no</Message></Error>' } : ok(r),
    );
    const notices: string[] = [];
    const store = await storeOn(fake, notices);
    await store.deleteMany(['a', 'b']);
    await store.deleteMany(['c', 'd']);
    expect(fake.seen.map((r) => `${r.method} ${r.path}`).sort()).toEqual(
      ['POST /bkt/', 'DELETE /bkt/a', 'DELETE /bkt/b', 'DELETE /bkt/c', 'DELETE /bkt/d'].sort(),
    );
    expect(notices).toEqual(['http://store.invalid refused a multi-object delete (NotImplemented (HTTP 501)): deleting one key at a time']);
    store.close();
  });

  it('a refusal for another reason (403) is an error, not a fallback', async () => {
    const fake = fakeStore('us-east-1', malformed('us-east-1'), (r) =>
      r.method === 'POST' ? { status: 403, body: '<Error><Code>AccessDenied</Code><Message>no</Message></Error>' } : ok(r),
    );
    const store = await storeOn(fake);
    await expect(store.deleteMany(['a', 'b'])).rejects.toMatchObject({ code: 'access-denied' });
    expect(fake.seen).toHaveLength(1);
    store.close();
  });
});
