// The S3 client a store talks through: credentials, endpoint, addressing and region resolved once, the SDK
// middleware that counts and logs every request and adds Content-MD5, and a fresh client when the region changes.
import { ListObjectsV2Command, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { loadSharedConfigFiles } from '@smithy/shared-ini-file-loader';
import { RegionFollower } from '../region-follower.js';
import { addContentMd5 } from '../store-quirks.js';
import type { CredentialHint, CredentialProvider, StaticKeys } from './credentials.js';
import type { RequestRecord, TransferTuning } from './object-store.js';
import { readSharedConfig, resolveS3ClientSettings, type S3ClientSettings } from './shared-config.js';
import { endpointLabel, type ProxyTransport, proxyTransport } from './transport.js';

export interface StoreOptions {
  readonly bucket: string;
  /** AWS profile (from `s3://profile@…`); otherwise the default chain (AWS_PROFILE, env, SSO, roles…). */
  readonly profile?: string;
  /** Static keys (from an amazon-s3 properties file); openStore replaces them by the chain (credentials.ts) when absent. */
  readonly credentials?: StaticKeys | CredentialProvider;
  /** Set by openStore with the chain: the advice of an error when the store rejects the credentials. */
  readonly credentialHint?: CredentialHint;
  /** Overrides the endpoint (the amazon-s3 `domain`); else the configured one (shared-config.ts), else AWS. */
  readonly endpoint?: string;
  /** 'path' | 'virtual' (git config); else ~/.aws/config's `s3 = addressing_style`, else path-style exactly when a custom endpoint is set. */
  readonly addressingStyle?: 'path' | 'virtual';
  readonly acl?: 'public-read';
  readonly sse?: { readonly algorithm: 'AES256' } | { readonly algorithm: 'aws:kms'; readonly kmsKeyId?: string };
  /**
   * Part size and parts in flight of every upload and ranged download (default 16 MiB × 4). Memory bound: one
   * transfer holds at most `partSize × concurrency` bytes; a part size under 5 MiB is raised to 5 MiB.
   */
  readonly transfer?: Partial<TransferTuning>;
  readonly env?: NodeJS.ProcessEnv;
  /** Called after every HTTP request (each retry too): counting and verbose logs. Never sees credentials. */
  readonly onRequest?: (record: RequestRecord) => void;
  /** How the store adapted to this one (the region it switched to, single deletes): for verbose logs. */
  readonly onNotice?: (message: string) => void;
  /** Replaces the HTTP layer (unit tests answer as a fussy store would, without a network); else the SDK's, through HTTP(S)_PROXY when set. */
  readonly requestHandler?: S3ClientConfig['requestHandler'];
}

/** The SDK client of one store, re-created for another region when the store names one (RegionFollower). */
export class S3Connection {
  readonly endpointLabel: string;
  /** The region requests are signed for: the configured one until the store names another. */
  readonly region: RegionFollower;
  private current: S3Client;
  private readonly counts: Record<string, number> = {};
  private readonly clientConfig: S3ClientConfig;
  /** Clients of regions left behind: requests may still be in flight on them; destroyed on close. */
  private readonly retiredClients: S3Client[] = [];

  constructor(
    private readonly options: StoreOptions,
    profileConfig: ProfileSection,
    settings: S3ClientSettings,
    proxy?: ProxyTransport,
  ) {
    // Node 20 is supported by this project; the SDK's notice about its own future releases would only
    // confuse a git user reading the helper's stderr.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    const env = options.env ?? process.env;
    const customEndpoint = settings.endpoint;
    const requestHandler = options.requestHandler ?? proxy?.handler;
    this.endpointLabel = endpointLabel(customEndpoint ?? 'https://s3.amazonaws.com', proxy);
    // The SDK resolves the region from env and profile; when nothing names one, start anywhere and let
    // the store's answer tell the bucket's real region rather than failing.
    this.region = new RegionFollower(env.AWS_REGION || env.AWS_DEFAULT_REGION || profileConfig.region || 'us-east-1', {
      probe: (key) => this.probeRegion(key),
      switchTo: (region, previous) => this.useRegion(region, previous),
    });
    this.clientConfig = {
      ...(options.profile ? { profile: options.profile } : {}),
      ...(options.credentials ? { credentials: options.credentials } : {}),
      ...(customEndpoint ? { endpoint: customEndpoint } : {}),
      ...(requestHandler ? { requestHandler } : {}),
      // The SDK follows a 301 (or IllegalLocationConstraint) carrying x-amz-bucket-region within one call;
      // the other signals, and remembering the region for the process, are ours (RegionFollower).
      followRegionRedirects: true,
      // ~/.aws/config and AWS_* where the user set them, ours otherwise (shared-config.ts).
      forcePathStyle: settings.forcePathStyle,
      requestChecksumCalculation: settings.requestChecksumCalculation,
      responseChecksumValidation: settings.responseChecksumValidation,
      maxAttempts: settings.maxAttempts,
    };
    this.current = this.createClient(this.region.region);
  }

  /** The client signing for the region in use now (a switch replaces it: never keep it across awaits). */
  get client(): S3Client {
    return this.current;
  }

  requestCounts(): Readonly<Record<string, number>> {
    return { ...this.counts };
  }

  close(): void {
    for (const client of this.retiredClients) client.destroy();
    this.current.destroy();
  }

  /** A client signing for `region`, with the request log and the Content-MD5 some stores require. */
  private createClient(region: string): S3Client {
    const options = this.options;
    const client = new S3Client({ ...this.clientConfig, region });
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const started = performance.now();
        const request = args.request as {
          method?: string;
          path?: string;
          query?: Record<string, unknown>;
          headers?: Record<string, string>;
        };
        let status: number | undefined;
        try {
          const result = await next(args);
          status = (result.response as { statusCode?: number }).statusCode;
          const date = (result.response as { headers?: Record<string, string> }).headers?.date;
          if (date) (result.output as { $serverTime?: string }).$serverTime = date;
          this.region.noteAnswer(undefined);
          return result;
        } catch (error) {
          status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
          if (status !== undefined) this.region.noteAnswer(error);
          throw error;
        } finally {
          const operation = context.commandName?.replace(/Command$/, '') ?? 'Request';
          this.counts[operation] = (this.counts[operation] ?? 0) + 1;
          const length = Number(request.headers?.['content-length'] ?? 0);
          options.onRequest?.({
            operation,
            method: request.method ?? '?',
            key: describePath(request.path, request.query),
            status,
            ms: Math.round(performance.now() - started),
            bytesSent: Number.isFinite(length) ? length : 0,
          });
        }
      },
      { step: 'deserialize', name: 'gitRemoteS3RequestLog', priority: 'high' },
    );
    // After the SDK's checksum middleware (same step, lower priority), so it sees the checksum it added.
    client.middlewareStack.add(
      (next) => async (args) => {
        addContentMd5(args.request as { headers?: Record<string, string>; body?: unknown });
        return next(args);
      },
      { step: 'build', name: 'gitRemoteS3ContentMd5', priority: 'low' },
    );
    return client;
  }

  /** Region switches (RegionFollower decides): a client for the new region; the old one may still be busy. */
  private useRegion(region: string, previous: string): void {
    this.options.onNotice?.(`bucket ${this.options.bucket} is in region ${region}, not ${previous}: using ${region}`);
    this.retiredClients.push(this.current);
    this.current = this.createClient(region);
  }

  /** A one-key listing, to learn whether the store accepts our region: its failure, or undefined. */
  private async probeRegion(key: string): Promise<unknown> {
    try {
      await this.current.send(new ListObjectsV2Command({ Bucket: this.options.bucket, Prefix: key, MaxKeys: 1 }));
      return undefined;
    } catch (error) {
      return error;
    }
  }
}

