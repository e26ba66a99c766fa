// The agents behind the proxy handler (transport.ts): each request asks proxy-from-env for its target's
// proxy (NO_PROXY applied) and goes through http-proxy-agent / https-proxy-agent (CONNECT), or direct.
import * as http from 'node:http';
import * as https from 'node:https';
import { Agent, type AgentConnectOpts } from 'agent-base';
import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { getProxyForUrl } from 'proxy-from-env';

/** As many sockets per host as the SDK's own handler allows, kept alive between requests. */
const AGENT_OPTIONS = { keepAlive: true, maxSockets: 50 };

/** One router per scheme of the target (http:// or https:// endpoints). */
export function createProxyRouter(): { http: http.Agent; https: http.Agent } {
  return { http: new ProxyRouter(false), https: new ProxyRouter(true) };
}

/** The proxy for `url`, as scheme://host:port (never the user and password a proxy URL may carry). */
export function proxyFor(url: string): string | undefined {
  const proxy = getProxyForUrl(url);
  if (!proxy) return undefined;
  try {
    const parsed = new URL(proxy);
    return `${parsed.protocol}//${parsed.host}`;
  } catch {
    return 'from the environment';
  }
}

class ProxyRouter extends Agent {
  /** Direct, for targets NO_PROXY exempts. */
  private readonly direct: http.Agent;
  /** One agent per proxy URL, so connections to the proxy are reused. */
  private readonly viaProxy = new Map<string, http.Agent>();

  constructor(private readonly secure: boolean) {
    super(AGENT_OPTIONS);
    this.direct = secure ? new https.Agent(AGENT_OPTIONS) : new http.Agent(AGENT_OPTIONS);
  }

  connect(request: http.ClientRequest, options: AgentConnectOpts): http.Agent {
    const scheme = this.secure ? 'https' : 'http';
    const host = options.host?.includes(':') ? `[${options.host}]` : options.host;
    const proxy = getProxyForUrl(`${scheme}://${host}:${options.port}${request.path}`);
    if (!proxy) return this.direct;
    let agent = this.viaProxy.get(proxy);
    if (!agent) {
      agent = this.secure ? new HttpsProxyAgent(proxy, AGENT_OPTIONS) : new HttpProxyAgent(proxy, AGENT_OPTIONS);
      this.viaProxy.set(proxy, agent);
    }
    return agent;
  }

  override destroy(): void {
    this.direct.destroy();
    for (const agent of this.viaProxy.values()) agent.destroy();
    super.destroy();
  }
}
