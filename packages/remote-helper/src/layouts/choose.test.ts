import { describe, expect, it } from 'vitest';
import { layoutForNewRemote } from './choose.js';

describe('layoutForNewRemote', () => {
  it.each([
    ['s3', undefined, 'bundle'],
    ['s3', 'packs', 'packs'],
    ['s3', 'bundle', 'bundle'],
    ['amazon-s3', undefined, 'packs'],
    ['amazon-s3', 'bundle', 'packs'],
    ['s3+zip', 'packs', 'bundle'],
  ] as const)('%s:// with s3.layout %s creates %s', (scheme, configured, expected) => {
    expect(layoutForNewRemote(scheme, configured)).toBe(expected);
  });
});
