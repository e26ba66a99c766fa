// HTTP(S)_PROXY, ALL_PROXY and NO_PROXY (either case) for every S3 request, as git, git-lfs and the AWS CLI
// honour them: an SDK HTTP handler whose agents ask proxy-from-env for each request's target. The proxy
// packages load only when a proxy variable is set, so a run without one pays nothing at start-up.
import type { NodeHttpHandler } from '@smithy/node-http-handler';

const PROXY_VARIABLES = ['https_proxy', 'http_proxy', 'all_proxy'];

/** Whether the environment names a proxy (proxy-from-env reads the same names, lowercase first). */
export function proxyConfigured(env: NodeJS.ProcessEnv): boolean {
  return PROXY_VARIABLES.some((name) => Boolean(env[name] || env[name.toUpperCase()]));
}

export interface ProxyTransport {
  readonly handler: NodeHttpHandler;
  /** The proxy a request to `url` goes through, without its credentials (for messages); undefined: direct. */
  proxyFor(url: string): string | undefined;
}

/**
 * An HTTP handler routing through the proxy this process's environment names (proxy-from-env reads
 * process.env); undefined when it names none, and the SDK's own handler serves.
 */
export async function proxyTransport(): Promise<ProxyTransport | undefined> {
  if (!proxyConfigured(process.env)) return undefined;
  const [{ NodeHttpHandler }, { createProxyRouter, proxyFor }] = await Promise.all([
    import('@smithy/node-http-handler'),
    import('./proxy-router.js'),
  ]);
  const router = createProxyRouter();
  return { handler: new NodeHttpHandler({ httpAgent: router.http, httpsAgent: router.https }), proxyFor };
}

/** `<endpoint> through proxy <proxy>` when requests to it go through one: what errors name. */
export function endpointLabel(endpoint: string, transport: ProxyTransport | undefined): string {
  const proxy = transport?.proxyFor(endpoint);
  return proxy ? `${endpoint} through proxy ${proxy}` : endpoint;
}
