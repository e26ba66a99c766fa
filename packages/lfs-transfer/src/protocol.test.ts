import { describe, expect, it } from 'vitest';
import {
  type AgentMessage,
  complete,
  completeError,
  ERROR_INIT,
  ERROR_TRANSFER,
  initError,
  initOk,
  parseMessage,
  progress,
} from './protocol.js';

const OID = 'f'.repeat(64);

describe('parseMessage', () => {
  it.each<[string, object, AgentMessage]>([
    [
      'reads an init for upload with its concurrency',
      { event: 'init', operation: 'upload', remote: 'origin', concurrent: true, concurrenttransfers: 3 },
      { kind: 'init', message: { event: 'init', operation: 'upload', remote: 'origin', concurrent: true, concurrenttransfers: 3 } },
    ],
    [
      'reads an init for download naming a URL',
      { event: 'init', operation: 'download', remote: 's3://my-bucket/repo' },
      { kind: 'init', message: { event: 'init', operation: 'download', remote: 's3://my-bucket/repo' } },
    ],
    [
      'reads an upload with its path and drops the null action',
      { event: 'upload', oid: OID, size: 1234, path: '/tmp/lfs/obj', action: null },
      { kind: 'transfer', message: { event: 'upload', oid: OID, size: 1234, path: '/tmp/lfs/obj' } },
    ],
    [
      'reads a download',
      { event: 'download', oid: OID, size: 0, action: null },
      { kind: 'transfer', message: { event: 'download', oid: OID, size: 0 } },
    ],
    ['reads terminate', { event: 'terminate' }, { kind: 'terminate' }],
  ])('%s', (_name, message, expected) => {
    expect(parseMessage(JSON.stringify(message))).toStrictEqual(expected);
  });

  it.each(['', 'not json', '{"event":"init"', "{'event':'terminate'}"])('calls %j not JSON', (line) => {
    expect(parseMessage(line)).toStrictEqual({ kind: 'invalid', reason: 'not JSON' });
  });

  it('names an unknown event and keeps its oid', () => {
    expect(parseMessage(JSON.stringify({ event: 'frobnicate', oid: OID }))).toStrictEqual({
      kind: 'invalid',
      reason: 'unknown event "frobnicate"',
      oid: OID,
    });
  });

  it('names an unknown event without an oid', () => {
    expect(parseMessage(JSON.stringify({ event: 'frobnicate' }))).toStrictEqual({ kind: 'invalid', reason: 'unknown event "frobnicate"' });
  });

  it('calls a message without an event unknown', () => {
    expect(parseMessage(JSON.stringify({ oid: OID }))).toStrictEqual({ kind: 'invalid', reason: 'unknown event undefined', oid: OID });
  });

  it('does not take an oid that is not a string', () => {
    expect(parseMessage(JSON.stringify({ event: 'frobnicate', oid: 7 }))).toStrictEqual({
      kind: 'invalid',
      reason: 'unknown event "frobnicate"',
    });
  });

  it.each<[string, object, AgentMessage]>([
    ['an upload without a size', { event: 'upload', oid: OID }, { kind: 'invalid', reason: 'bad upload message (size)', oid: OID }],
    [
      'a download with a negative size',
      { event: 'download', oid: OID, size: -1 },
      { kind: 'invalid', reason: 'bad download message (size)', oid: OID },
    ],
    [
      'a download with a fractional size',
      { event: 'download', oid: OID, size: 1.5 },
      { kind: 'invalid', reason: 'bad download message (size)', oid: OID },
    ],
    [
      'an upload with a size given as a string',
      { event: 'upload', oid: OID, size: '10' },
      { kind: 'invalid', reason: 'bad upload message (size)', oid: OID },
    ],
    ['an upload without an oid', { event: 'upload', size: 10 }, { kind: 'invalid', reason: 'bad upload message (oid)' }],
    ['a download with a numeric oid', { event: 'download', oid: 5, size: 10 }, { kind: 'invalid', reason: 'bad download message (oid)' }],
    [
      'an upload with a path that is not a string',
      { event: 'upload', oid: OID, size: 10, path: 3 },
      { kind: 'invalid', reason: 'bad upload message (path)', oid: OID },
    ],
    [
      'a download with several bad fields',
      { event: 'download', oid: false, size: -2 },
      { kind: 'invalid', reason: 'bad download message (oid, size)' },
    ],
    ['an init without a remote', { event: 'init', operation: 'upload' }, { kind: 'invalid', reason: 'bad init message (remote)' }],
    [
      'an init with an unknown operation',
      { event: 'init', operation: 'delete', remote: 'origin' },
      { kind: 'invalid', reason: 'bad init message (operation)' },
    ],
    [
      'an init with a concurrency that is not a boolean',
      { event: 'init', operation: 'upload', remote: 'origin', concurrent: 'yes' },
      { kind: 'invalid', reason: 'bad init message (concurrent)' },
    ],
  ])('rejects %s and names the bad fields', (_name, message, expected) => {
    expect(parseMessage(JSON.stringify(message))).toStrictEqual(expected);
  });
});

describe('replies', () => {
  it('answers a good init with an empty object', () => {
    expect(initOk()).toBe('{}');
  });

  it('answers a failed init with the setup error code', () => {
    expect(initError('no credentials')).toBe('{"error":{"code":32,"message":"no credentials"}}');
    expect(ERROR_INIT).toBe(32);
  });

  it('reports progress of an object', () => {
    expect(progress(OID, 2048, 1024)).toBe(`{"event":"progress","oid":"${OID}","bytesSoFar":2048,"bytesSinceLast":1024}`);
  });

  it('completes an upload without a path', () => {
    expect(complete(OID)).toBe(`{"event":"complete","oid":"${OID}"}`);
  });

  it('completes a download with the path of the file', () => {
    expect(complete(OID, '/tmp/lfs/obj')).toBe(`{"event":"complete","oid":"${OID}","path":"/tmp/lfs/obj"}`);
  });

  it('completes with the transfer error code by default', () => {
    expect(completeError(OID, 'object not found')).toBe(
      `{"event":"complete","oid":"${OID}","error":{"code":2,"message":"object not found"}}`,
    );
    expect(ERROR_TRANSFER).toBe(2);
  });

  it('completes with the error code it is given', () => {
    expect(completeError(OID, 'denied', 403)).toBe(`{"event":"complete","oid":"${OID}","error":{"code":403,"message":"denied"}}`);
  });

  it('escapes a message so the reply stays one line of JSON', () => {
    const reply = completeError(OID, 'line one\nline "two"');
    expect(reply).not.toContain('\n');
    expect(JSON.parse(reply)).toStrictEqual({ event: 'complete', oid: OID, error: { code: 2, message: 'line one\nline "two"' } });
  });
});

describe('parseMessage on JSON that is not an object', () => {
  it.each(['null', '42', '"init"', '[]'])('rejects %s as invalid instead of throwing', (line) => {
    const parsed = parseMessage(line);
    expect(parsed.kind).toBe('invalid');
  });
});
