/**
 * What the API client and git authenticate with: a fixed token, or a GitHub App's installation
 * tokens, which expire after an hour and so are minted again while a long step runs.
 */
export interface Credential {
  /** The configuration fields the user checks when GitHub refuses it, e.g. `source.access_token`. */
  readonly fields: string;
  /** A token to send now. */
  current(): Promise<string>;
  /** A fresh token after GitHub refused `refused` (401), or undefined when there is no other. */
  renew(refused: string): Promise<string | undefined>;
}

/** A token given in `source.access_token`: it never changes. */
export function fixedCredential(token: string): Credential {
  return {
    fields: 'source.access_token',
    current: () => Promise.resolve(token),
    renew: () => Promise.resolve(undefined),
  };
}
