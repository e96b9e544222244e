/*
 * What the browser needs of a table's URL state, without zod: the page sizes the pagination offers.
 * The parsing (table-search-params.ts) stays on the server.
 */

export const PER_PAGE_OPTIONS = [10, 20, 50, 100] as const;
