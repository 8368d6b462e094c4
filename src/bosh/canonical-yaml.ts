// Writes YAML byte-identical to gopkg.in/yaml.v2, the encoder the bosh CLI marshals release
// metadata with: block style, two-space indent, sequences inside mappings not indented, and a
// scalar quoted exactly when yaml.v2 would (encode.go stringv, resolve.go, emitterc.go).

/** A value the writer can emit: a string, a boolean, a sequence or an ordered mapping. */
export type YamlValue = string | boolean | readonly YamlValue[] | YamlMapping;

/** An ordered mapping: written in the order of its pairs. */
export interface YamlMapping {
  readonly pairs: ReadonlyArray<readonly [string, YamlValue]>;
}

/** How yaml.v2 writes a string scalar. */
type ScalarStyle = 'plain' | 'single-quoted' | 'double-quoted';

const BEST_INDENT = 2;
const BEST_WIDTH = 80;
// emitterc.go yaml_emitter_check_simple_key: longer keys are written as "? key".
const MAX_SIMPLE_KEY_BYTES = 128;

/** Builds an ordered mapping from its pairs. */
export function yamlMapping(pairs: ReadonlyArray<readonly [string, YamlValue]>): YamlMapping {
  return { pairs };
}

/** Writes a document the way yaml.v2's Marshal does: no `---`, a trailing newline. */
export function writeYaml(root: YamlMapping): string {
  const out = new Output();
  if (root.pairs.length === 0) {
    out.write('{}');
  } else {
    writeMappingPairs(out, root, 0, true);
  }
  out.write('\n');
  return out.text();
}

/** Orders strings by their UTF-8 bytes, as Go's sort.Strings does (not by UTF-16 units). */
export function compareBytewise(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      if (x >= 0xd800 && y >= 0xd800) return codePointRank(x) - codePointRank(y);
      return x - y;
    }
  }
  return a.length - b.length;
}

// Surrogates (code points above U+FFFF) sort after U+E000..U+FFFF in UTF-8 byte order.
function codePointRank(unit: number): number {
  if (unit >= 0xe000) return unit - 0x800;
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000;
  return unit;
}

/** The style yaml.v2 gives a string written as a block mapping key or value. */
export function scalarStyle(value: string): ScalarStyle {
  if (resolvesAsNonString(value) || isBase60Float(value)) return 'double-quoted';
  if (isPlainSafe(value)) return 'plain';
  const analysis = analyzeScalar(value);
  if (analysis.special) return 'double-quoted';
  if (analysis.blockIndicator || analysis.leadingOrTrailingSpace) return 'single-quoted';
  return 'plain';
}

/** Whether yaml.v2 would read the plain scalar as a bool, null, int, float or timestamp. */
export function resolvesAsNonString(value: string): boolean {
  if (value === '') return true;
  const hint = resolveHint(value.charAt(0));
  if (hint === undefined) return false;
  if (RESOLVE_MAP.has(value)) return true;
  switch (hint) {
    case 'map':
      return false;
    case 'dot':
      return isGoDecimalFloat(value);
    case 'number': {
      if (isYamlTimestamp(value)) return true;
      const plain = value.replaceAll('_', '');
      if (isGoInt(plain)) return true;
      if (YAML_STYLE_FLOAT.test(plain) && Number.isFinite(Number(plain))) return true;
      if (plain.startsWith('0b')) return isGoIntOfBase(plain.slice(2), 2);
      if (plain.startsWith('-0b')) return isGoIntOfBase(`-${plain.slice(3)}`, 2);
      return false;
    }
  }
}

// resolve.go resolveTable: the first character decides what a plain scalar may resolve to.
function resolveHint(first: string): 'number' | 'map' | 'dot' | undefined {
  if (first === '+' || first === '-' || (first >= '0' && first <= '9')) return 'number';
  if ('yYnNtTfFoO~'.includes(first)) return 'map';
  if (first === '.') return 'dot';
  return undefined;
}

const RESOLVE_MAP = new Set([
  ...['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON'],
  ...['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF'],
  ...['~', 'null', 'Null', 'NULL'],
  ...['.nan', '.NaN', '.NAN', '.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF'],
  ...['-.inf', '-.Inf', '-.INF'],
]);

// Hex digests, UUIDs, versions, "sha256:<hex>": no indicator, space or special character can
// make them need quotes (a ':' only matters before a space or at the end).
const PLAIN_SAFE = /^[0-9A-Za-z_./;=+~][0-9A-Za-z_./;=+~-]*(?::[0-9A-Za-z_./;=+~-]+)*$/;

function isPlainSafe(value: string): boolean {
  return PLAIN_SAFE.test(value) && !value.startsWith('...');
}

const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const BASE_60_FLOAT = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;

