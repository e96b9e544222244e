/** URL state that pages and sorts a list rather than narrowing it. */
const NOT_FILTERS = new Set(['page', 'perPage', 'sort', 'dir']);

/**
 * Whether a list's parsed URL state narrows it: any search or filter is set. `keep` names state
 * that selects a view rather than filters it (the alert tab), the same parameters "Clear filters" keeps.
 */
export function isFiltered(search: object, keep: readonly string[] = []): boolean {
  return Object.entries(search).some(([key, value]) => !NOT_FILTERS.has(key) && !keep.includes(key) && value !== null && value !== '');
}
