import type { QueryValue } from './route.js';

/**
 * Pocket ID's list conventions (pocket-id-api.md §1.3), parsed leniently as Pocket ID does: bad values
 * fall back to defaults instead of failing the request.
 */
export interface ListQuery {
  page: number;
  limit: number;
  sort?: { column: string; direction: 'asc' | 'desc' };
  /** `filters[<field>]`, `filters[<field>][]`, `filters[<field>][n]`; values coerced to bool/number/string. */
  filters: Record<string, (string | number | boolean)[]>;
  search?: string;
}

export interface Page<T> {
  data: T[];
  pagination: { totalPages: number; totalItems: number; currentPage: number; itemsPerPage: number };
}

function first(value: QueryValue | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function coerce(value: string): string | number | boolean {
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (/^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  return value;
}

/**
 * Reads `pagination[page]`, `pagination[limit]`, `sort[column]`, `sort[direction]`, `filters[…]` and
 * `search`. Only columns in `sortable` and `filterable` are kept. If page, limit or sort fail to parse,
 * every option falls back to its default, filters included (as Pocket ID does).
 */
export function parseListQuery(
  query: Record<string, QueryValue>,
  options: { sortable: readonly string[]; filterable?: readonly string[] },
): ListQuery {
  const defaults: ListQuery = { page: 1, limit: 20, filters: {} };
  const pageText = first(query['pagination[page]']);
  const limitText = first(query['pagination[limit]']);
  if (
    (pageText !== undefined && !/^-?\d+$/.test(pageText)) ||
    (limitText !== undefined && !/^-?\d+$/.test(limitText))
  ) {
    return defaults;
  }
  let page = pageText === undefined ? 1 : Number(pageText);
  let limit = limitText === undefined ? 20 : Number(limitText);
  if (page < 1) page = 1;
  if (limit < 1) limit = 20;
  if (limit > 100) limit = 100;
  const result: ListQuery = { page, limit, filters: {} };
  const column = first(query['sort[column]']);
  if (column && options.sortable.includes(column)) {
    const direction = (first(query['sort[direction]']) ?? 'asc').toLowerCase() === 'desc' ? 'desc' : 'asc';
    result.sort = { column, direction };
  }
  const filterable = options.filterable ?? [];
  for (const [key, value] of Object.entries(query)) {
    const match = /^filters\[([^\]]+)\](?:\[\d*\])?$/.exec(key);
    if (!match || !filterable.includes(match[1]!)) continue;
    const values = (Array.isArray(value) ? value : [value]).map(coerce);
    (result.filters[match[1]!] ??= []).push(...values);
  }
  const search = first(query.search)?.trim();
  if (search) result.search = search;
  return result;
}

/**
 * Builds the envelope. A page past the last one answers the last page (Pocket ID), so `load` receives
 * the clamped page; `totalPages` is 1 for an empty list.
 */
export async function paginate<T>(
  list: ListQuery,
  count: () => Promise<number>,
  load: (offset: number, limit: number) => Promise<T[]>,
): Promise<Page<T>> {
  const totalItems = await count();
  const totalPages = Math.max(1, Math.ceil(totalItems / list.limit));
  const currentPage = Math.min(list.page, totalPages);
  const data = totalItems === 0 ? [] : await load((currentPage - 1) * list.limit, list.limit);
  return { data, pagination: { totalPages, totalItems, currentPage, itemsPerPage: list.limit } };
}
