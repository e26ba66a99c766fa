// Which region the store signs for (DESIGN §2, §11): the configured one until a store's answer names another,
// followed once per request and kept for the rest of the process. No SDK here: the store hands in how to ask
// the bucket's region and how to switch its client.
import { isBareBadRequest, regionFromAnswer } from './store-quirks.js';

export interface RegionFollowerHooks {
  /** Sends a small request that may be refused for its region: its failure, or undefined when it passed. */
  readonly probe: (key: string) => Promise<unknown>;
  /** Signs every later request for `region`. */
  readonly switchTo: (region: string, previous: string) => void;
}

export class RegionFollower {
  /** Set once the store answered a request without complaining about its region. */
  private confirmed = false;
  /** A region named by an answer the SDK followed by itself (a 301 with x-amz-bucket-region): adopted after. */
  private hinted: string | undefined;
  private settling: Promise<void> | undefined;

  constructor(
    private current: string,
    private readonly hooks: RegionFollowerHooks,
  ) {}

  get region(): string {
    return this.current;
  }

  /** Every HTTP answer (undefined: a success): a region named, or proof that ours is right. */
  noteAnswer(error: unknown): void {
    const named = error === undefined ? undefined : regionFromAnswer(error);
    if (named !== undefined && named !== this.current) this.hinted = named;
    else if (error === undefined || !isBareBadRequest(error)) this.confirmed = true;
  }

  /** After a call that succeeded, possibly because the SDK followed a redirect: keep that region. */
  adoptHinted(): void {
    const hinted = this.hinted;
    this.hinted = undefined;
    if (hinted !== undefined) this.use(hinted);
  }

  /**
   * Whether `error` was the store refusing a request signed for `signedFor` because the bucket is elsewhere;
   * if so, later requests go to the region it named (the caller repeats the request once). A bare 400 (a HEAD
   * answer has no body to explain it) is asked about with a probe while the region is unconfirmed.
   */
  async follow(error: unknown, signedFor: string, key: string): Promise<boolean> {
    this.hinted = undefined;
    let named = regionFromAnswer(error);
    if (named === undefined && isBareBadRequest(error) && !this.confirmed) named = await this.ask(key);
    if (named === undefined || named === signedFor) return false;
    this.use(named);
    return true;
  }

  /** Whether a request that cannot be repeated (a streamed upload) must wait for `settle` first. */
  get unsettled(): boolean {
    return !this.confirmed;
  }

  /** Makes sure of the region before a request that cannot be sent twice; one probe for concurrent callers. */
  settle(key: string): Promise<void> {
    if (this.confirmed) return Promise.resolve();
    this.settling ??= this.ask(key).then((named) => {
      if (named !== undefined) this.use(named);
      this.settling = undefined;
    });
    return this.settling;
  }

  private async ask(key: string): Promise<string | undefined> {
    const failure = await this.hooks.probe(key);
    // Any other failure (no permission, no bucket) is for the real request to report.
    return failure === undefined ? undefined : regionFromAnswer(failure);
  }

  private use(region: string): void {
    if (region === this.current) return;
    const previous = this.current;
    this.current = region;
    this.hooks.switchTo(region, previous);
  }
}
