// What a step run returned, as the tests of out read it.
import { expect } from '@jest/globals';
import type { GetPutResponse } from '../../src/concourse/contract.js';
import type { StepRun } from './world.js';

/** The response of a run that must have succeeded (its error thrown otherwise). */
export function succeeded(run: StepRun<GetPutResponse>): GetPutResponse {
  if (run.error !== undefined) throw run.error;
  if (run.result === undefined) throw new Error('no result');
  return run.result;
}

/** A response's metadata as a name → value record. */
export function meta(response: GetPutResponse): Record<string, string> {
  return Object.fromEntries(response.metadata.map(({ name, value }) => [name, value]));
}

/** The one-line message of a run that must have failed with a UserError. */
export function failure(run: StepRun<GetPutResponse>): string {
  expect(run.result).toBeUndefined();
  expect(run.error?.name).toBe('UserError');
  return run.error?.message ?? '';
}
