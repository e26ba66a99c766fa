import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { addContentMd5, isBareBadRequest, refusesMultiDelete, regionFromAnswer } from './store-quirks.js';

/** An SDK error as the S3 client raises it: status, parsed XML body fields, response headers. */
function answer(status: number, fields: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  return { name: 'Unknown', $metadata: { httpStatusCode: status }, $response: { statusCode: status, headers }, ...fields };
}

describe('regionFromAnswer', () => {
  it('reads the x-amz-bucket-region header of a bodyless 400 (a HEAD answer)', () => {
    expect(regionFromAnswer(answer(400, {}, { 'x-amz-bucket-region': 'eu-west-3' }))).toBe('eu-west-3');
  });

  it('reads the header of a 301 redirect', () => {
    expect(regionFromAnswer(answer(301, { name: 'PermanentRedirect' }, { 'x-amz-bucket-region': 'ap-south-1' }))).toBe('ap-south-1');
  });

  it("reads AuthorizationHeaderMalformed's Region element", () => {
    expect(
      regionFromAnswer(answer(400, { name: 'AuthorizationHeaderMalformed', Code: 'AuthorizationHeaderMalformed', Region: 'eu-west-3' })),
    ).toBe('eu-west-3');
  });

  it('reads the region from the message text when nothing else names it', () => {
    const message = "The authorization header is malformed; the region 'us-east-1' is wrong; expecting 'eu-central-1'";
    expect(regionFromAnswer(answer(400, { name: 'AuthorizationHeaderMalformed', message }))).toBe('eu-central-1');
  });

  it("reads a PermanentRedirect's Endpoint host", () => {
    expect(regionFromAnswer(answer(301, { name: 'PermanentRedirect', Endpoint: 'bkt.s3.eu-west-3.amazonaws.com' }))).toBe('eu-west-3');
    expect(regionFromAnswer(answer(301, { name: 'PermanentRedirect', Endpoint: 'bkt.s3-us-west-2.amazonaws.com' }))).toBe('us-west-2');
  });

  it('ignores the header on answers that are not about the region (403, 404, 200)', () => {
    expect(regionFromAnswer(answer(403, {}, { 'x-amz-bucket-region': 'eu-west-3' }))).toBeUndefined();
    expect(regionFromAnswer(answer(404, { Region: 'eu-west-3' }))).toBeUndefined();
  });

  it('names nothing for a 400 without a region, or a value that is not a region name', () => {
    expect(regionFromAnswer(answer(400, { name: 'InvalidArgument', Code: 'InvalidArgument' }))).toBeUndefined();
    expect(regionFromAnswer(answer(400, { Region: 'eu west<3>' }))).toBeUndefined();
    expect(regionFromAnswer(undefined)).toBeUndefined();
  });
});

describe('isBareBadRequest', () => {
  it('is true for a 400 that explains nothing, false when it names a region or an error code', () => {
    expect(isBareBadRequest(answer(400))).toBe(true);
    expect(isBareBadRequest(answer(400, {}, { 'x-amz-bucket-region': 'eu-west-3' }))).toBe(false);
    expect(isBareBadRequest(answer(400, { Code: 'InvalidArgument' }))).toBe(false);
    expect(isBareBadRequest(answer(404))).toBe(false);
  });
});

describe('refusesMultiDelete', () => {
  it('is true when the store wants a Content-MD5 it did not get', () => {
    expect(refusesMultiDelete(answer(400, { name: 'MissingContentMD5' }))).toBe(true);
    expect(
      refusesMultiDelete(answer(400, { name: 'InvalidRequest', message: 'Missing required header for this request: Content-Md5' })),
    ).toBe(true);
    expect(refusesMultiDelete(answer(400, { name: 'InvalidDigest' }))).toBe(true);
  });

  it('is true when the store lacks the call (501, 405)', () => {
    expect(refusesMultiDelete(answer(501, { name: 'NotImplemented' }))).toBe(true);
    expect(refusesMultiDelete(answer(501))).toBe(true);
    expect(refusesMultiDelete(answer(405, { name: 'MethodNotAllowed' }))).toBe(true);
  });

  it('is false for failures a single delete would meet too (403, 500, other 400s)', () => {
    expect(refusesMultiDelete(answer(403, { name: 'AccessDenied' }))).toBe(false);
    expect(refusesMultiDelete(answer(500, { name: 'InternalError' }))).toBe(false);
    expect(refusesMultiDelete(answer(400, { name: 'MalformedXML' }))).toBe(false);
    expect(refusesMultiDelete(new Error('boom'))).toBe(false);
  });
});

describe('addContentMd5', () => {
  it('adds the MD5 of the body to a request the SDK gave an integrity checksum (DeleteObjects)', () => {
    const body = '<Delete><Object><Key>a</Key></Object></Delete>';
    const request = { headers: { 'x-amz-checksum-crc32': 'AAAAAA==', 'content-type': 'application/xml' }, body };
    addContentMd5(request);
    expect(request.headers).toMatchObject({ 'content-md5': createHash('md5').update(body).digest('base64') });
  });

  it('leaves requests without a checksum (PutObject, GetObject) and streamed bodies alone', () => {
    const plain = { headers: { 'content-type': 'text/plain' } as Record<string, string>, body: 'x' };
    addContentMd5(plain);
    expect(plain.headers['content-md5']).toBeUndefined();
    const streamed = { headers: { 'x-amz-checksum-crc32': 'AAAAAA==' } as Record<string, string>, body: Readable.from(['x']) };
    addContentMd5(streamed);
    expect(streamed.headers['content-md5']).toBeUndefined();
  });

  it('keeps a Content-MD5 already given', () => {
    const request = { headers: { 'x-amz-checksum-crc32': 'AAAAAA==', 'Content-MD5': 'given' } as Record<string, string>, body: 'x' };
    addContentMd5(request);
    expect(request.headers).toEqual({ 'x-amz-checksum-crc32': 'AAAAAA==', 'Content-MD5': 'given' });
  });
});
