import { describe, expect, it } from 'vitest';
import { searchOrder, wantedBundles } from './fetch-by-id.js';
import type { BundleObject } from './ref-table.js';

const bundle = (c: string): BundleObject => ({ sha: c.repeat(40), key: `r/x/${c}.bundle`, size: 1, lastModified: new Date(0) });
const listedOf = (entries: Record<string, string>) => new Map(Object.entries(entries).map(([ref, c]) => [ref, bundle(c)]));

describe('wantedBundles', () => {
  const listed = listedOf({ 'refs/heads/main': 'a', 'refs/tags/v1': 'b' });

  it('takes a listed ref asked for by name', () => {
    expect(wantedBundles([{ sha: 'a'.repeat(40), name: 'refs/heads/main' }], listed)).toEqual({ direct: [bundle('a')], byId: [] });
  });

  it("takes a listed ref's bundle when git names its tip by id (git fetch origin <tip sha>)", () => {
    expect(wantedBundles([{ sha: 'b'.repeat(40), name: 'b'.repeat(40) }], listed)).toEqual({ direct: [bundle('b')], byId: [] });
  });

  it('keeps an id no listed ref has as its tip for the search, once', () => {
    const id = 'c'.repeat(40);
    expect(
      wantedBundles(
        [
          { sha: id, name: id },
          { sha: id, name: 'refs/heads/x' },
        ],
        listed,
      ),
    ).toEqual({ direct: [], byId: [id] });
  });
});

describe('searchOrder', () => {
  it('searches the default branch first, then the other branches, then tags, then other refs, each by name', () => {
    const listed = listedOf({
      'refs/tags/v1': 't',
      'refs/notes/commits': 'n',
      'refs/heads/zeta': 'z',
      'refs/heads/alpha': 'l',
      'refs/heads/main': 'm',
    });
    expect(searchOrder(listed, 'refs/heads/main').map((b) => b.sha[0])).toEqual(['m', 'l', 'z', 't', 'n']);
  });

  it('keeps the order by kind and name when the remote names no default branch', () => {
    const listed = listedOf({ 'refs/tags/v1': 't', 'refs/heads/b': 'b', 'refs/heads/a': 'a' });
    expect(searchOrder(listed, undefined).map((b) => b.sha[0])).toEqual(['a', 'b', 't']);
  });

  it('tries a bundle shared by several refs once, at the place of its first ref', () => {
    const listed = listedOf({ 'refs/heads/main': 'm', 'refs/heads/copy': 'm', 'refs/tags/v1': 't' });
    expect(searchOrder(listed, 'refs/heads/main').map((b) => b.sha[0])).toEqual(['m', 't']);
  });
});
