import { z } from 'zod';
import { PER_PAGE_OPTIONS } from './table-search-constants';

/**
 * The state of a server-paged table as it lives in the URL: `?page=2&perPage=20&sort=email&dir=asc&q=ada`.
 * Parsed once on the server into this typed object, which both the SQL query and the client table
 * read. A hand-edited or stale URL never fails: each bad value falls back to its default.
 */
export interface TableSearch<TSort extends string> {
  page: number;
  perPage: number;
  sort: TSort;
  dir: 'asc' | 'desc';
  q: string;
}

export type RawSearchParams = Record<string, string | string[] | undefined>;

/**
 * A URL query as route handlers hand it to their query schema (lib/server/route.ts): one string per key,
 * an array when the key repeats. `searchParamsOf(parse)` makes one of the lenient parsers here that schema.
 */
export const SearchParamsSchema = z.record(z.string(), z.union([z.string(), z.array(z.string())]));

export function searchParamsOf<T>(parse: (raw: RawSearchParams) => T) {
  return SearchParamsSchema.transform((raw) => parse(raw));
}

export function firstParam(raw: RawSearchParams, key: string): string | undefined {
  const value = raw[key];
  return Array.isArray(value) ? value[0] : value;
}

export function parseTableSearch<TSort extends string>(
  raw: RawSearchParams,
  options: { sortable: readonly [TSort, ...TSort[]]; defaultSort: TSort; defaultDir?: 'asc' | 'desc'; defaultPerPage?: number },
): TableSearch<TSort> {
  const defaultPerPage = options.defaultPerPage ?? 20;
  const schema = z.object({
    page: z.coerce.number().int().min(1).max(1_000_000).catch(1),
    perPage: z.coerce
      .number()
      .int()
      .refine((n) => (PER_PAGE_OPTIONS as readonly number[]).includes(n))
      .catch(defaultPerPage),
    sort: z.enum(options.sortable).catch(options.defaultSort),
    dir: z.enum(['asc', 'desc']).catch(options.defaultDir ?? 'asc'),
    q: z.string().trim().max(200).catch(''),
  });
  return schema.parse({
    page: firstParam(raw, 'page'),
    perPage: firstParam(raw, 'perPage'),
    sort: firstParam(raw, 'sort'),
    dir: firstParam(raw, 'dir'),
    q: firstParam(raw, 'q') ?? '',
  }) as TableSearch<TSort>;
}

/** `skip`/`take` for Prisma from a parsed page. */
export function pageWindow(search: Pick<TableSearch<string>, 'page' | 'perPage'>): { skip: number; take: number } {
  return { skip: (search.page - 1) * search.perPage, take: search.perPage };
}
