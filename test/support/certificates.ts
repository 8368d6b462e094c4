// A certificate authority and a server certificate for 127.0.0.1, made in the test with
// node:crypto alone: keys from generateKeyPairSync, the X.509 structures (RFC 5280) written as
// DER here, signed with ECDSA P-256 — no openssl CLI, no dependency.
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';

export interface TestCertificates {
  /** The CA certificate (PEM): what `source.ca_certs` would hold. */
  ca: string;
  /** The server's certificate (PEM), issued by the CA for 127.0.0.1 and localhost. */
  cert: string;
  /** The server's private key (PEM). */
  key: string;
}

/** A fresh CA and a server certificate it issued, valid from an hour ago for a day. */
export function makeCertificates(name = 'bosh-release-pr test CA'): TestCertificates {
  const caKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const serverKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const caKeyId = keyId(caKeys.publicKey);
  const ca = certificate({
    issuer: name,
    subject: name,
    subjectKey: caKeys.publicKey,
    signingKey: caKeys.privateKey,
    extensions: [
      extension(OID.basicConstraints, seq(bool(true)), true),
      extension(OID.keyUsage, bitString(Buffer.from([0x06]), 1), true), // keyCertSign, cRLSign
      extension(OID.subjectKeyIdentifier, octets(caKeyId)),
    ],
  });
  const cert = certificate({
    issuer: name,
    subject: '127.0.0.1',
    subjectKey: serverKeys.publicKey,
    signingKey: caKeys.privateKey,
    extensions: [
      extension(OID.basicConstraints, seq(), true),
      extension(OID.keyUsage, bitString(Buffer.from([0x80]), 7), true), // digitalSignature
      extension(OID.extKeyUsage, seq(oid(OID.serverAuth))),
      extension(
        OID.subjectAltName,
        seq(tlv(0x87, Buffer.from([127, 0, 0, 1])), tlv(0x82, Buffer.from('localhost'))),
      ),
      extension(OID.authorityKeyIdentifier, seq(tlv(0x80, caKeyId))),
    ],
  });
  return {
    ca: pem('CERTIFICATE', ca),
    cert: pem('CERTIFICATE', cert),
    key: serverKeys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

const OID = {
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  commonName: '2.5.4.3',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  subjectAltName: '2.5.29.17',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
};

function certificate(options: {
  issuer: string;
  subject: string;
  subjectKey: KeyObject;
  signingKey: KeyObject;
  extensions: Buffer[];
}): Buffer {
  const now = Date.now();
  const algorithm = seq(oid(OID.ecdsaWithSha256));
  const serial = randomBytes(16);
  // A positive INTEGER in DER's minimal form: a first byte of 0x00 followed by one below 0x80 is
  // "illegal padding" to OpenSSL (it failed ~1 run in 128), so the first byte is 0x40–0x7f.
  serial[0] = ((serial[0] ?? 0) & 0x3f) | 0x40;
  const tbs = seq(
    tlv(0xa0, integer(Buffer.from([2]))), // v3
    integer(serial),
    algorithm,
    distinguishedName(options.issuer),
    seq(utcTime(new Date(now - 3600_000)), utcTime(new Date(now + 86_400_000))),
    distinguishedName(options.subject),
    options.subjectKey.export({ type: 'spki', format: 'der' }),
    tlv(0xa3, seq(...options.extensions)),
  );
  // ECDSA signatures from node:crypto are DER `Ecdsa-Sig-Value`s, as X.509 wants them.
  return seq(tbs, algorithm, bitString(sign('sha256', tbs, options.signingKey)));
}

function keyId(key: KeyObject): Buffer {
  return createHash('sha1')
    .update(key.export({ type: 'spki', format: 'der' }))
    .digest();
}

function distinguishedName(commonName: string): Buffer {
  return seq(tlv(0x31, seq(oid(OID.commonName), tlv(0x0c, Buffer.from(commonName)))));
}

function extension(id: string, value: Buffer, critical = false): Buffer {
  return seq(oid(id), ...(critical ? [bool(true)] : []), octets(value));
}

function tlv(tag: number, content: Buffer): Buffer {
  const length = content.length;
  const header =
    length < 0x80
      ? Buffer.from([tag, length])
      : length < 0x100
        ? Buffer.from([tag, 0x81, length])
        : Buffer.from([tag, 0x82, length >> 8, length & 0xff]);
  return Buffer.concat([header, content]);
}

const seq = (...items: Buffer[]) => tlv(0x30, Buffer.concat(items));
const bool = (value: boolean) => tlv(0x01, Buffer.from([value ? 0xff : 0]));
const integer = (bytes: Buffer) => tlv(0x02, bytes);
const octets = (bytes: Buffer) => tlv(0x04, bytes);
const bitString = (bytes: Buffer, unused = 0) =>
  tlv(0x03, Buffer.concat([Buffer.from([unused]), bytes]));

function oid(dotted: string): Buffer {
  const [first = 0, second = 0, ...rest] = dotted.split('.').map(Number);
  const bytes = [40 * first + second];
  for (const arc of rest) {
    const chunk = [arc & 0x7f];
    for (let value = arc >> 7; value > 0; value >>= 7) chunk.unshift((value & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

function utcTime(date: Date): Buffer {
  const text = date.toISOString().replace(/[-:T]/g, '').slice(2, 14);
  return tlv(0x17, Buffer.from(`${text}Z`));
}

function pem(label: string, der: Buffer): string {
  const body =
    der
      .toString('base64')
      .match(/.{1,64}/g)
      ?.join('\n') ?? '';
  return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
}
