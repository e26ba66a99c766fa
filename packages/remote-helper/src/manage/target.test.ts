import { NotInRepositoryError } from '@git-remote-s3/core/errors';
import { describe, expect, it } from 'vitest';
import { resolveTarget } from './target.js';

const remotes = new Map([
  ['origin', 's3://my-bucket/team/repo'],
  ['zipped', 's3+zip://prof@my-bucket/repo'],
  ['github', 'https://github.com/o/r.git'],
]);
const lookup = { url: async (name: string) => remotes.get(name), inRepository: async () => true };
const outside = { url: async () => undefined, inRepository: async () => false };

describe('resolveTarget', () => {
  it('takes an s3 url as it is, without asking the repository', async () => {
    const target = await resolveTarget('s3://my-bucket/repo', {
      url: async () => {
        throw new Error('must not be called');
      },
      inRepository: async () => {
        throw new Error('must not be called');
      },
    });
    expect(target).toEqual({
      url: { scheme: 's3', bucket: 'my-bucket', prefix: 'repo' },
      urlText: 's3://my-bucket/repo',
      remoteName: undefined,
    });
  });

  it('resolves a remote name to its url and keeps the name for its settings', async () => {
    expect(await resolveTarget('origin', lookup)).toMatchObject({ urlText: 's3://my-bucket/team/repo', remoteName: 'origin' });
    expect(await resolveTarget('zipped', lookup)).toMatchObject({ url: { scheme: 's3+zip', profile: 'prof' }, remoteName: 'zipped' });
  });

  it('refuses a name that is neither a remote nor an s3 url', async () => {
    await expect(resolveTarget('upstream', lookup)).rejects.toThrow("'upstream' is neither a remote of this repository nor an s3:// url");
  });

  it('says there is no repository when a name is given outside one', async () => {
    const attempt = resolveTarget('origin', outside);
    await expect(attempt).rejects.toBeInstanceOf(NotInRepositoryError);
    await expect(attempt).rejects.toThrow(
      "not in a git repository ('origin' names no remote here; give an s3:// url, or run this inside the repository)",
    );
  });

  it('refuses a remote whose url is not an s3 one', async () => {
    await expect(resolveTarget('github', lookup)).rejects.toThrow(
      "remote 'github' is https://github.com/o/r.git, not an s3://, s3+zip:// or amazon-s3:// url",
    );
  });

  it('takes an amazon-s3 url with its properties file', async () => {
    expect(await resolveTarget('amazon-s3://.jgit@my-bucket/repo.git', lookup)).toMatchObject({
      url: { scheme: 'amazon-s3', bucket: 'my-bucket', prefix: 'repo.git', propsFile: '.jgit' },
      remoteName: undefined,
    });
  });

  it('rejects a malformed s3 url with the expected form', async () => {
    await expect(resolveTarget('s3://Bad_Bucket/repo', lookup)).rejects.toThrow('expected s3://[<profile>@]<bucket>/<prefix>');
  });
});
