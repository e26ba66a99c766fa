import { describe, expect, it } from 'vitest';
import { HELPER_MARK, isHelperInvocation, startedByOwnGit } from './invocation.js';

describe('isHelperInvocation', () => {
  it('is the helper for git’s `<remote> <url>`, inside a repository or outside one', () => {
    expect(isHelperInvocation(['origin', 's3://b/repo'], 'git-remote-s3', { GIT_DIR: '.git' })).toBe(true);
    expect(isHelperInvocation(['s3://b/repo', 's3://b/repo'], 'git-remote-s3', {})).toBe(true);
    expect(isHelperInvocation(['origin', 's3+zip://b/repo'], 'git-remote-s3+zip', {})).toBe(true);
  });

  it('is the helper for a configured remote named like a command, since git sets GIT_DIR', () => {
    expect(isHelperInvocation(['list', 's3://b/repo'], 'git-remote-s3', { GIT_DIR: '/r/.git' })).toBe(true);
  });

  it('is the CLI for `<command> <url>` typed by a person (no GIT_DIR)', () => {
    expect(isHelperInvocation(['doctor', 's3://b/repo'], 'git-remote-s3', {})).toBe(false);
    expect(isHelperInvocation(['list', 's3://b/repo'], 'git-remote-s3', {})).toBe(false);
    expect(isHelperInvocation(['gc', 's3://b/repo'], 'git-remote-s3', {})).toBe(false);
  });

  it('is always the CLI as git-s3, and for anything but two arguments ending in an s3 url', () => {
    expect(isHelperInvocation(['origin', 's3://b/repo'], 'git-s3', { GIT_DIR: '.git' })).toBe(false);
    expect(isHelperInvocation(['protect', 'origin', 'main'], 'git-remote-s3', {})).toBe(false);
    expect(isHelperInvocation(['origin', 'https://host/repo'], 'git-remote-s3', {})).toBe(false);
    expect(isHelperInvocation(['--help'], 'git-remote-s3', {})).toBe(false);
  });
});

describe('startedByOwnGit', () => {
  it('is true only when the helper mark, which the helper sets for the gits it runs, is in the environment', () => {
    expect(HELPER_MARK).toBe('GIT_REMOTE_S3_HELPER');
    expect(startedByOwnGit({ GIT_REMOTE_S3_HELPER: '1' })).toBe(true);
    expect(startedByOwnGit({ GIT_DIR: '.git' })).toBe(false);
    expect(startedByOwnGit({ GIT_REMOTE_S3_HELPER: '' })).toBe(false);
  });
});
