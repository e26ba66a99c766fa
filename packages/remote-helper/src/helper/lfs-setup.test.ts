import { describe, expect, it } from 'vitest';
import { usesLfs, wantsLfsSetup } from './lfs-setup.js';

const config = (entries: Record<string, string>): ReadonlyMap<string, string> => new Map(Object.entries(entries));
const ORIGIN = config({ 'remote.origin.url': 's3://my-bucket/repo' });

describe('wantsLfsSetup', () => {
  it('sets up LFS for a configured remote that has none yet', () => {
    expect(wantsLfsSetup('origin', ORIGIN, {})).toBe(true);
  });

  it('finds the remote whatever the case of its name', () => {
    expect(wantsLfsSetup('Origin', ORIGIN, {})).toBe(true);
  });

  it.each(['0', 'false', 'no', 'FALSE', 'No'])('stays out when GIT_REMOTE_S3_AUTO_INSTALL_LFS is %s', (value) => {
    expect(wantsLfsSetup('origin', ORIGIN, { GIT_REMOTE_S3_AUTO_INSTALL_LFS: value })).toBe(false);
  });

  it.each(['', '1', 'true', 'yes'])('still sets up when GIT_REMOTE_S3_AUTO_INSTALL_LFS is %j', (value) => {
    expect(wantsLfsSetup('origin', ORIGIN, { GIT_REMOTE_S3_AUTO_INSTALL_LFS: value })).toBe(true);
  });

  it('stays out for a remote that is not configured (a bare URL)', () => {
    expect(wantsLfsSetup('s3://my-bucket/repo', config({}), {})).toBe(false);
  });

  it('stays out for a remote other than the configured one', () => {
    expect(wantsLfsSetup('upstream', ORIGIN, {})).toBe(false);
  });

  it('stays out when the remote already has an lfsurl', () => {
    expect(
      wantsLfsSetup(
        'origin',
        config({ 'remote.origin.url': 's3://my-bucket/repo', 'remote.origin.lfsurl': 'https://lfs.example.com' }),
        {},
      ),
    ).toBe(false);
  });

  it('stays out when the agent is set up for the whole repository', () => {
    expect(
      wantsLfsSetup('origin', config({ 'remote.origin.url': 's3://my-bucket/repo', 'lfs.standalonetransferagent': 'git-lfs-s3' }), {}),
    ).toBe(false);
  });

  it('ignores the lfsurl of another remote', () => {
    expect(
      wantsLfsSetup('origin', config({ 'remote.origin.url': 's3://my-bucket/repo', 'remote.other.lfsurl': 'https://lfs.example.com' }), {}),
    ).toBe(true);
  });
});

describe('usesLfs', () => {
  it('finds filter=lfs as git lfs track writes it', () => {
    expect(usesLfs('*.bin filter=lfs diff=lfs merge=lfs -text\n')).toBe(true);
    expect(usesLfs('# assets\n\n*.psd  filter=lfs\tdiff=lfs\n')).toBe(true);
  });

  it('ignores comments, other filters and text that merely mentions lfs', () => {
    expect(usesLfs('# *.bin filter=lfs diff=lfs\n')).toBe(false);
    expect(usesLfs('*.txt text eol=lf\n*.gz filter=gzip\n')).toBe(false);
    expect(usesLfs('filter=lfs\n')).toBe(false);
    expect(usesLfs('*.bin -filter=lfs\n')).toBe(false);
    expect(usesLfs('')).toBe(false);
  });

  it('reads the output of git cat-file --batch, whose headers hold no attribute', () => {
    const batch = `HEAD:.gitattributes missing\n${'b'.repeat(40)} blob 43\n*.bin filter=lfs diff=lfs merge=lfs -text\n\n`;
    expect(usesLfs(batch)).toBe(true);
    expect(usesLfs('HEAD:.gitattributes missing\n')).toBe(false);
  });
});
