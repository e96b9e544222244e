// Which devices the fleet chart draws, kept in the URL next to the range: `?group=lab` for a group, or
// `?device=<id>&device=<id>` for a hand-picked set (which wins). Browser-safe.

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
