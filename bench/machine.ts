// The machine the numbers were measured on, read at run time.
import { statfs } from 'node:fs/promises';
import { cpus, loadavg, release, totalmem, type as osType } from 'node:os';
import { run } from './process.js';

export interface Machine {
  cpuModel: string;
  cpuCount: number;
  memoryBytes: number;
  disk: { filesystem: string; totalBytes: number; freeBytes: number };
  os: string;
  nodeVersions: string[];
  gitVersion: string;
  loadAtStart: number[];
  loadAtEnd: number[];
}

/** Describes this machine; `dir` names the disk the benchmarks write to. */
export async function describeMachine(options: { dir: string; nodes: string[] }): Promise<Machine> {
  const processors = cpus();
  const fs = await statfs(options.dir);
  const df = await run('df', ['-h', '--output=source', options.dir]);
  const nodeVersions: string[] = [];
  for (const node of options.nodes) {
    const version = (await run(node, ['--version'])).stdout.trim();
    if (!nodeVersions.includes(version)) nodeVersions.push(version);
  }
  return {
    cpuModel: processors[0]?.model.trim() ?? 'unknown',
    cpuCount: processors.length,
    memoryBytes: totalmem(),
    disk: {
      filesystem: df.stdout.trim().split('\n')[1]?.trim() ?? 'unknown',
      totalBytes: fs.blocks * fs.bsize,
      freeBytes: fs.bavail * fs.bsize,
    },
    os: `${osType()} ${release()}`,
    nodeVersions,
    gitVersion: (await run('git', ['--version'])).stdout.trim().replace(/^git version /, ''),
    loadAtStart: loadavg(),
    loadAtEnd: loadavg(),
  };
}