/** Opens the connection, reading the profile's section of ~/.aws/config first. */
export async function connect(options: StoreOptions): Promise<S3Connection> {
  const env = options.env ?? process.env;
  const shared = await readSharedConfig(options.profile, env);
  const settings = resolveS3ClientSettings(options, env, shared.profile, shared.file);
  const proxy = options.requestHandler ? undefined : await proxyTransport();
  return new S3Connection(options, await readProfileSection(options.profile, env), settings, proxy);
}

type ProfileSection = Readonly<Record<string, string | undefined>>;

/** The profile's section of ~/.aws/config, read with the SDK's own loader (it caches the files). */
async function readProfileSection(profile: string | undefined, env: NodeJS.ProcessEnv): Promise<ProfileSection> {
  const files = await loadSharedConfigFiles().catch(() => undefined);
  return files?.configFile?.[profile ?? env.AWS_PROFILE ?? 'default'] ?? {};
}

/** `/bucket/key`, or `/bucket/?prefix=…` for a listing: what a verbose log line names. */
function describePath(path: string | undefined, query: Record<string, unknown> | undefined): string {
  const decoded = decodeURIComponent(path ?? '');
  const prefix = query?.prefix;
  return typeof prefix === 'string' ? `${decoded}?prefix=${prefix}` : decoded;
}
