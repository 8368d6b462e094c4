import { connect } from '../connect.js';
import { parseGetRequest } from '../../concourse/settings.js';
import { runStep } from '../../concourse/run-step.js';
import { get } from './get.js';

// Concourse runs /opt/resource/in DEST with the request on stdin.
process.exitCode = await runStep({
  parse: parseGetRequest,
  run: (input, context) => get(input, { ...connect(input.source, context), ...context }),
});
