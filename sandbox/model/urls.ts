/** Where the sandbox answers, in GitHub Enterprise's layout. */
export interface Urls {
  /** `http://127.0.0.1:PORT` */
  web: string;
  /** `http://127.0.0.1:PORT/api/v3` */
  api: string;
}

export function createUrls(origin: string): Urls {
  return { web: origin, api: `${origin}/api/v3` };
}
