/** The sandbox's notion of "now": real time, a caller's function, or a fixed time tests move. */
export interface Clock {
  now(): Date;
  /** Freezes time at `date` (null returns to the configured source). */
  set(date: Date | null): void;
  /** Moves time forward; freezes it first if it was running. */
  advance(milliseconds: number): void;
}

export function createClock(source: () => Date = () => new Date()): Clock {
  let fixed: Date | null = null;
  return {
    now: () => new Date((fixed ?? source()).getTime()),
    set(date) {
      fixed = date === null ? null : new Date(date.getTime());
    },
    advance(milliseconds) {
      fixed = new Date((fixed ?? source()).getTime() + milliseconds);
    },
  };
}
