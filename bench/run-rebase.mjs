// Runs bench/rebase.ts on Node 20 (no TypeScript loader): bundles it with esbuild, then runs it.
//   node bench/run-rebase.mjs
import { build } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = mkdtempSync(join(tmpdir(), 'bench-rebase-'));
const outfile = join(dir, 'rebase.mjs');
try {
  await build({
    stdin: {
      contents:
        "import { benchRebase } from './bench/rebase.ts';\nconsole.log(JSON.stringify(await benchRebase(), null, 2));\n",
      resolveDir: root,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    logLevel: 'warning',
  });
  await import(pathToFileURL(outfile).href);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
