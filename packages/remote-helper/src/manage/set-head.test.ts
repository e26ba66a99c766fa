import { GitRemoteS3Error, PreconditionFailedError, type PutOptions } from '@git-remote-s3/core';
import type { Remote } from '@git-remote-s3/core/remote';
import { describe, expect, it } from 'vitest';
import { replaceHead } from './set-head.js';

/** A remote whose store records each put and answers it as `answer` says. */
function remoteWith(answer: (options: PutOptions | undefined) => void) {
  const puts: { key: string; body: string; options: PutOptions | undefined }[] = [];
  const store = {
    put: async (key: string, body: string, options?: PutOptions) => {
      puts.push({ key, body, options });
      answer(options);
      return { etag: '"new"' };
    },
  };
  const remote = { store, url: { prefix: 'team/repo' }, display: 's3://b/team/repo' } as unknown as Remote;
  return { remote, puts };
}

describe('replaceHead', () => {
  it('replaces the HEAD it read only if it is still that version', async () => {
    const { remote, puts } = remoteWith(() => {});
    await replaceHead(remote, 'refs/heads/main', '"abc"');
    expect(puts).toEqual([{ key: 'team/repo/HEAD', body: 'refs/heads/main', options: { contentType: 'text/plain', ifMatch: '"abc"' } }]);
  });

  it('creates a HEAD that was missing only if none appeared meanwhile', async () => {
    const { remote, puts } = remoteWith(() => {});
    await replaceHead(remote, 'ref: refs/heads/main\n', undefined);
    expect(puts[0]?.options).toEqual({ contentType: 'text/plain', ifNoneMatch: '*' });
  });

  it('refuses, naming doctor, when HEAD changed after it was read', async () => {
    const { remote } = remoteWith(() => {
      throw new PreconditionFailedError('b', 'team/repo/HEAD', 'If-Match');
    });
    const failure = replaceHead(remote, 'refs/heads/main', '"abc"');
    await expect(failure).rejects.toBeInstanceOf(GitRemoteS3Error);
    await expect(failure).rejects.toThrow(
      "HEAD of s3://b/team/repo changed while doctor ran; nothing was written: run 'git s3 doctor s3://b/team/repo' again",
    );
  });
});
