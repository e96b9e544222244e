import { describe, expect, it } from 'vitest';
import { can } from '@/lib/auth/permissions';
import { activeNavHref, NAV_ITEMS } from './nav-items';

describe('activeNavHref', () => {
  it('marks the most specific entry: the planner, not EST enrollment, on /est/planner', () => {
    expect(activeNavHref('/est/planner', NAV_ITEMS)).toBe('/est/planner');
    expect(activeNavHref('/est', NAV_ITEMS)).toBe('/est');
    expect(activeNavHref('/devices/abc/renew', NAV_ITEMS)).toBe('/devices');
    expect(activeNavHref('/', NAV_ITEMS)).toBe('/');
    expect(activeNavHref('/estimates', NAV_ITEMS)).toBeUndefined();
  });

  it('shows the planner to every role that may open it (the page checks certificate:view)', () => {
    const planner = NAV_ITEMS.find((i) => i.href === '/est/planner')!;
    expect(planner.permission).toBe('certificate:view');
    expect((['ADMIN', 'SUPPORT', 'MANAGER'] as const).filter((r) => can(r, planner.permission))).toEqual(['ADMIN', 'SUPPORT', 'MANAGER']);
  });
});
