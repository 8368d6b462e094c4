import { UserError } from '../errors.js';

// BOSH release versions follow cppforlife/go-semi-semantic (version/version.go,
// version_segment.go, ver_seg_comp_int.go, ver_seg_comp_str.go), not semver: any number of
// dot-separated components, a component of digits is a number unless it starts with a zero and
// has more digits ("01" and "00" are text: ver_seg_comp_int.go since commit 70cddd4, in the
// 576b6af that bosh-cli's go.mod pins), anything else of [0-9A-Za-z_-] is text, numbers sort
// before text, and missing trailing components count as zeros.

/** One dot-separated piece of a version segment. */
export type VersionComponent =
  | { readonly kind: 'number'; readonly value: bigint }
  | { readonly kind: 'text'; readonly value: string };

/** A parsed BOSH version: `release[-preRelease][+postRelease]`. */
export interface BoshVersion {
  readonly text: string;
  readonly release: readonly VersionComponent[];
  readonly preRelease: readonly VersionComponent[];
  readonly postRelease: readonly VersionComponent[];
}

const VERSION_PATTERN =
  /^(?<release>[0-9A-Za-z_.]+)(?:-(?<pre>[0-9A-Za-z_\-.]+))?(?:\+(?<post>[0-9A-Za-z_\-.]+))?$/;
const NUMBER_COMPONENT = /^(?:0|[1-9][0-9]*)$/;
const TEXT_COMPONENT = /^[0-9A-Za-z_-]+$/;
// Go's strconv.Atoi range: go-semi-semantic rejects what does not fit an int.
const MAX_COMPONENT = (1n << 63n) - 1n;

/** The first release's version when the index has none (bosh-cli releasedir DefaultFinalVersion). */
export const FIRST_FINAL_VERSION = '1';

/** Parses a BOSH version, or throws a UserError naming where it was found. */
export function parseBoshVersion(text: string, where?: string): BoshVersion {
  const version = tryParseBoshVersion(text);
  if (version === undefined) {
    const place = where === undefined ? '' : ` in ${where}`;
    throw new UserError(
      `version ${JSON.stringify(text)}${place} is not a BOSH version: expected release[-pre][+post], ` +
        'dot-separated components of letters, digits, "_" (and "-" after the release part); fix the version',
    );
  }
  return version;
}

/** Parses a BOSH version, or returns undefined when the text is not one. */
export function tryParseBoshVersion(text: string): BoshVersion | undefined {
  const groups = VERSION_PATTERN.exec(text)?.groups;
  if (groups === undefined) return undefined;
  const release = parseSegment(groups.release);
  const preRelease = groups.pre === undefined ? [] : parseSegment(groups.pre);
  const postRelease = groups.post === undefined ? [] : parseSegment(groups.post);
  if (release === undefined || preRelease === undefined || postRelease === undefined) {
    return undefined;
  }
  return { text, release, preRelease, postRelease };
}

function parseSegment(text: string | undefined): VersionComponent[] | undefined {
  if (text === undefined) return undefined;
  const components: VersionComponent[] = [];
  for (const piece of text.split('.')) {
    if (NUMBER_COMPONENT.test(piece)) {
      const value = BigInt(piece);
      if (value > MAX_COMPONENT) return undefined;
      components.push({ kind: 'number', value });
    } else if (TEXT_COMPONENT.test(piece)) {
      components.push({ kind: 'text', value: piece });
    } else {
      return undefined;
    }
  }
  return components;
}

/** Orders two versions: negative, zero (BOSH-equal, e.g. `1` and `1.0`) or positive. */
export function compareBoshVersions(a: BoshVersion | string, b: BoshVersion | string): number {
  const left = typeof a === 'string' ? parseBoshVersion(a) : a;
  const right = typeof b === 'string' ? parseBoshVersion(b) : b;
  const release = compareSegments(left.release, right.release);
  if (release !== 0) return release;
  const pre = compareSuffix(left.preRelease, right.preRelease, 1);
  if (pre !== 0) return pre;
  return compareSuffix(left.postRelease, right.postRelease, -1);
}

/** Whether two versions are equal under BOSH ordering (`3` equals `3.0`). */
export function boshVersionsEqual(a: BoshVersion | string, b: BoshVersion | string): boolean {
  return compareBoshVersions(a, b) === 0;
}

/** Orders two version texts: in BOSH order, or as text when either is not a BOSH version. */
export function compareVersionTexts(a: string, b: string): number {
  const left = tryParseBoshVersion(a);
  const right = tryParseBoshVersion(b);
  if (left === undefined || right === undefined) return a < b ? -1 : a > b ? 1 : 0;
  return compareBoshVersions(left, right);
}

/** Whether two version texts name one version: BOSH-equal, or the same text when either is not a BOSH version. */
export function sameBoshVersion(a: string, b: string): boolean {
  const left = tryParseBoshVersion(a);
  const right = tryParseBoshVersion(b);
  return left === undefined || right === undefined ? a === b : boshVersionsEqual(left, right);
}

// A version without a pre-release sorts after one with it; without a post-release, before.
function compareSuffix(
  a: readonly VersionComponent[],
  b: readonly VersionComponent[],
  whenOnlyOtherHasIt: number,
): number {
  if (a.length === 0 && b.length === 0) return 0;
  if (a.length === 0) return whenOnlyOtherHasIt;
  if (b.length === 0) return -whenOnlyOtherHasIt;
  return compareSegments(a, b);
}

function compareSegments(a: readonly VersionComponent[], b: readonly VersionComponent[]): number {
  const length = Math.max(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined || y === undefined) {
      // Extra trailing components only count when they are not all zeros.
      const rest = (x === undefined ? b : a).slice(i);
      const allZeros = rest.every((c) => c.kind === 'number' && c.value === 0n);
      return allZeros ? 0 : x === undefined ? -1 : 1;
    }
    const comparison = compareComponents(x, y);
    if (comparison !== 0) return comparison;
  }
  return 0;
}

function compareComponents(x: VersionComponent, y: VersionComponent): number {
  if (x.kind === 'number' && y.kind === 'number') {
    return x.value < y.value ? -1 : x.value > y.value ? 1 : 0;
  }
  if (x.kind === 'number') return -1;
  if (y.kind === 'number') return 1;
  return x.value < y.value ? -1 : x.value > y.value ? 1 : 0;
}

/** The highest of the versions under BOSH ordering, or undefined for none. */
export function highestBoshVersion(versions: Iterable<BoshVersion>): BoshVersion | undefined {
  let highest: BoshVersion | undefined;
  for (const version of versions) {
    if (highest === undefined || compareBoshVersions(version, highest) > 0) highest = version;
  }
  return highest;
}

/**
 * The version `bosh create-release --final` picks next: the highest existing version with its
 * last release component incremented and suffixes dropped, or `1` for none.
 */
export function nextFinalVersion(versions: Iterable<BoshVersion>): string {
  const highest = highestBoshVersion(versions);
  if (highest === undefined) return FIRST_FINAL_VERSION;
  const last = highest.release[highest.release.length - 1];
  if (last === undefined || last.kind !== 'number' || last.value >= MAX_COMPONENT) {
    throw new UserError(
      `cannot compute the version after ${highest.text}: its last release component must be a number; ` +
        'pass the version explicitly',
    );
  }
  const incremented: VersionComponent[] = [
    ...highest.release.slice(0, -1),
    { kind: 'number', value: last.value + 1n },
  ];
  return incremented.map((c) => c.value.toString()).join('.');
}
