import { describe, expect, it } from 'vitest';
import { formatColumns } from './columns.js';

describe('formatColumns', () => {
  it('pads every column but the last and leaves no trailing blanks', () => {
    expect(
      formatColumns([
        ['a', 'long', ''],
        ['bbb', 'x', 'end'],
      ]),
    ).toEqual(['a    long', 'bbb  x     end']);
  });
});
