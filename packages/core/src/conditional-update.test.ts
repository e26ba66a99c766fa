import { describe, expect, it } from 'vitest';
import { conditionalUpdate } from './conditional-update.js';
import { PreconditionFailedError } from './errors.js';
import type { PutOptions } from './store.js';
import { MemoryStore } from './test-support/memory-store.js';

const KEY = 'repo/objects/info/packs';
const noWait = { backOffMs: () => 0 };

/** The memory store, with a rival writing `rivalText` right after each of the next `times` reads, and the puts' conditions recorded. */
function racedStore(times: number, rivalText: (n: number) => string) {
  const store = new MemoryStore();
  const puts: PutOptions[] = [];
  let raced = 0;
  const wrapped = {
    getText: async (key: string) => {
      const found = await store.getText(key);
      if (raced < times) store.plant(key, rivalText(++raced));
      return found;
    },
    put: (key: string, body: string | Uint8Array, options: PutOptions = {}) => {
      puts.push(options);
      return store.put(key, body, options);
    },
  };
  return { store, raced: wrapped, puts };
}

describe('conditionalUpdate', () => {
  it('reads again when a rival wrote between the read and the write, and applies the change to the new text', async () => {
    const { store, raced, puts } = racedStore(1, () => 'rival\n');
    store.plant(KEY, 'first\n');
    const seen: (string | undefined)[] = [];
    const written = await conditionalUpdate(
      raced,
      KEY,
      (text) => {
        seen.push(text);
        return `${text}mine\n`;
      },
      noWait,
    );
    expect(seen).toEqual(['first\n', 'rival\n']);
    expect((await store.getText(KEY))?.text).toBe('rival\nmine\n');
    expect(written?.etag).toBe((await store.getText(KEY))?.etag);
    expect(puts.every((p) => p.ifMatch !== undefined && p.ifNoneMatch === undefined)).toBe(true);
  });

  it('creates an absent object with If-None-Match: *, so a rival creating it first is not overwritten', async () => {
    const { store, raced, puts } = racedStore(1, () => 'created by a rival\n');
    const seen: (string | undefined)[] = [];
    await conditionalUpdate(
      raced,
      KEY,
      (text) => {
        seen.push(text);
        return `${text ?? ''}mine\n`;
      },
      noWait,
    );
    expect(puts[0]).toEqual({ ifNoneMatch: '*' });
    expect(seen).toEqual([undefined, 'created by a rival\n']);
    expect((await store.getText(KEY))?.text).toBe('created by a rival\nmine\n');
  });

  it('gives up after the attempts asked for, throwing the precondition error, with the rival text kept', async () => {
    const { store, raced, puts } = racedStore(Number.POSITIVE_INFINITY, (n) => `rival ${n}\n`);
    store.plant(KEY, 'first\n');
    const waits: number[] = [];
    const attempt = conditionalUpdate(raced, KEY, (text) => `${text}mine\n`, {
      attempts: 3,
      backOffMs: (n) => {
        waits.push(n);
        return 0;
      },
    });
    await expect(attempt).rejects.toBeInstanceOf(PreconditionFailedError);
    expect(puts).toHaveLength(3);
    expect(waits).toEqual([0, 1]);
    expect((await store.getText(KEY))?.text).toBe('rival 3\n');
  });

  it('writes nothing when the change leaves the text as it is', async () => {
    const store = new MemoryStore();
    store.plant(KEY, 'same\n');
    expect(await conditionalUpdate(store, KEY, () => undefined, noWait)).toBeUndefined();
    expect(store.requestCounts().PutObject).toBeUndefined();
  });

  it('lets an error of the change through at once, without retrying', async () => {
    const store = new MemoryStore();
    let calls = 0;
    const refused = new Error('no such branch');
    await expect(
      conditionalUpdate(
        store,
        KEY,
        () => {
          calls++;
          throw refused;
        },
        noWait,
      ),
    ).rejects.toBe(refused);
    expect(calls).toBe(1);
  });
});
