import Link from 'next/link';
import { cn } from '@/components/ui/cn';
import { can, type RoleName } from '@/lib/auth/permissions';

const TABS = [
  { href: '/alerts', label: 'Alerts' },
  { href: '/alerts/rules', label: 'Rules' },
  { href: '/alerts/channels', label: 'Channels' },
] as const;

/** The Alerts section's tabs; rules and channels only for roles that configure them. */
export function AlertsNav({ role, current }: { role: RoleName; current: (typeof TABS)[number]['href'] }) {
  if (!can(role, 'alerts:configure')) return null;
  return (
    <nav aria-label="Alerts sections" className="mb-4 flex gap-1 border-b border-border">
      {TABS.map((tab) => (
        <Link
          key={tab.href}
          href={tab.href}
          aria-current={tab.href === current ? 'page' : undefined}
          className={cn(
            '-mb-px border-b-2 px-3 py-2 text-sm font-medium',
            tab.href === current ? 'border-primary text-foreground' : 'border-transparent text-muted-foreground hover:text-foreground',
          )}
        >
          {tab.label}
        </Link>
      ))}
    </nav>
  );
}
