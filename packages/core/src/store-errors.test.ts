import { describe, expect, it } from 'vitest';
import { mapS3Error } from './store.js';

const ctx = { operation: 'GetObject', bucket: 'b', key: 'r/HEAD', profile: undefined, endpoint: 'http://127.0.0.1:9000' };

describe('mapS3Error', () => {
  it('maps a connection reset while a body streams to a network error naming the endpoint', () => {
    const reset = Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
    expect(mapS3Error(reset, ctx).message).toBe('cannot reach http://127.0.0.1:9000 (ECONNRESET); check the endpoint and your network');
  });

  it('maps anything else the SDK or the connection throws to a failed request on the key, never a raw error', () => {
    const odd = mapS3Error(Object.assign(new Error('socket hang up\nmore'), { code: 'UND_ERR_SOCKET' }), ctx);
    expect(odd).toHaveProperty('code', 's3');
    expect(odd.message).toBe('GetObject on s3://b/r/HEAD failed: Error: socket hang up (UND_ERR_SOCKET)');
    expect(mapS3Error('text', ctx).message).toBe('GetObject on s3://b/r/HEAD failed: text');
  });
});

describe('mapS3Error on rejected credentials', () => {
  const rejected = Object.assign(new Error('The key you provided does not exist'), {
    name: 'InvalidAccessKeyId',
    $metadata: { httpStatusCode: 403 },
  });
  it("gives the profile's own advice and why the environment's keys were not used, as the store was told", () => {
    const hint = { advice: "check its keys, or run 'aws configure --profile p'", note: '; AWS_PROFILE wins' };
    expect(mapS3Error(rejected, { ...ctx, profile: 'p', credentialHint: hint }).message).toBe(
      "no valid AWS credentials from profile 'p' (http://127.0.0.1:9000 rejected them: InvalidAccessKeyId); check its keys, or run 'aws configure --profile p'; AWS_PROFILE wins",
    );
  });
  it('keeps the general advice without a hint', () => {
    expect(mapS3Error(rejected, ctx).message).toBe(
      'no valid AWS credentials from the default credential chain (http://127.0.0.1:9000 rejected them: InvalidAccessKeyId); set AWS_PROFILE, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run aws configure',
    );
  });
});

describe('mapS3Error on a local file', () => {
  it('reports a file the upload streamed from that is gone as the local failure it is', () => {
    const gone = Object.assign(new Error("ENOENT: no such file or directory, open '/tmp/x'"), {
      code: 'ENOENT',
      syscall: 'open',
      path: '/tmp/x',
      errno: -2,
    });
    expect(mapS3Error(gone, { ...ctx, operation: 'Upload' })).toHaveProperty('code', 'local-io');
  });
});
