import { describe, expect, it } from 'vitest';
import { proxyConfigured } from './transport.js';

describe('proxyConfigured', () => {
  it('sees a proxy in HTTPS_PROXY, HTTP_PROXY or ALL_PROXY, in either case', () => {
    for (const name of ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy']) {
      expect(proxyConfigured({ [name]: 'http://127.0.0.1:3128' })).toBe(true);
    }
  });

  it('sees none when the variables are unset or empty, or only NO_PROXY is set', () => {
    expect(proxyConfigured({})).toBe(false);
    expect(proxyConfigured({ HTTPS_PROXY: '', http_proxy: '' })).toBe(false);
    expect(proxyConfigured({ NO_PROXY: '*' })).toBe(false);
  });
});
