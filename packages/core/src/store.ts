// The object store, the only door to S3: opens one (store/client.ts builds the SDK client, store/s3-store.ts
// does the operations, store/s3-errors.ts turns S3's failures into ours) and names what the rest of the code may use.
import { connect, type StoreOptions } from './store/client.js';
import { chooseCredentials } from './store/credentials.js';
import type { ObjectStore } from './store/object-store.js';
import { S3Store } from './store/s3-store.js';

export type { StoreOptions } from './store/client.js';
export type {
  ListResult,
  ObjectBody,
  ObjectHead,
  ObjectInfo,
  ObjectStore,
  PutOptions,
  RequestRecord,
  TransferTuning,
  UploadOptions,
} from './store/object-store.js';
export { mapS3Error } from './store/s3-errors.js';

/** Opens a store; fails here, before any request, when the profile named by the URL or AWS_PROFILE does not exist. */
export async function openStore(options: StoreOptions): Promise<ObjectStore> {
  if (typeof options.credentials === 'function') return new S3Store(await connect(options), options);
  const chosen = await chooseCredentials(options.profile, options.credentials, options.env ?? process.env);
  // The profile in use, however it was named, is what the client reads and what errors name.
  const resolved: StoreOptions = {
    ...options,
    ...(chosen.profile ? { profile: chosen.profile } : {}),
    credentials: chosen.credentials,
    credentialHint: chosen.hint,
  };
  return new S3Store(await connect(resolved), resolved);
}
