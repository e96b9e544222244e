import { describe, expect, it } from 'vitest';
import { isFiltered } from './is-filtered';

const base = { page: 3, perPage: 50, sort: 'name', dir: 'desc' as const, q: '' };

describe('isFiltered', () => {
  it('is false when only paging and sorting are set', () => {
    expect(isFiltered(base)).toBe(false);
    expect(isFiltered({ ...base, role: null })).toBe(false);
  });

  it('is true for a search or any filter, including a filter whose value is false', () => {
    expect(isFiltered({ ...base, q: 'ada' })).toBe(true);
    expect(isFiltered({ ...base, role: 'ADMIN' })).toBe(true);
    expect(isFiltered({ ...base, inUse: false })).toBe(true);
  });

  it('ignores the parameters a view keeps', () => {
    expect(isFiltered({ ...base, state: 'active' }, ['state'])).toBe(false);
    expect(isFiltered({ ...base, state: 'active' })).toBe(true);
  });
});
