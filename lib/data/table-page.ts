import { pageWindow, type TableSearch } from '@/lib/validation/table-search-params';

type Order = Record<string, 'asc' | 'desc'>;

/**
 * One page of a dashboard table (page numbers, not cursors) and how many rows match in all, read together.
 * Rows are sorted by the table's column, then by `tieBreak`, then by id, so a page boundary never shows a
 * row twice or skips one. `read` and `count` apply the same filter.
 */
export async function tablePage<Row>(
  search: TableSearch<string>,
  read: (page: { orderBy: Order[]; skip: number; take: number }) => Promise<Row[]>,
  count: () => Promise<number>,
  tieBreak: Order[] = [],
): Promise<{ rows: Row[]; total: number }> {
  const [rows, total] = await Promise.all([read({ orderBy: [{ [search.sort]: search.dir }, ...tieBreak, { id: 'asc' }], ...pageWindow(search) }), count()]);
  return { rows, total };
}
