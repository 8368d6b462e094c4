import type { InOutResponse } from '../contract.js';
import { UserError } from '../errors.js';
import type { OutInput } from '../settings.js';
import type { StepContext } from '../step.js';

/** The out step. */
export async function putOut(input: OutInput, context: StepContext): Promise<InOutResponse> {
  context.log.debug(
    { repository: `${input.source.owner}/${input.source.repo}` },
    'request accepted',
  );
  throw new UserError(
    'out is not available yet in this build of bosh-release-pr: the request is valid, but the step has not landed',
  );
}
