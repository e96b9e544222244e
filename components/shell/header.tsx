import Link from 'next/link';
import { RoleBadge } from '@/components/ui/badge';
import type { SessionUser } from '@/lib/auth/errors';
import { AlertsBell } from './alerts-bell';
import { Logo } from './logo';
import { SignOutButton } from './sign-out-button';
import { ThemeToggle } from './theme-toggle';

/** `alerts`: the open count for the bell, when the user may view alerts. */
export function Header({ user, alerts }: { user: SessionUser; alerts: { open: number; critical: number } | null }) {
  return (
    <header className="flex h-14 shrink-0 items-center justify-between gap-2 sm:gap-4 border-b border-border bg-background px-4 lg:px-6">
      <Link href="/" className="md:hidden">
        <Logo />
      </Link>
      <div className="hidden md:block" />
      <div className="flex shrink-0 items-center gap-1 sm:gap-2">
        <div className="flex items-center gap-2 pr-1 text-sm" data-testid="current-user">
          <span className="hidden font-medium sm:inline" title={user.email}>
            {user.name}
          </span>
          <RoleBadge role={user.role} />
        </div>
        {alerts ? <AlertsBell initial={alerts} /> : null}
        <ThemeToggle />
        <SignOutButton compact />
      </div>
    </header>
  );
}
