// The link to the build in the PR body and the Concourse-Build trailer, for instanced pipelines:
// the same URL Concourse ≥ 8.0 gives as BUILD_URL (atc/exec/step_metadata.go), made from the
// BUILD_* variables older Concourse gives. (The basic cases are in pr-body.test.ts.)
import { describe, expect, it } from '@jest/globals';
import { buildInfo } from '../../src/concourse/build-info.js';

// concourse/concourse atc/exec/step_metadata_test.go, "when pipeline instance vars are set".
const CONCOURSE_CASE = {
  ATC_EXTERNAL_URL: 'https://www.example.com',
  BUILD_ID: '1',
  BUILD_NAME: '42',
  BUILD_TEAM_NAME: 'some-team',
  BUILD_JOB_NAME: 'some-job-name',
  BUILD_PIPELINE_NAME: 'some-pipeline-name',
  BUILD_PIPELINE_INSTANCE_VARS: '{"branch":"main","env":"prod","num":9000}',
};

describe('buildInfo of an instanced pipeline', () => {
  it('links to the build of this instance, as Concourse writes BUILD_URL', () => {
    expect(buildInfo(CONCOURSE_CASE)).toEqual({
      url: 'https://www.example.com/teams/some-team/pipelines/some-pipeline-name/jobs/some-job-name/builds/42?vars.branch=%22main%22&vars.env=%22prod%22&vars.num=9000',
      label: 'some-team/some-pipeline-name/branch:main,env:prod,num:9000/some-job-name #42',
    });
  });

  it('flattens nested vars and encodes references and values as Go does', () => {
    const info = buildInfo({
      ...CONCOURSE_CASE,
      BUILD_NAME: '7',
      BUILD_PIPELINE_NAME: 'release',
      BUILD_PIPELINE_INSTANCE_VARS: JSON.stringify({
        tags: ['x', '<y>'],
        release: { line: '1.x' },
        'a.b': 'c d',
        empty: {},
      }),
    });
    expect(info.url).toBe(
      'https://www.example.com/teams/some-team/pipelines/release/jobs/some-job-name/builds/7' +
        '?vars.%22a.b%22=%22c+d%22&vars.release.line=%221.x%22' +
        '&vars.tags=%5B%22x%22%2C%22%5Cu003cy%5Cu003e%22%5D',
    );
    expect(info.label).toBe(
      'some-team/release/"a.b":"c d",release.line:1.x,tags:["x","\\u003cy\\u003e"]/some-job-name #7',
    );
  });

  it('quotes a value in the label that would not read back as the same string', () => {
    const label = (vars: Record<string, unknown>) =>
      buildInfo({ ...CONCOURSE_CASE, BUILD_PIPELINE_INSTANCE_VARS: JSON.stringify(vars) }).label;
    expect(label({ flag: 'true', n: '12', v: 'release-1.x' })).toBe(
      'some-team/some-pipeline-name/flag:"true",n:"12",v:release-1.x/some-job-name #42',
    );
    expect(label({ on: 'yes', t: true })).toBe(
      'some-team/some-pipeline-name/on:"yes",t:true/some-job-name #42',
    );
  });

  it('takes BUILD_URL as Concourse gives it', () => {
    const given = `${CONCOURSE_CASE.ATC_EXTERNAL_URL}/teams/t/pipelines/p/jobs/j/builds/1?vars.x=1`;
    expect(buildInfo({ ...CONCOURSE_CASE, BUILD_URL: given }).url).toBe(given);
  });

  it('links to the build by its id when the instance vars cannot be read', () => {
    expect(buildInfo({ ...CONCOURSE_CASE, BUILD_PIPELINE_INSTANCE_VARS: '{"branch":' }).url).toBe(
      'https://www.example.com/builds/1',
    );
  });

  it('is the plain job build link for a pipeline that is not instanced', () => {
    expect(buildInfo({ ...CONCOURSE_CASE, BUILD_PIPELINE_INSTANCE_VARS: undefined })).toEqual({
      url: 'https://www.example.com/teams/some-team/pipelines/some-pipeline-name/jobs/some-job-name/builds/42',
      label: 'some-team/some-pipeline-name/some-job-name #42',
    });
  });
});
