// The refusal a function of the BOSH core throws, as the unit tests assert it.
import { ReleaseRefusal, type RefusalReason } from '../../src/bosh/index.js';

/** The reason and message of the ReleaseRefusal `action` throws; fails when it throws none. */
export function refusalOf(action: () => unknown): { reason: RefusalReason; message: string } {
  try {
    action();
  } catch (error) {
    if (error instanceof ReleaseRefusal) return { reason: error.reason, message: error.message };
    throw error;
  }
  throw new Error('expected a refusal');
}
