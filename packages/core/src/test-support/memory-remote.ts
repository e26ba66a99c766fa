// A Remote on an in-memory store, as openRemote would give it for `url` with no settings: what unit tests of
// the layouts and the management side run against (never production code).

import { resolveSettings } from '../config.js';
import type { Remote } from '../remote.js';
import type { ObjectStore } from '../store.js';
import { parseRemoteUrl } from '../url.js';

export function memoryRemote(store: ObjectStore, url = 's3://memory/repo'): Remote {
  return { url: parseRemoteUrl(url), display: url, store, settings: resolveSettings({}, new Map()), gitConfig: new Map() };
}
