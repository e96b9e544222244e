import type { ReactNode } from 'react';
import { Header } from '@/components/shell/header';
import { MobileNav, Sidebar } from '@/components/shell/sidebar';
import { requireUser } from '@/lib/auth/session';

/**
 * Signed-in pages. This redirect is a convenience, not the guard: pages render in parallel with
 * their layout, so each page and action checks its own permission too.
 */
export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const user = await requireUser();
  return (
    <div className="flex min-h-dvh">
      <Sidebar role={user.role} />
      <div className="flex min-w-0 flex-1 flex-col">
        <Header user={user} />
        <MobileNav role={user.role} />
        <main className="mx-auto w-full max-w-7xl flex-1 px-4 py-6 lg:px-8">{children}</main>
      </div>
    </div>
  );
}
