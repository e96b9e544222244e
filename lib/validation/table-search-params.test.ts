import { describe, expect, it } from 'vitest';
import { pageWindow, parseTableSearch } from './table-search-params';

const options = { sortable: ['email', 'createdAt'] as const, defaultSort: 'email' as const };

describe('parseTableSearch', () => {
  it('fills defaults for an empty URL', () => {
    expect(parseTableSearch({}, options)).toEqual({ page: 1, perPage: 20, sort: 'email', dir: 'asc', q: '' });
  });

  it('reads valid values', () => {
    expect(parseTableSearch({ page: '3', perPage: '50', sort: 'createdAt', dir: 'desc', q: '  ada ' }, options)).toEqual({
      page: 3,
      perPage: 50,
      sort: 'createdAt',
      dir: 'desc',
      q: 'ada',
    });
  });

  it('falls back per field on hand-edited junk instead of failing', () => {
    expect(parseTableSearch({ page: '-2', perPage: '7', sort: 'passwordHash', dir: 'sideways', q: ['x', 'y'] }, options)).toEqual({
      page: 1,
      perPage: 20,
      sort: 'email',
      dir: 'asc',
      q: 'x',
    });
  });

  it('turns a page into skip/take', () => {
    expect(pageWindow({ page: 3, perPage: 20 })).toEqual({ skip: 40, take: 20 });
  });
});
