import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import * as tls from 'node:tls';
import { UserError } from '../errors.js';

interface NetworkOptions {
  /** `source.ca_certs`: PEM certificates to trust besides the system's. */
  caCerts: string | undefined;
  skipSslVerification: boolean;
  /** The step's environment: proxy variables and SSL_CERT_FILE. */
  env: NodeJS.ProcessEnv;
}

/** How the API client and git reach GitHub: the proxy, and which certificates they trust. */
interface Network {
  /** The fetch of the API client, or undefined for Node's own (nothing to configure). */
  fetch: typeof fetch | undefined;
  /** The PEM bundle git trusts instead of its default (system roots and ca_certs), if any. */
  caBundle: string | undefined;
  skipSslVerification: boolean;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

// Where distributions keep the system bundle (curl's and git's default; Concourse mounts the
// worker's certificates at /etc/ssl/certs): Debian/Ubuntu/Alpine, Fedora/RHEL, macOS/BSD.
const SYSTEM_BUNDLES = [
  '/etc/ssl/certs/ca-certificates.crt',
  '/etc/pki/tls/certs/ca-bundle.crt',
  '/etc/ssl/cert.pem',
];

/**
 * Builds the network settings of a step. Node's fetch honours neither proxy variables nor extra
 * CAs before Node 24 (and then only with NODE_USE_ENV_PROXY / NODE_USE_SYSTEM_CA), so whenever
 * there is something to honour, API requests go through undici's EnvHttpProxyAgent with the
 * same rules on every Node version. git honours the proxy variables itself.
 */
export function createNetwork(options: NetworkOptions): Network {
  const { env, skipSslVerification } = options;
  const extra = options.caCerts === undefined ? [] : parseCaCerts(options.caCerts);
  const roots = extra.length > 0 ? trustedRoots(env, extra) : undefined;
  const proxied = ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY'].some(
    (name) => (env[name] ?? '') !== '',
  );
  if (!proxied && roots === undefined && !skipSslVerification) {
    return { fetch: undefined, caBundle: undefined, skipSslVerification };
  }
  // undici is loaded only when needed: most steps never pay its start-up.
  let dispatching: Promise<{ fetch: typeof fetch; dispatcher: unknown }> | undefined;
  const load = async () => {
    const undici = await import('undici');
    const trust = skipSslVerification ? { rejectUnauthorized: false } : { ca: roots };
    const dispatcher = new undici.EnvHttpProxyAgent({
      // Lower case first, as curl reads them.
      httpProxy: env.http_proxy ?? env.HTTP_PROXY ?? '',
      httpsProxy: env.https_proxy ?? env.HTTPS_PROXY ?? '',
      noProxy: env.no_proxy ?? env.NO_PROXY ?? '',
      connect: trust,
      requestTls: trust,
      proxyTls: trust,
    });
    return { fetch: undici.fetch as unknown as typeof fetch, dispatcher };
  };
  const proxiedFetch = async (input: string | URL | Request, init?: RequestInit) => {
    dispatching ??= load();
    const { fetch: undiciFetch, dispatcher } = await dispatching;
    return undiciFetch(input, { ...init, dispatcher } as RequestInit);
  };
  return {
    fetch: proxiedFetch as typeof fetch,
    caBundle: roots === undefined ? undefined : `${roots.join('\n')}\n`,
    skipSslVerification,
  };
}

/** The certificates of `source.ca_certs`, each checked to be one. */
function parseCaCerts(pem: string): string[] {
  const blocks = pem.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) {
    throw new UserError(
      'source.ca_certs: no PEM certificate found: give the CA certificates as PEM text, each from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----',
    );
  }
  blocks.forEach((block, i) => {
    try {
      new X509Certificate(block);
    } catch {
      throw new UserError(
        `source.ca_certs: certificate ${i + 1} of ${blocks.length} is not a valid PEM certificate: paste it again whole`,
      );
    }
  });
  return blocks;
}

// A `ca` option replaces Node's roots instead of adding to them, so the roots Node trusts by
// default and the system bundle come first.
function trustedRoots(env: NodeJS.ProcessEnv, extra: string[]): string[] {
  // Node ≥ 22.15 names what it trusts by default (the bundled roots, the system store under
  // NODE_USE_SYSTEM_CA, NODE_EXTRA_CA_CERTS); older Node only its bundled roots.
  const { getCACertificates } = tls as { getCACertificates?: (kind: string) => string[] };
  const node = getCACertificates?.('default') ?? [...tls.rootCertificates];
  return [...new Set([...node, ...systemRoots(env), ...extra].map((pem) => pem.trim()))];
}

function systemRoots(env: NodeJS.ProcessEnv): string[] {
  for (const file of [env.SSL_CERT_FILE, ...SYSTEM_BUNDLES]) {
    if (file === undefined || file === '') continue;
    try {
      return readFileSync(file, 'utf8').match(PEM_CERTIFICATE) ?? [];
    } catch {
      // Not on this system: try the next.
    }
  }
  return [];
}
