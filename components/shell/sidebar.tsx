'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { cn } from '@/components/ui/cn';
import { can, type RoleName } from '@/lib/auth/permissions';
import { Logo } from './logo';
import { activeNavHref, NAV_ITEMS } from './nav-items';

export function Sidebar({ role }: { role: RoleName }) {
  const pathname = usePathname();
  const items = NAV_ITEMS.filter((item) => can(role, item.permission));
  const current = activeNavHref(pathname, items);

  return (
    <aside className="hidden w-60 shrink-0 flex-col border-r border-border bg-sidebar md:flex">
      <div className="flex h-14 items-center border-b border-border px-5">
        <Link href="/" className="rounded-md focus-visible:ring-2 focus-visible:ring-ring focus-visible:outline-none">
          <Logo />
        </Link>
      </div>
      <nav aria-label="Main" className="flex flex-1 flex-col gap-0.5 p-3">
        {items.map((item) => {
          const active = item.href === current;
          return (
            <Link
              key={item.href}
              href={item.href}
              aria-current={active ? 'page' : undefined}
              className={cn(
                'flex items-center gap-2.5 rounded-md px-2.5 py-2 text-sm font-medium transition-colors',
                'focus-visible:ring-2 focus-visible:ring-ring focus-visible:outline-none',
                active ? 'bg-primary/10 text-primary' : 'text-muted-foreground hover:bg-muted hover:text-foreground',
              )}
            >
              <item.icon aria-hidden className="size-4 shrink-0" />
              {item.label}
            </Link>
          );
        })}
      </nav>
    </aside>
  );
}

/** The same links for narrow screens, as a scrolling strip under the header. */
export function MobileNav({ role }: { role: RoleName }) {
  const pathname = usePathname();
  const items = NAV_ITEMS.filter((item) => can(role, item.permission));
  const current = activeNavHref(pathname, items);
  return (
    // The strip scrolls sideways; the fade at its right edge says there is more.
    <div className="relative border-b border-border md:hidden">
    <nav aria-label="Main (compact)" className="flex gap-1 overflow-x-auto px-3 py-2 pr-10">
      {items.map((item) => {
        const active = item.href === current;
        return (
          <Link
            key={item.href}
            href={item.href}
            aria-current={active ? 'page' : undefined}
            className={cn(
              'rounded-md px-2.5 py-1.5 text-sm font-medium whitespace-nowrap',
              active ? 'bg-primary/10 text-primary' : 'text-muted-foreground hover:bg-muted',
            )}
          >
            {item.label}
          </Link>
        );
      })}
    </nav>
      <span aria-hidden className="pointer-events-none absolute inset-y-0 right-0 w-10 bg-gradient-to-l from-background to-transparent" />
    </div>
  );
}
