import { describe, expect, it } from 'vitest';
import { paginate, parseListQuery } from './pagination.js';

describe('parseListQuery', () => {
  const opts = { sortable: ['username', 'createdAt'], filterable: ['isAdmin', 'event'] };

  it('reads page, limit, sort, filters and search', () => {
    expect(
      parseListQuery(
        {
          'pagination[page]': '2',
          'pagination[limit]': '5',
          'sort[column]': 'username',
          'sort[direction]': 'DESC',
          'filters[isAdmin]': 'true',
          'filters[event][]': ['SIGN_IN', 'TOKEN_SIGN_IN'],
          'filters[secret]': 'x',
          search: ' ada ',
        },
        opts,
      ),
    ).toEqual({
      page: 2,
      limit: 5,
      sort: { column: 'username', direction: 'desc' },
      filters: { isAdmin: [true], event: ['SIGN_IN', 'TOKEN_SIGN_IN'] },
      search: 'ada',
    });
  });

  it('clamps limits and ignores unsortable columns', () => {
    expect(
      parseListQuery(
        { 'pagination[limit]': '500', 'pagination[page]': '0', 'sort[column]': 'password' },
        opts,
      ),
    ).toEqual({
      page: 1,
      limit: 100,
      filters: {},
    });
    expect(parseListQuery({ 'pagination[limit]': '0' }, opts).limit).toBe(20);
  });

  it('falls back to every default, filters included, when page does not parse', () => {
    expect(parseListQuery({ 'pagination[page]': 'two', 'filters[isAdmin]': 'true' }, opts)).toEqual({
      page: 1,
      limit: 20,
      filters: {},
    });
  });
});

describe('paginate', () => {
  const items = Array.from({ length: 45 }, (_, i) => i);
  const load = async (offset: number, limit: number) => items.slice(offset, offset + limit);

  it('answers the last page for a page past the end', async () => {
    const page = await paginate({ page: 9, limit: 20, filters: {} }, async () => 45, load);
    expect(page.pagination).toEqual({ totalPages: 3, totalItems: 45, currentPage: 3, itemsPerPage: 20 });
    expect(page.data).toEqual([40, 41, 42, 43, 44]);
  });

  it('reports one page for an empty list', async () => {
    const page = await paginate({ page: 1, limit: 20, filters: {} }, async () => 0, load);
    expect(page).toEqual({
      data: [],
      pagination: { totalPages: 1, totalItems: 0, currentPage: 1, itemsPerPage: 20 },
    });
  });
});
