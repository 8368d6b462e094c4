import { connect } from '../connect.js';
import { parseCheckRequest } from '../../concourse/settings.js';
import { runStep } from '../../concourse/run-step.js';
import { check } from './check.js';

// Concourse runs /opt/resource/check with the request on stdin.
process.exitCode = await runStep({
  parse: parseCheckRequest,
  run: (input, context) =>
    check(input, {
      ...connect(input.source, context, { keepAppToken: true }),
      log: context.log,
    }),
});
