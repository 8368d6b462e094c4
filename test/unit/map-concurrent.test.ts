import { describe, expect, it } from '@jest/globals';
import { mapConcurrent } from '../../src/io/concurrency.js';

describe('mapConcurrent', () => {
  it('keeps the order of the items and never runs more than the limit at once', async () => {
    let running = 0;
    let most = 0;
    const items = Array.from({ length: 50 }, (_, i) => i);
    const results = await mapConcurrent(items, 4, async (item) => {
      running++;
      most = Math.max(most, running);
      // Later items finish first: the order of the results must not follow completion.
      await new Promise((resolve) => setTimeout(resolve, (50 - item) % 7));
      running--;
      return item * 2;
    });
    expect(results).toEqual(items.map((item) => item * 2));
    expect(most).toBe(4);
  });

  it('rejects with the first failure and handles fewer items than the limit', async () => {
    await expect(
      mapConcurrent([1, 2, 3], 16, async (item) => {
        if (item === 2) throw new Error('two');
        return item;
      }),
    ).rejects.toThrow('two');
    expect(await mapConcurrent([], 16, async (item: number) => item)).toEqual([]);
  });
});
