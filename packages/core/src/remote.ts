// Opens a remote from its URL: settings from the environment and git config, credentials (profile or
// amazon-s3 properties file), the store with verbose request logging. Shared by the helper, its CLI and
// the LFS agent.
import { homedir } from 'node:os';
import { readGitConfig, resolveSettings, type Settings } from './config.js';
import { log } from './log.js';
import { loadProperties, propertiesEndpoint } from './props.js';
import { type ObjectStore, openStore } from './store.js';
import { formatRemoteUrl, parseRemoteUrl, type RemoteUrl } from './url.js';

export interface Remote {
  readonly url: RemoteUrl;
  /** The URL as shown in messages and suggested commands. */
  readonly display: string;
  readonly store: ObjectStore;
  readonly settings: Settings;
  readonly gitConfig: ReadonlyMap<string, string>;
}

export async function openRemote(urlText: string, remoteName?: string): Promise<Remote> {
  const url = parseRemoteUrl(urlText);
  const gitConfig = await readGitConfig();
  const settings = resolveSettings(process.env, gitConfig, remoteName);
  let credentials: { accessKeyId: string; secretAccessKey: string } | undefined;
  let endpoint: string | undefined;
  let acl: 'public-read' | undefined;
  if (url.propsFile) {
    const { properties, file, warning } = await loadProperties(url.propsFile, process.env.HOME ?? homedir(), formatRemoteUrl(url));
    if (warning) log.warn(warning);
    credentials = { accessKeyId: properties.accessKey, secretAccessKey: properties.secretKey };
    endpoint = propertiesEndpoint(properties);
    if (!endpoint && properties.protocol === 'http') {
      log.warn(
        `${file} sets 'protocol: http' without a domain: ignored, the usual endpoint applies (AWS_ENDPOINT_URL, the profile, else AWS over https)`,
      );
    }
    if (properties.acl === 'public') acl = 'public-read';
  }
  const store = await openStore({
    bucket: url.bucket,
    ...(url.profile ? { profile: url.profile } : {}),
    ...(credentials ? { credentials } : {}),
    ...(endpoint ? { endpoint } : {}),
    ...(acl ? { acl } : {}),
    ...(settings.sse ? { sse: settings.sse } : {}),
    ...(settings.addressingStyle ? { addressingStyle: settings.addressingStyle } : {}),
    // Every upload and ranged download through this remote: at most partSize × concurrency bytes in memory each.
    transfer: { partSize: settings.partSize, concurrency: settings.concurrency },
    onRequest: (r) => log.debug(`${r.method} ${r.key} -> ${r.status ?? 'failed'} (${r.ms} ms)`),
    onNotice: (message) => log.debug(message),
  });
  return { url, display: formatRemoteUrl(url), store, settings, gitConfig };
}
