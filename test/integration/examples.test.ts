// The example pipelines in examples/ are what users copy: every bosh-release-pr resource's source
// and every put/get's params must pass the resource's own parsing (and connect's checks of
// private_key and ca_certs), with ((vars)) replaced by plausible values.
import { describe, expect, it } from '@jest/globals';
import { generateKeyPairSync } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { connect } from '../../src/steps/connect.js';
import { createLogger, SecretRegistry } from '../../src/io/log.js';
import {
  parseCheckRequest,
  parseGetRequest,
  parsePutRequest,
} from '../../src/concourse/settings.js';
import { makeCertificates } from '../support/certificates.js';
import { PROJECT_ROOT } from '../support/run-bundle.js';

const EXAMPLES = join(PROJECT_ROOT, 'examples');
const TYPE = 'bosh-release-pr';

// What each ((var)) of the examples stands for, typed as Concourse would interpolate it.
const VARS: Record<string, unknown> = {
  'github-token': 'ghp_exampleExampleExampleExample0123456',
  'ghes-token': 'ghp_enterpriseExampleExampleExample0123',
  'corporate-ca.certificate': makeCertificates('Corporate Root CA').ca,
  'release-app.app_id': 123456,
  'release-app.private_key': generateKeyPairSync('rsa', { modulusLength: 2048 })
    .privateKey.export({ type: 'pkcs1', format: 'pem' })
    .toString(),
  'release-app.installation_id': 7654321,
};

function interpolate(value: unknown): unknown {
  if (typeof value === 'string') {
    const whole = /^\(\(([^)]+)\)\)$/.exec(value);
    const lookup = (name: string): unknown => {
      if (!(name in VARS)) throw new Error(`((${name})): give it a plausible value in VARS`);
      return VARS[name];
    };
    if (whole !== null) return lookup(whole[1] ?? '');
    return value.replace(/\(\(([^)]+)\)\)/g, (_match, name: string) => String(lookup(name)));
  }
  if (Array.isArray(value)) return value.map(interpolate);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, interpolate(v)]));
  }
  return value;
}

interface Step {
  get?: string;
  put?: string;
  resource?: string;
  params?: unknown;
  get_params?: unknown;
}

/** Every get and put step anywhere in a plan (do, in_parallel, try, hooks...). */
function steps(node: unknown): Step[] {
  if (Array.isArray(node)) return node.flatMap(steps);
  if (typeof node !== 'object' || node === null) return [];
  const own = 'get' in node || 'put' in node ? [node as Step] : [];
  return [...own, ...Object.values(node).flatMap(steps)];
}

const files = readdirSync(EXAMPLES).filter((name) => name.endsWith('.yml'));
const context = {
  log: createLogger({ debug: false, secrets: new SecretRegistry(), write: () => undefined }),
  secrets: new SecretRegistry(),
  env: {},
};

describe.each(files)('examples/%s', (file) => {
  const pipeline = load(readFileSync(join(EXAMPLES, file), 'utf8')) as {
    resources: Array<{ name: string; type: string; source: unknown }>;
    jobs: Array<{ plan: unknown }>;
  };
  const ours = new Map(
    pipeline.resources.filter((r) => r.type === TYPE).map((r) => [r.name, interpolate(r.source)]),
  );
  const used = steps(pipeline.jobs).filter((step) =>
    ours.has(step.resource ?? step.get ?? step.put ?? ''),
  );

  it('has a bosh-release-pr resource that is both put and got', () => {
    expect(ours.size).toBeGreaterThan(0);
    expect(used.some((step) => step.put !== undefined)).toBe(true);
    expect(used.some((step) => step.get !== undefined)).toBe(true);
  });

  it('gives each resource a source the resource accepts', () => {
    for (const source of ours.values()) {
      const parsed = parseCheckRequest({ source }).source;
      expect(() => connect(parsed, context)).not.toThrow();
    }
  });

  it('gives each put and get params the resource accepts', () => {
    const version = { version: '3', pr: '41', ref: 'a'.repeat(40) };
    for (const step of used) {
      const source = ours.get(step.resource ?? step.get ?? step.put ?? '');
      const params = interpolate(step.params);
      if (step.put !== undefined) {
        expect(parsePutRequest({ source, params }).params.repository).not.toBe('');
        if (step.get_params !== undefined) {
          parseGetRequest({ source, version, params: interpolate(step.get_params) });
        }
      } else {
        expect(parseGetRequest({ source, version, params }).version).toEqual(version);
      }
    }
  });
});
