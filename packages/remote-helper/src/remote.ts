// The remote a command works on: opened by core (settings, credentials, store).
export { openRemote, type Remote } from '@git-remote-s3/core/remote';