// encode.go isBase60Float: not resolved on the way in, but quoted on the way out.
function isBase60Float(value: string): boolean {
  return value.includes(':') && BASE_60_FLOAT.test(value);
}

const INT64_MAX = (1n << 63n) - 1n;
const UINT64_MAX = (1n << 64n) - 1n;

// The syntax strconv.ParseInt and ParseUint accept with base 0 (after yaml.v2 drops '_').
const GO_INT_SYNTAX = /^[-+]?(?:0[bB][01]+|0[oO][0-7]+|0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/;

// strconv.ParseInt(s, 0, 64) or strconv.ParseUint(s, 0, 64) succeeds (s has no underscores).
function isGoInt(text: string): boolean {
  if (!GO_INT_SYNTAX.test(text)) return false;
  let sign = '';
  let digits = text;
  if (digits.startsWith('+') || digits.startsWith('-')) {
    sign = digits.charAt(0);
    digits = digits.slice(1);
  }
  let base = 10;
  if (digits.startsWith('0')) {
    const prefix = digits.charAt(1).toLowerCase();
    if (digits.length >= 3 && (prefix === 'b' || prefix === 'o' || prefix === 'x')) {
      base = prefix === 'b' ? 2 : prefix === 'o' ? 8 : 16;
      digits = digits.slice(2);
    } else {
      base = 8;
      digits = digits.slice(1);
      if (digits === '') return true;
    }
  }
  const magnitude = parseDigits(digits, base);
  if (magnitude === undefined) return false;
  if (sign === '-') return magnitude <= INT64_MAX + 1n;
  if (sign === '+') return magnitude <= INT64_MAX;
  return magnitude <= UINT64_MAX;
}

// strconv.ParseInt(s, base, 64) with an explicit base (a sign allowed, no prefix).
function isGoIntOfBase(text: string, base: number): boolean {
  let digits = text;
  let negative = false;
  if (digits.startsWith('+') || digits.startsWith('-')) {
    negative = digits.startsWith('-');
    digits = digits.slice(1);
  }
  const magnitude = parseDigits(digits, base);
  if (magnitude === undefined) return false;
  return negative ? magnitude <= INT64_MAX + 1n : magnitude <= UINT64_MAX;
}

function parseDigits(digits: string, base: number): bigint | undefined {
  if (digits === '') return undefined;
  let value = 0n;
  for (const char of digits) {
    const digit = parseInt(char, 36);
    if (Number.isNaN(digit) || digit >= base) return undefined;
    value = value * BigInt(base) + BigInt(digit);
  }
  return value;
}

// strconv.ParseFloat for a scalar starting with '.': decimal digits, an optional exponent and
// Go's underscore rule (between digits only); a value out of range is an error, not a float.
function isGoDecimalFloat(text: string): boolean {
  if (!/^\.[0-9_]*[0-9][0-9_]*(?:[eE][-+]?[0-9][0-9_]*)?$/.test(text)) return false;
  if (text.includes('_') && !goUnderscoresOk(text)) return false;
  return Number.isFinite(Number(text.replaceAll('_', '')));
}

function goUnderscoresOk(text: string): boolean {
  let saw: 'start' | 'digit' | 'underscore' | 'other' = 'start';
  for (const char of text) {
    if (char >= '0' && char <= '9') saw = 'digit';
    else if (char === '_') {
      if (saw !== 'digit') return false;
      saw = 'underscore';
    } else {
      if (saw === 'underscore') return false;
      saw = 'other';
    }
  }
  return saw !== 'underscore';
}

// resolve.go parseTimestamp: the formats yaml.v2 tries with Go's time.Parse.
const TIMESTAMP_FORMATS = [
  /^(\d{4})-(\d{1,2})-(\d{1,2})[Tt](\d{1,2}):(\d{1,2}):(\d{1,2})(?:[.,]\d+)?(?:Z|[-+](\d{2}):(\d{2}))$/,
  /^(\d{4})-(\d{1,2})-(\d{1,2}) +(\d{1,2}):(\d{1,2}):(\d{1,2})(?:[.,]\d+)?$/,
  /^(\d{4})-(\d{1,2})-(\d{1,2})$/,
];

function isYamlTimestamp(text: string): boolean {
  if (!/^\d{4}-/.test(text)) return false;
  return TIMESTAMP_FORMATS.some((format) => {
    const match = format.exec(text);
    if (match === null) return false;
    const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number);
    if (year === undefined || month === undefined || day === undefined) return false;
    if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return false;
    if (hour !== undefined && !Number.isNaN(hour) && hour >= 24) return false;
    if (minute !== undefined && !Number.isNaN(minute) && minute >= 60) return false;
    if (second !== undefined && !Number.isNaN(second) && second >= 60) return false;
    return true;
  });
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

interface ScalarAnalysis {
  special: boolean;
  blockIndicator: boolean;
  leadingOrTrailingSpace: boolean;
}

// emitterc.go yaml_emitter_analyze_scalar, for a single-line scalar in block context.
function analyzeScalar(value: string): ScalarAnalysis {
  const chars = Array.from(value);
  let blockIndicator = value.startsWith('---') || value.startsWith('...');
  let special = false;
  let precededByWhitespace = true;
  chars.forEach((char, index) => {
    const next = chars[index + 1];
    const followedByWhitespace = next === undefined || next === ' ' || next === '\t';
    if (index === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(char)) blockIndicator = true;
      if ((char === '?' || char === ':' || char === '-') && followedByWhitespace) {
        blockIndicator = true;
      }
    } else if ((char === ':' && followedByWhitespace) || (char === '#' && precededByWhitespace)) {
      blockIndicator = true;
    }
    if (!isPrintable(char)) special = true;
    precededByWhitespace = char === ' ' || char === '\t' || isBreak(char) || char === '\0';
  });
  const leadingOrTrailingSpace = value.startsWith(' ') || value.endsWith(' ');
  return { special, blockIndicator, leadingOrTrailingSpace };
}

