import { connect } from '../connect.js';
import { parsePutRequest } from '../../concourse/settings.js';
import { runStep } from '../../concourse/run-step.js';
import { put } from './put.js';

// Concourse runs /opt/resource/out SRC with the request on stdin.
process.exitCode = await runStep({
  parse: parsePutRequest,
  run: (input, context) => put(input, { ...connect(input.source, context), ...context }),
});
