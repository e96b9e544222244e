import type { ReactNode } from 'react';
import { Header } from '@/components/shell/header';
import { MobileNav, Sidebar } from '@/components/shell/sidebar';
import { can } from '@/lib/auth/permissions';
import { requireUser } from '@/lib/auth/session';
import { countOpenAlerts } from '@/lib/data/alerts';

/**
 * Signed-in pages. This redirect is a convenience, not the guard: pages render in parallel with
 * their layout, so each page and action checks its own permission too.
 */
export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const user = await requireUser();
  const alerts = can(user.role, 'alerts:view') ? await countOpenAlerts(user) : null;
  return (
    <div className="flex min-h-dvh">
      {/* The first Tab stop: past the sidebar and header straight to the page. */}
      <a
        href="#main"
        className="sr-only z-50 rounded-md bg-background px-3 py-2 text-sm font-medium text-foreground shadow focus:not-sr-only focus:fixed focus:top-2 focus:left-2 focus:ring-2 focus:ring-ring"
      >
        Skip to content
      </a>
      <Sidebar role={user.role} />
      <div className="flex min-w-0 flex-1 flex-col">
        <Header user={user} alerts={alerts} />
        <MobileNav role={user.role} />
        <main id="main" tabIndex={-1} className="mx-auto w-full max-w-7xl min-w-0 flex-1 px-4 py-6 focus:outline-none lg:px-8">
          {children}
        </main>
      </div>
    </div>
  );
}
