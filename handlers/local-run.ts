/** `npm start`: the scheduled check, run once on this machine with the same code and variables. */
import { ConfigError } from '../lib/config';
import { handler } from './scheduled-check';

handler().then(
  () => undefined,
  (err: unknown) => {
    process.stderr.write(`certcheck: ${err instanceof ConfigError ? '' : 'internal error: '}${(err as Error).message}\n`);
    process.exitCode = err instanceof ConfigError ? 64 : 1;
  },
);
