import { connect } from '../connect.js';
import { parseOutRequest } from '../../concourse/settings.js';
import { runStep } from '../../concourse/run-step.js';
import { putOut } from './put.js';

// Concourse runs /opt/resource/out SRC with the request on stdin.
process.exitCode = await runStep({
  parse: parseOutRequest,
  run: (input, context) => putOut(input, { ...connect(input.source, context), ...context }),
});
