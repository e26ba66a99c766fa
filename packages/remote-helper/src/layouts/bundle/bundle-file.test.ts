import { Readable } from 'node:stream';
import { CorruptObjectError } from '@git-remote-s3/core';
import { describe, expect, it } from 'vitest';
import { type BundleHeader, formatBundleHeader, parseBundleHeader, splitBundle } from './bundle-file.js';

const SHA1_A = 'a'.repeat(40);
const SHA1_B = 'b'.repeat(40);
const SHA256_A = 'c'.repeat(64);
const WHERE = 's3://bucket/repo/refs/heads/main/x.bundle';

function parseError(text: string): CorruptObjectError {
  try {
    parseBundleHeader(text, WHERE);
  } catch (error) {
    if (error instanceof CorruptObjectError) return error;
    throw new Error(`expected a CorruptObjectError, got ${String(error)}`);
  }
  throw new Error(`expected the header to be rejected: ${JSON.stringify(text)}`);
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Cuts `bytes` into chunks at the given offsets. */
function cut(bytes: Buffer, offsets: readonly number[]): Buffer[] {
  const bounds = [0, ...offsets, bytes.length];
  return bounds.slice(1).map((end, i) => bytes.subarray(bounds[i], end));
}

describe('formatBundleHeader', () => {
  it('writes a v2 header for a 40-hex id', () => {
    expect(formatBundleHeader(SHA1_A, 'refs/heads/main')).toBe(`# v2 git bundle\n${SHA1_A} refs/heads/main\n\n`);
  });

  it('writes a v3 header naming sha256 for a 64-hex id', () => {
    expect(formatBundleHeader(SHA256_A, 'refs/heads/main')).toBe(`# v3 git bundle\n@object-format=sha256\n${SHA256_A} refs/heads/main\n\n`);
  });

  it('writes a header that parses back to the same ref', () => {
    const text = formatBundleHeader(SHA256_A, 'refs/tags/v1.0');
    expect(parseBundleHeader(text.slice(0, -2), WHERE)).toStrictEqual({
      version: 3,
      objectFormat: 'sha256',
      refs: [{ sha: SHA256_A, ref: 'refs/tags/v1.0' }],
      prerequisites: [],
    });
  });
});

describe('parseBundleHeader', () => {
  it.each<[string, string, BundleHeader]>([
    [
      'reads a v2 header',
      `# v2 git bundle\n${SHA1_A} refs/heads/main`,
      { version: 2, objectFormat: 'sha1', refs: [{ sha: SHA1_A, ref: 'refs/heads/main' }], prerequisites: [] },
    ],
    [
      'reads a v3 header with the sha256 object format',
      `# v3 git bundle\n@object-format=sha256\n${SHA256_A} refs/heads/main`,
      { version: 3, objectFormat: 'sha256', refs: [{ sha: SHA256_A, ref: 'refs/heads/main' }], prerequisites: [] },
    ],
    [
      'reads a v3 header naming sha1',
      `# v3 git bundle\n@object-format=sha1\n${SHA1_A} refs/heads/main`,
      { version: 3, objectFormat: 'sha1', refs: [{ sha: SHA1_A, ref: 'refs/heads/main' }], prerequisites: [] },
    ],
    [
      'reads prerequisites with and without a comment',
      `# v2 git bundle\n-${SHA1_B} the parent commit\n-${SHA1_A}\n${SHA1_A} refs/heads/main`,
      { version: 2, objectFormat: 'sha1', refs: [{ sha: SHA1_A, ref: 'refs/heads/main' }], prerequisites: [SHA1_B, SHA1_A] },
    ],
    [
      'reads a HEAD line beside full refs, in order',
      `# v2 git bundle\n${SHA1_A} HEAD\n${SHA1_A} refs/heads/main\n${SHA1_B} refs/tags/v1`,
      {
        version: 2,
        objectFormat: 'sha1',
        refs: [
          { sha: SHA1_A, ref: 'HEAD' },
          { sha: SHA1_A, ref: 'refs/heads/main' },
          { sha: SHA1_B, ref: 'refs/tags/v1' },
        ],
        prerequisites: [],
      },
    ],
    ['reads a header without refs', '# v2 git bundle', { version: 2, objectFormat: 'sha1', refs: [], prerequisites: [] }],
  ])('%s', (_name, text, expected) => {
    expect(parseBundleHeader(text, WHERE)).toStrictEqual(expected);
  });

  it.each([
    ['an empty text', '', 'it is not a git bundle (bad signature)'],
    ['a pack without a header', 'PACK\u0000\u0000\u0000\u0002', 'it is not a git bundle (bad signature)'],
    ['an unknown bundle version', `# v4 git bundle\n${SHA1_A} refs/heads/main`, 'it is not a git bundle (bad signature)'],
    ['a signature with trailing text', `# v2 git bundle extra\n${SHA1_A} refs/heads/main`, 'it is not a git bundle (bad signature)'],
    [
      'a v2 header with a capability line',
      `# v2 git bundle\n@object-format=sha1\n${SHA1_A} refs/heads/main`,
      'a v2 bundle with a capability line',
    ],
    ['an unknown object format', `# v3 git bundle\n@object-format=md5\n${SHA1_A} refs/heads/main`, "unknown object format 'md5'"],
    ['a malformed prerequisite', `# v2 git bundle\n-${SHA1_A.slice(1)}\n${SHA1_A} refs/heads/main`, 'a malformed prerequisite line'],
    ['a ref line without a space', `# v2 git bundle\n${SHA1_A}`, 'a malformed ref line in the bundle header'],
    ['a ref line starting with a space', `# v2 git bundle\n ${SHA1_A} refs/heads/main`, 'a malformed ref line in the bundle header'],
    ['a ref line with a short id', `# v2 git bundle\n${SHA1_A.slice(1)} refs/heads/main`, 'a malformed ref line in the bundle header'],
    ['a ref line with an uppercase id', `# v2 git bundle\n${'A'.repeat(40)} refs/heads/main`, 'a malformed ref line in the bundle header'],
    ['an empty line inside the header', `# v2 git bundle\n\n${SHA1_A} refs/heads/main`, 'a malformed ref line in the bundle header'],
    ['a ref outside refs/', `# v2 git bundle\n${SHA1_A} heads/main`, 'a malformed ref line in the bundle header'],
    ['a ref with ..', `# v2 git bundle\n${SHA1_A} refs/heads/a..b`, 'a malformed ref line in the bundle header'],
    ['a ref ending in .lock', `# v2 git bundle\n${SHA1_A} refs/heads/main.lock`, 'a malformed ref line in the bundle header'],
    ['a ref with a space', `# v2 git bundle\n${SHA1_A} refs/heads/a b`, 'a malformed ref line in the bundle header'],
    ['a ref with a control character', `# v2 git bundle\n${SHA1_A} refs/heads/a\u0001`, 'a malformed ref line in the bundle header'],
  ])('rejects %s and names the object', (_name, text, what) => {
    const error = parseError(text);
    expect(error.message).toBe(`${WHERE} is corrupt: ${what}; restore it from a good clone with a forced push`);
    expect(error.code).toBe('corrupt-object');
  });
});

describe('splitBundle', () => {
  const header = formatBundleHeader(SHA1_A, 'refs/heads/main');
  // Pack bytes that contain a blank line of their own: only the first one ends the header.
  const pack = Buffer.from('PACK\u0000\u0000\u0000\u0002\n\n\u00ff\u0000pack body\n\n');
  const bundle = Buffer.concat([Buffer.from(header), pack]);
  const parsed: BundleHeader = { version: 2, objectFormat: 'sha1', refs: [{ sha: SHA1_A, ref: 'refs/heads/main' }], prerequisites: [] };
  const blankLine = header.length - 2;

  it.each<[string, Buffer[]]>([
    ['header and pack in one chunk', [bundle]],
    [
      'one byte at a time',
      cut(
        bundle,
        Array.from({ length: bundle.length - 1 }, (_, i) => i + 1),
      ),
    ],
    ['a chunk boundary between the two newlines of the blank line', cut(bundle, [blankLine + 1])],
    ['a chunk boundary just before the blank line', cut(bundle, [blankLine])],
    ['a chunk boundary just after the blank line', cut(bundle, [header.length])],
    ['a chunk boundary inside the signature and inside the pack', cut(bundle, [3, header.length + 5])],
  ])('splits a bundle read in %s', async (_name, chunks) => {
    const split = await splitBundle(Readable.from(chunks), WHERE);
    expect(split.header).toStrictEqual(parsed);
    expect((await readAll(split.pack)).equals(pack)).toBe(true);
  });

  it('gives an empty pack when the stream ends right after the header', async () => {
    const split = await splitBundle(Readable.from([Buffer.from(header)]), WHERE);
    expect(split.header).toStrictEqual(parsed);
    expect((await readAll(split.pack)).length).toBe(0);
  });

  it('reads a v3 header with a prerequisite', async () => {
    const text = `# v3 git bundle\n@object-format=sha256\n-${SHA256_A}\n${SHA256_A} refs/heads/main\n\n`;
    const split = await splitBundle(Readable.from([Buffer.from(text), Buffer.from('PACK')]), WHERE);
    expect(split.header).toStrictEqual({
      version: 3,
      objectFormat: 'sha256',
      refs: [{ sha: SHA256_A, ref: 'refs/heads/main' }],
      prerequisites: [SHA256_A],
    });
    expect((await readAll(split.pack)).toString()).toBe('PACK');
  });

  it.each<[string, Buffer[]]>([
    ['an empty stream', []],
    ['a stream that ends inside the header', [Buffer.from(header.slice(0, 20))]],
    ['a stream that ends after one newline of the blank line', cut(Buffer.from(header.slice(0, -1)), [5])],
  ])('rejects %s as truncated', async (_name, chunks) => {
    const split = splitBundle(Readable.from(chunks), WHERE);
    await expect(split).rejects.toThrow(CorruptObjectError);
    await expect(split).rejects.toThrow(`${WHERE} is corrupt: it ends inside the bundle header (truncated)`);
  });

  it('rejects a bad header before reading the pack', async () => {
    const split = splitBundle(Readable.from([Buffer.from(`# v9 git bundle\n${SHA1_A} refs/heads/main\n\nPACK`)]), WHERE);
    await expect(split).rejects.toThrow(`${WHERE} is corrupt: it is not a git bundle (bad signature)`);
  });

  it('rejects a header larger than 1 MiB', async () => {
    const chunk = Buffer.alloc(256 * 1024, 'x');
    const split = splitBundle(Readable.from([Buffer.from('# v2 git bundle\n'), chunk, chunk, chunk, chunk, chunk]), WHERE);
    await expect(split).rejects.toThrow(`${WHERE} is corrupt: its header is larger than 1 MiB`);
  });

  it('passes an error of the source after the header on to the pack stream', async () => {
    async function* source(): AsyncGenerator<Buffer> {
      yield Buffer.from(`${header}PA`);
      throw new Error('connection reset');
    }
    const split = await splitBundle(Readable.from(source()), WHERE);
    expect(split.header).toStrictEqual(parsed);
    await expect(readAll(split.pack)).rejects.toThrow('connection reset');
  });
});

describe('bundle capabilities git does not know', () => {
  it('refuses a filtered bundle, as git does, naming the capability', () => {
    const text = `# v3 git bundle\n@object-format=sha1\n@filter=blob:none\n${'a'.repeat(40)} refs/heads/main`;
    expect(() => parseBundleHeader(text, 's3://b/r/x.bundle')).toThrow(/unsupported bundle capability 'filter'/);
  });
});