// yamlprivateh.go is_printable, by code point.
function isPrintable(char: string): boolean {
  const code = char.codePointAt(0) ?? 0;
  return (
    code === 0x0a ||
    (code >= 0x20 && code <= 0x7e) ||
    (code >= 0xa0 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd && code !== 0xfeff)
  );
}

function isBreak(char: string): boolean {
  return (
    char === '\r' || char === '\n' || char === '\u0085' || char === '\u2028' || char === '\u2029'
  );
}

class Output {
  // V8 appends to a string without copying (a rope), flattened once when the text is used.
  private buffer = '';
  private readonly indents: string[] = [];
  column = 0;

  write(text: string): void {
    this.append(text);
    // Columns count characters, as the emitter does; a surrogate pair is one.
    this.column += /[\ud800-\udfff]/.test(text) ? Array.from(text).length : text.length;
  }

  writeAscii(text: string): void {
    this.append(text);
    this.column += text.length;
  }

  writeChar(char: string): void {
    this.append(char);
    this.column += 1;
  }

  newline(indent: number): void {
    let prefix = this.indents[indent];
    if (prefix === undefined) this.indents[indent] = prefix = `\n${' '.repeat(indent)}`;
    this.append(prefix);
    this.column = indent;
  }

  text(): string {
    return this.buffer;
  }

  private append(text: string): void {
    this.buffer += text;
  }
}

function writeMappingPairs(
  out: Output,
  mapping: YamlMapping,
  indent: number,
  firstOnCurrentLine: boolean,
): void {
  mapping.pairs.forEach(([key, value], index) => {
    if (index > 0 || !firstOnCurrentLine) out.newline(indent);
    if (key.length * 3 > MAX_SIMPLE_KEY_BYTES && Buffer.byteLength(key) > MAX_SIMPLE_KEY_BYTES) {
      writeComplexPair(out, key, value, indent);
      return;
    }
    writeScalar(out, key, {
      indent: indent + BEST_INDENT,
      allowBreaks: false,
      leadingSpace: false,
    });
    out.writeAscii(':');
    writeValue(out, value, indent);
  });
}

// "? key" then ": value" on the next line, as yaml.v2 writes a key too long to be a simple key.
function writeComplexPair(out: Output, key: string, value: YamlValue, indent: number): void {
  out.write('?');
  writeScalar(out, key, { indent: indent + BEST_INDENT, allowBreaks: true, leadingSpace: true });
  out.newline(indent);
  out.writeAscii(':');
  if (typeof value === 'string' || typeof value === 'boolean') {
    writeScalarOrBool(out, value, indent + BEST_INDENT);
  } else if (isSequence(value)) {
    throw new Error('cannot write a sequence as the value of a long mapping key');
  } else if (value.pairs.length === 0) {
    out.writeAscii(' {}');
  } else {
    out.write(' ');
    writeMappingPairs(out, value, indent + BEST_INDENT, true);
  }
}

// A value after "key:"; a sequence in a mapping is not indented (yaml.v2's indentless style).
function writeValue(out: Output, value: YamlValue, indent: number): void {
  if (typeof value === 'string' || typeof value === 'boolean') {
    writeScalarOrBool(out, value, indent + BEST_INDENT);
  } else if (isSequence(value)) {
    if (value.length === 0) out.writeAscii(' []');
    else writeSequenceItems(out, value, indent);
  } else if (value.pairs.length === 0) {
    out.writeAscii(' {}');
  } else {
    writeMappingPairs(out, value, indent + BEST_INDENT, false);
  }
}

