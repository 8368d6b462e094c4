import { describe, expect, it } from '@jest/globals';
import { rootCertificates } from 'node:tls';
import { createNetwork } from '../../src/io/network.js';
import { makeCertificates } from '../support/certificates.js';

const ca = makeCertificates().ca;

describe('createNetwork', () => {
  it('leaves Node’s own fetch and git’s own bundle alone when there is nothing to honour', () => {
    const network = createNetwork({ caCerts: undefined, skipSslVerification: false, env: {} });
    expect(network).toEqual({ fetch: undefined, caBundle: undefined, skipSslVerification: false });
  });

  it('hands git the roots Node trusts, the system bundle and ca_certs, each once', () => {
    const network = createNetwork({ caCerts: `${ca}\n${ca}`, skipSslVerification: false, env: {} });
    const bundle = network.caBundle ?? '';
    expect(bundle.split(ca.trim())).toHaveLength(2);
    expect(bundle).toContain(rootCertificates[0]);
    expect(network.fetch).toBeDefined();
  });

  it('uses its own fetch for a proxy variable alone', () => {
    const network = createNetwork({
      caCerts: undefined,
      skipSslVerification: false,
      env: { https_proxy: 'http://proxy:3128' },
    });
    expect(network.fetch).toBeDefined();
    expect(network.caBundle).toBeUndefined();
  });

  it.each([
    ['text without a certificate', 'my-ca.pem', /^source\.ca_certs: no PEM certificate found/],
    [
      'a damaged certificate after a good one',
      `${ca}-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n`,
      /^source\.ca_certs: certificate 2 of 2 is not a valid PEM certificate: paste it again whole$/,
    ],
  ])('refuses %s before any request', (_name, caCerts, message) => {
    expect(() => createNetwork({ caCerts, skipSslVerification: false, env: {} })).toThrow(message);
  });
});
