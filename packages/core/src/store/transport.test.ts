import { describe, expect, it } from 'vitest';
import { endpointLabel, proxyConfigured } from './transport.js';

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

describe('endpointLabel', () => {
  it('names the proxy a request to the endpoint goes through, and only the endpoint when direct', () => {
    const via = { handler: undefined as never, proxyFor: (url: string) => (url.includes('direct') ? undefined : 'http://proxy:3128') };
    expect(endpointLabel('http://s3.example:9000', via)).toBe('http://s3.example:9000 through proxy http://proxy:3128');
    expect(endpointLabel('http://direct:9000', via)).toBe('http://direct:9000');
    expect(endpointLabel('https://s3.amazonaws.com', undefined)).toBe('https://s3.amazonaws.com');
  });
});
