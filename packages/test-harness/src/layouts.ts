// The same e2e scenarios on both bucket layouts: a world set to create one or the other, and what the
// bucket holds read back the same way whatever the layout (ref → id, and the default branch).
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type World } from './context.js';

export const LAYOUTS = ['bundle', 'packs'] as const;
export type LayoutName = (typeof LAYOUTS)[number];

/** `test` whose world creates `layout` for new remotes (the fixture `layout` names it). */
export function testOnLayout(layout: LayoutName) {
  return test.extend<{ layout: LayoutName }>({
    layout: [
      async ({ world }, use) => {
        await useLayout(world, layout);
        await use(layout);
      },
      { auto: true },
    ],
  });
}

/** Makes every git in the world create `layout` for a new remote (`s3.layout` in its global config). */
export async function useLayout(world: World, layout: LayoutName): Promise<void> {
  if (layout === 'packs') await appendFile(join(world.home, '.gitconfig'), '[s3]\n\tlayout = packs\n');
}

/**
 * The refs the bucket holds under `prefix`, as ref → id: from the bundle keys (a ref with several bundles
 * maps to all their ids, sorted, so that a leftover shows up) or from info/refs.
 */
export async function storedRefs(world: World, prefix: string): Promise<Record<string, string | string[]>> {
  const table = await world.store.getText(`${prefix}/info/refs`);
  const refs: Record<string, string | string[]> = {};
  if (table) {
    for (const line of table.text.split('\n')) {
      const [sha, ref] = line.split('\t');
      if (sha && ref && !ref.endsWith('^{}')) refs[ref] = sha;
    }
    return refs;
  }
  const { objects } = await world.store.list(`${prefix}/refs/`);
  for (const { key } of objects) {
    const m = /^(.*)\/([0-9a-f]{40}|[0-9a-f]{64})\.bundle$/.exec(key.slice(prefix.length + 1));
    if (!m?.[1] || !m[2]) continue;
    const seen = refs[m[1]];
    refs[m[1]] = seen === undefined ? m[2] : [...(Array.isArray(seen) ? seen : [seen]), m[2]].sort();
  }
  return refs;
}

/** The branch the remote's HEAD names, in either layout's form (`refs/heads/x` or `ref: refs/heads/x`). */
export async function storedHead(world: World, prefix: string): Promise<string | undefined> {
  const head = await world.store.getText(`${prefix}/HEAD`);
  return head?.text.replace(/^ref: /, '').trim();
}

/** Writes a HEAD naming `ref` in the layout's own form. */
export async function writeHead(world: World, prefix: string, layout: LayoutName, ref: string): Promise<void> {
  await world.store.put(`${prefix}/HEAD`, layout === 'packs' ? `ref: ${ref}\n` : ref);
}
