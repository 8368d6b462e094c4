// The trace of benchmark 6 (--trace): git's trace2 events and V8's CPU profile, summed up.
import { describe, expect, it } from '@jest/globals';
import { gitSpans, profileSelfTimes, traceTables } from '../../bench/trace.js';

const T0 = Date.parse('2026-12-02T14:00:00.000Z');

function events(sid: string, at: string, argv: string[], seconds: number): string {
  return [
    { event: 'version', sid, evt: '3', exe: '2.39.5' },
    { event: 'start', sid, time: `2026-12-02T14:00:${at}Z`, t_abs: 0.001, argv },
    { event: 'exit', sid, time: `2026-12-02T14:00:${at}Z`, t_abs: seconds, code: 0 },
  ]
    .map((event) => JSON.stringify(event))
    .join('\n');
}

describe('git spans from trace2 events', () => {
  const files = [
    events(
      '20261202T140000.1-H1-P1',
      '00.250000',
      ['git', 'checkout', '--quiet', 'a'.repeat(40)],
      1.12,
    ),
    events(
      '20261202T140000.1-H1-P1/20261202T140000.2-H1-P2',
      '00.300000',
      ['/usr/lib/git-core/git-remote-http', 'origin', 'http://127.0.0.1:1/acme/r.git'],
      0.7,
    ),
    events(
      '20261202T140000.0-H1-P0',
      '00.100000',
      [
        'git',
        '-c',
        'x=y',
        'commit-tree',
        't',
        '-m',
        'Final release 20\n\nBosh-Release-Version: 20',
      ],
      0.004,
    ),
  ];

  it('orders the processes, with their depth, start after the step and duration', () => {
    const spans = gitSpans(files, T0);
    expect(spans).toEqual([
      { startMs: 100, ms: 4, depth: 0, command: 'git commit-tree t -m …' },
      { startMs: 250, ms: 1120, depth: 0, command: 'git checkout --quiet aaaaaaa…' },
      { startMs: 300, ms: 700, depth: 1, command: 'git-remote-http origin <url>' },
    ]);
  });

  it('makes tables that keep every row on one line', () => {
    const [git] = traceTables('in', { wallMs: 1500, git: gitSpans(files, T0), profile: [] });
    expect(git?.rows).toHaveLength(3);
    expect(git?.rows.flat().join('')).not.toContain('\n');
    expect(git?.rows[2]?.[2]).toBe('↳ `git-remote-http origin <url>`');
  });
});

describe('self time from a CPU profile', () => {
  it('adds each sample’s interval to its function, the largest first', () => {
    const profile = {
      nodes: [
        { id: 1, callFrame: { functionName: '(idle)', url: '', lineNumber: -1 } },
        {
          id: 2,
          callFrame: { functionName: 'parseBuildIndex', url: 'file:///opt/in.mjs', lineNumber: 9 },
        },
        { id: 3, callFrame: { functionName: '', url: 'file:///opt/in.mjs', lineNumber: 19 } },
      ],
      samples: [2, 1, 2, 3],
      timeDeltas: [0, 1000, 5000, 2000],
    };
    expect(profileSelfTimes(profile)).toEqual([
      { name: '(idle)', ms: 5 },
      { name: 'parseBuildIndex (in.mjs:10)', ms: 3 },
      { name: '(anonymous) (in.mjs:20)', ms: 0 },
    ]);
  });
});
