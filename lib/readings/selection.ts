// Which devices the fleet chart draws, kept in the URL next to the range: `?group=lab` for a group, or
// `?device=<id>&device=<id>` for a hand-picked set (which wins). Browser-safe.

import { HEALTH_STATES, type Health } from './health';

/** Lines on one chart before it stops being readable; the average still covers the whole selection. */
export const MAX_SERIES = 12;

export interface FleetSelection {
  group: string | null;
  deviceIds: string[];
}

type Search = Record<string, string | string[] | undefined>;

export function parseFleetSelection(search: Search | URLSearchParams): FleetSelection {
  const all = (key: string): string[] => {
    if (search instanceof URLSearchParams) return search.getAll(key);
    const value = search[key];
    return value === undefined ? [] : Array.isArray(value) ? value : [value];
  };
  const deviceIds = [...new Set(all('device').flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean))].slice(0, 100);
  const group = all('group')[0]?.trim() || null;
  return { group: deviceIds.length ? null : group, deviceIds };
}

/** Rows per page of the readings page's device table. */
export const FLEET_TABLE_PAGE_SIZE = 50;

/** How many of the devices outside their limits the fleet view lists (its count covers all of them). */
export const OUT_OF_LIMITS_SHOWN = 100;

/**
 * Which page of the fleet's device table to show, kept in the URL beside the selection: `?page=3`, `?health=late`
 * (one health state, as the health cards link), `?q=fridge` (a fragment of the name). Anything unreadable falls
 * back to the first page of every device: a bookmarked link never breaks the page.
 */
export interface FleetTableQuery {
  page: number;
  health: Health | null;
  q: string;
}

export function parseFleetTable(search: Search | URLSearchParams): FleetTableQuery {
  const first = (key: string): string => {
    const value = search instanceof URLSearchParams ? search.get(key) : search[key];
    return ((Array.isArray(value) ? value[0] : value) ?? '').trim();
  };
  const page = Number(first('page'));
  const health = first('health');
  return {
    page: Number.isSafeInteger(page) && page >= 1 ? page : 1,
    health: (HEALTH_STATES as readonly string[]).includes(health) ? (health as Health) : null,
    q: first('q').slice(0, 100),
  };
}
