import { Bell, CalendarClock, Cpu, FileKey2, Gauge, KeyRound, LockKeyhole, type LucideIcon, RefreshCw, ScrollText, Settings, ShieldCheck, Stethoscope, Thermometer, Users } from 'lucide-react';
import type { Permission } from '@/lib/auth/permissions';

export interface NavItem {
  href: string;
  label: string;
  icon: LucideIcon;
  /** The link is shown only to roles holding this; the page itself checks again. */
  permission: Permission;
}

export const NAV_ITEMS: readonly NavItem[] = [
  { href: '/', label: 'Overview', icon: Gauge, permission: 'dashboard:view' },
  { href: '/alerts', label: 'Alerts', icon: Bell, permission: 'alerts:view' },
  { href: '/devices', label: 'Devices', icon: Cpu, permission: 'device:view' },
  { href: '/certificates', label: 'Certificates', icon: ShieldCheck, permission: 'certificate:view' },
  { href: '/doctor', label: 'Certificate doctor', icon: Stethoscope, permission: 'certificate:diagnose' },
  { href: '/reconcile', label: 'Reconcile', icon: RefreshCw, permission: 'certificate:reconcile' },
  { href: '/est', label: 'EST enrollment', icon: KeyRound, permission: 'certificate:view' },
  { href: '/est/planner', label: 'Renewal planner', icon: CalendarClock, permission: 'certificate:view' },
  { href: '/mtls', label: 'mTLS hosts', icon: LockKeyhole, permission: 'mtls:view' },
  { href: '/custom-csrs', label: 'Custom CSRs', icon: FileKey2, permission: 'customcsr:view' },
  { href: '/readings', label: 'Readings', icon: Thermometer, permission: 'readings:view' },
  { href: '/audit', label: 'Audit log', icon: ScrollText, permission: 'audit:view' },
  { href: '/settings', label: 'Settings', icon: Settings, permission: 'settings:view' },
  { href: '/users', label: 'Users', icon: Users, permission: 'users:manage' },
];

export function isActive(pathname: string, href: string): boolean {
  return href === '/' ? pathname === '/' : pathname === href || pathname.startsWith(`${href}/`);
}

/** The item the page belongs to: the longest href that matches, so /est/planner is not also EST enrollment. */
export function activeNavHref(pathname: string, items: readonly Pick<NavItem, 'href'>[]): string | undefined {
  return items
    .filter((item) => isActive(pathname, item.href))
    .reduce<string | undefined>((best, item) => (best === undefined || item.href.length > best.length ? item.href : best), undefined);
}

