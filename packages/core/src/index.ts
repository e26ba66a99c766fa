// Public surface of core: what the remote helper and the LFS agent may use.
export * from './concurrency.js';
export * from './config.js';
export * from './download.js';
export * from './errors.js';
export * from './git.js';
export * from './keys/bundle.js';
export * from './keys/lfs.js';
export * from './keys/loose-refs.js';
export * from './keys/packs.js';
export * from './keys/refname.js';
export * from './lock.js';
export * from './log.js';
export * from './progress.js';
export * from './props.js';
export * from './repo.js';
export * from './store.js';
export * from './url.js';