function writeSequenceItems(out: Output, items: readonly YamlValue[], indent: number): void {
  for (const item of items) {
    out.newline(indent);
    out.writeAscii('-');
    if (typeof item === 'string' || typeof item === 'boolean') {
      writeScalarOrBool(out, item, indent + BEST_INDENT);
    } else if (isSequence(item)) {
      if (item.length > 0) throw new Error('cannot write a sequence nested in a sequence');
      out.writeAscii(' []');
    } else if (item.pairs.length === 0) {
      out.writeAscii(' {}');
    } else {
      out.writeAscii(' ');
      writeMappingPairs(out, item, indent + BEST_INDENT, true);
    }
  }
}

function isSequence(value: YamlValue): value is readonly YamlValue[] {
  return Array.isArray(value);
}

function writeScalarOrBool(out: Output, value: string | boolean, indent: number): void {
  if (typeof value === 'boolean') out.writeAscii(value ? ' true' : ' false');
  else writeScalar(out, value, { indent, allowBreaks: true, leadingSpace: true });
}

interface ScalarPlacement {
  /** Where a folded line continues. */
  indent: number;
  /** Long lines fold at spaces, except in keys. */
  allowBreaks: boolean;
  /** A space separates the scalar from the indicator before it. */
  leadingSpace: boolean;
}

// emitterc.go yaml_emitter_write_{plain,single_quoted,double_quoted}_scalar.
function writeScalar(out: Output, value: string, placement: ScalarPlacement): void {
  // Most scalars (digests, IDs, versions) are ASCII, unquoted and too short to fold.
  if (isPlainSafe(value) && !resolvesAsNonString(value) && !isBase60Float(value)) {
    out.writeAscii(placement.leadingSpace ? ` ${value}` : value);
    return;
  }
  if (/[\r\n\u0085\u2028\u2029]/.test(value)) {
    throw new Error('cannot write a scalar that contains a line break');
  }
  const style = scalarStyle(value);
  if (placement.leadingSpace) out.write(' ');
  if (style === 'plain' && !value.includes(' ')) {
    out.write(value);
    return;
  }
  const chars = Array.from(value);
  const last = chars.length - 1;
  const canFold = (index: number): boolean =>
    placement.allowBreaks && out.column > BEST_WIDTH && chars[index + 1] !== ' ';
  let spaces = false;
  if (style === 'plain') {
    chars.forEach((char, index) => {
      if (char === ' ') {
        if (!spaces && canFold(index)) out.newline(placement.indent);
        else out.writeChar(char);
        spaces = true;
      } else {
        out.writeChar(char);
        spaces = false;
      }
    });
  } else if (style === 'single-quoted') {
    out.write("'");
    chars.forEach((char, index) => {
      if (char === ' ') {
        if (!spaces && index > 0 && index < last && canFold(index)) out.newline(placement.indent);
        else out.writeChar(char);
        spaces = true;
      } else {
        out.write(char === "'" ? "''" : char);
        spaces = false;
      }
    });
    out.write("'");
  } else {
    out.write('"');
    chars.forEach((char, index) => {
      if (char === ' ') {
        if (
          !spaces &&
          index > 0 &&
          index < last &&
          placement.allowBreaks &&
          out.column > BEST_WIDTH
        ) {
          out.newline(placement.indent);
          if (chars[index + 1] === ' ') out.write('\\');
        } else {
          out.writeChar(char);
        }
        spaces = true;
      } else {
        out.write(needsEscape(char) ? escape(char) : char);
        spaces = false;
      }
    });
    out.write('"');
  }
}

function needsEscape(char: string): boolean {
  return !isPrintable(char) || char === '"' || char === '\\';
}

const SHORT_ESCAPES = new Map<number, string>([
  [0x00, '0'],
  [0x07, 'a'],
  [0x08, 'b'],
  [0x09, 't'],
  [0x0a, 'n'],
  [0x0b, 'v'],
  [0x0c, 'f'],
  [0x0d, 'r'],
  [0x1b, 'e'],
  [0x22, '"'],
  [0x5c, '\\'],
  [0x85, 'N'],
  [0xa0, '_'],
  [0x2028, 'L'],
  [0x2029, 'P'],
]);

function escape(char: string): string {
  const code = char.codePointAt(0) ?? 0;
  const short = SHORT_ESCAPES.get(code);
  if (short !== undefined) return `\\${short}`;
  const hex = code.toString(16).toUpperCase();
  if (code <= 0xff) return `\\x${hex.padStart(2, '0')}`;
  if (code <= 0xffff) return `\\u${hex.padStart(4, '0')}`;
  return `\\U${hex.padStart(8, '0')}`;
}
