import { CircleCheck, ShieldAlert, ShieldCheck } from 'lucide-react';
import Link from 'next/link';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { cn } from '@/components/ui/cn';
import type { SessionUser } from '@/lib/auth/errors';
import { getMtlsOverviewFlags } from '@/lib/data/mtls';

const timeFormat = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });

/**
 * The Overview's mTLS section: every watched host whose latest enforcement check failed is a red
 * flag; a host never checked yet is said so; otherwise one green line.
 */
export async function OverviewMtls({ user }: { user: SessionUser }) {
  const flags = await getMtlsOverviewFlags(user);
  const failing = flags.hosts.filter((h) => h.latest && !h.latest.enforced);
  const unchecked = flags.hosts.filter((h) => !h.latest);
  const red = failing.length > 0;

  return (
    <Card
      aria-labelledby="overview-mtls-title"
      data-state={red ? 'not-enforced' : 'ok'}
      className={cn(red && 'border-red-300 bg-red-50/60 dark:border-red-900 dark:bg-red-950/40')}
    >
      <CardHeader>
        <CardTitle id="overview-mtls-title" className="flex items-center gap-2 text-base font-semibold text-foreground">
          {red ? <ShieldAlert aria-hidden className="size-5 text-destructive" /> : <ShieldCheck aria-hidden className="size-5 text-emerald-600" />}
          mTLS enforcement
        </CardTitle>
        <CardDescription>Whether each host refuses devices without a valid, unrevoked client certificate.</CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-3 text-sm">
        {flags.hosts.length === 0 ? (
          <p className="text-muted-foreground">No host requires client certificates yet: devices are not protected by mTLS.</p>
        ) : null}
        {failing.length ? (
          <ul aria-label="Hosts not enforced" className="flex flex-col gap-2">
            {failing.map((h) => (
              <li key={h.hostname} className="rounded-md border border-red-200 bg-background px-3 py-2 dark:border-red-900">
                <p className="font-medium text-red-800 dark:text-red-200">
                  Not enforced: {h.hostname}
                  <span className="ml-2 text-xs font-normal text-muted-foreground">checked {timeFormat.format(h.latest!.checkedAt)} UTC</span>
                </p>
                {h.latest!.detail ? <p className="text-xs text-muted-foreground">{h.latest!.detail}</p> : null}
              </li>
            ))}
          </ul>
        ) : null}
        {unchecked.length ? <p className="text-muted-foreground">Not checked yet: {unchecked.map((h) => h.hostname).join(', ')}.</p> : null}
        {!red && flags.hosts.length > unchecked.length ? (
          <p className="inline-flex items-center gap-1.5">
            <CircleCheck aria-hidden className="size-4 text-emerald-600" />
            Enforced on {flags.hosts.length - unchecked.length} host{flags.hosts.length - unchecked.length === 1 ? '' : 's'}.
          </p>
        ) : null}
        <Link href="/mtls" className="text-sm font-medium text-primary hover:underline">
          mTLS hosts
        </Link>
      </CardContent>
    </Card>
  );
}

export function OverviewMtlsSkeleton() {
  return <div className="h-36 animate-pulse rounded-lg border border-border bg-card" aria-busy aria-label="Loading mTLS enforcement" />;
}
