/** How many files the steps read or write at once (see mapConcurrent). */
export const FILE_CONCURRENCY = 16;

/**
 * `fn` over `items` with at most `limit` calls running at once; results in the items' order.
 * For file I/O over hundreds of files: concurrent enough to keep the disk busy, bounded so that a
 * release with thousands of manifests does not open thousands of files at once.
 */
export async function mapConcurrent<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
