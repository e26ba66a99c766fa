import { describe, expect, it } from 'vitest';
import { classifyRefsKey, formatLooseRef, looseRefKey, looseRefsOf, parseLooseRef } from './loose-refs.js';

const A = 'a'.repeat(40);

describe('loose refs under refs/', () => {
  it('takes a key that is a whole ref name as a loose ref', () => {
    expect(classifyRefsKey('p/r', 'p/r/refs/heads/main', 41)).toEqual({
      kind: 'loose',
      ref: 'refs/heads/main',
      key: 'p/r/refs/heads/main',
    });
    expect(classifyRefsKey('p/r', 'p/r/refs/tags/v1.0', 65)).toMatchObject({ kind: 'loose', ref: 'refs/tags/v1.0' });
  });

  it('tells the bundle layout’s keys apart from loose refs', () => {
    for (const key of [
      `p/r/refs/heads/main/${A}.bundle`,
      'p/r/refs/heads/main/LOCK#.lock',
      'p/r/refs/heads/main/PROTECTED#',
      'p/r/refs/heads/main/repo.zip',
    ])
      expect(classifyRefsKey('p/r', key, 10).kind).toBe('bundle-layout');
  });

  it('refuses names git would refuse and keys too large to hold a ref', () => {
    expect(classifyRefsKey('p/r', 'p/r/refs/heads/a..b', 41)).toMatchObject({ kind: 'invalid', reason: "'refs/heads/a..b' contains '..'" });
    expect(classifyRefsKey('p/r', 'p/r/refs/heads/x.lock', 41)).toMatchObject({ kind: 'invalid' });
    expect(classifyRefsKey('p/r', 'p/r/refs/heads/big', 5000)).toMatchObject({
      kind: 'invalid',
      reason: '5000 bytes, too large for a ref',
    });
    expect(
      looseRefsOf('p/r', [
        { key: 'p/r/refs/heads/a b', size: 41 },
        { key: 'p/r/refs/heads/ok', size: 41 },
      ]),
    ).toEqual([{ ref: 'refs/heads/ok', key: 'p/r/refs/heads/ok' }]);
  });

  it('reads only a full object id, as git reads a loose ref', () => {
    expect(parseLooseRef(`${A}\n`)).toBe(A);
    expect(parseLooseRef('b'.repeat(64))).toBe('b'.repeat(64));
    expect(parseLooseRef('ref: refs/heads/main\n')).toBeUndefined();
    expect(parseLooseRef(`${A.slice(1)}\n`)).toBeUndefined();
    expect(parseLooseRef(`${A.toUpperCase()}\n`)).toBeUndefined();
    expect(parseLooseRef(`${A}\n${A}\n`)).toBeUndefined();
    expect(formatLooseRef(A)).toBe(`${A}\n`);
    expect(() => looseRefKey('p', 'refs/heads/../x')).toThrow();
  });
});
