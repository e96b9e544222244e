/**
 * Cursor paging (the REST API's): a read asks for `limit + 1` rows ordered by id after the cursor; this
 * keeps `limit` of them and names the last one's id as the next cursor when there was one more (null on
 * the last page). Ordered by id, a page boundary never repeats or skips a row however many are added.
 */
export function cursorPage<T extends { id: string }>(rows: T[], limit: number): { rows: T[]; nextCursor: string | null } {
  const more = rows.length > limit;
  const page = more ? rows.slice(0, limit) : rows;
  return { rows: page, nextCursor: more ? page[page.length - 1]!.id : null };
}

/** The where-condition of the rows after `cursor` (none without one). */
export const afterCursor = (cursor: string | undefined) => (cursor ? [{ id: { gt: cursor } }] : []);
