// proxy-from-env ships no types: its one function.
declare module 'proxy-from-env' {
  /** The proxy URL for `url` from *_PROXY / ALL_PROXY, or '' when none applies (NO_PROXY matched, none set). */
  export function getProxyForUrl(url: string | URL): string;
}
