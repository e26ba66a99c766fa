// The URL schemes we answer for, with no parsing library: what a program checks first, before it knows
// whether it will need the full URL parser (url.ts).

export type RemoteScheme = 's3' | 's3+zip' | 'amazon-s3';

export const SCHEMES: readonly RemoteScheme[] = ['s3', 's3+zip', 'amazon-s3'];

/** True when `text` starts with one of our schemes (whether or not the rest is valid). */
export function isRemoteUrl(text: string): boolean {
  return SCHEMES.some((s) => text.startsWith(`${s}://`));
}
