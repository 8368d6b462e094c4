// GitHub's limits on a PR's texts, and a body fitted to them.

// GitHub's limits, in characters (code points): "body is too long (maximum is 65536 characters)"
// (https://github.com/renovatebot/renovate/issues/2032), "title is too long (maximum is 256
// characters)" (https://github.com/googleapis/repo-automation-bots/issues/1895). A body over the
// limit is a 422, so every re-run of a put would fail the same way, its lock branch pushed.
export const MAX_TITLE_CHARACTERS = 256;
export const MAX_BODY_CHARACTERS = 65_536;
/**
 * What a body keeps for the resource's own text (the summary, the link to the build, the lock
 * note, the machine-readable block, and the line saying how much a list left out): a user text
 * may fill the rest, and the lists of builds and indexes are shortened to what fits.
 */
export const RESERVED_BODY_CHARACTERS = 4_096;

/** Characters as GitHub counts them: Unicode code points. */
export function characters(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    // A high surrogate followed by a low one is one character.
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    count++;
  }
  return count;
}

/** A list in a body that may be cut short: the items that fit, then `more(left)`. */
interface Shortenable {
  head: string;
  items: readonly string[];
  separator: string;
  tail: string;
  more: (left: number) => string;
}

/** A paragraph of a body: fixed text, or a list that may be shortened. */
export type Piece = string | Shortenable;

/**
 * The body: the user's text, then the pieces, one paragraph each — whole when that fits GitHub's
 * limit, else with each list (in order) keeping as many items as fit. renderPullText refuses a
 * user text longer than the limit less RESERVED_BODY_CHARACTERS; should the resource's own
 * text still leave no room (names and URLs of absurd length), the user text is cut short.
 */
export function fitBody(intro: string | undefined, pieces: readonly Piece[]): string {
  const user = intro?.trim() ?? '';
  const render = (text: string, kept: readonly number[]): string => {
    let list = 0;
    const paragraphs = pieces.map((piece) => {
      if (typeof piece === 'string') return piece;
      const keep = kept[list++] ?? piece.items.length;
      const left = piece.items.length - keep;
      const shown = piece.items.slice(0, keep);
      if (left > 0) shown.push(piece.more(left));
      return `${piece.head}${shown.join(piece.separator)}${piece.tail}`;
    });
    return `${[...(text === '' ? [] : [text]), ...paragraphs].join('\n\n')}\n`;
  };
  const lists = pieces.filter((piece): piece is Shortenable => typeof piece !== 'string');
  const whole = render(user, []);
  if (characters(whole) <= MAX_BODY_CHARACTERS) return whole;

  const none = lists.map(() => 0);
  let text = user;
  const over = characters(render(text, none)) - MAX_BODY_CHARACTERS;
  if (over > 0) {
    const note = '\n\n*(shortened: a PR body holds at most 65,536 characters)*';
    text = `${Array.from(text)
      .slice(0, Math.max(0, characters(text) - over - characters(note)))
      .join('')}${note}`;
  }
  // Room for items, measured with every list empty (its "more" line then names the most).
  let room = MAX_BODY_CHARACTERS - characters(render(text, none));
  const kept = lists.map((list) => {
    let keep = 0;
    for (const item of list.items) {
      const cost = characters(item) + characters(list.separator);
      if (cost > room) break;
      room -= cost;
      keep++;
    }
    return keep;
  });
  return render(text, kept);
}
