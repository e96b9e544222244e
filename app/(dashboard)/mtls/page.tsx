import { CircleCheck, CircleX, CircleDashed, ShieldCheck } from 'lucide-react';
import type { Metadata } from 'next';
import { guardedPage } from '@/components/shell/guarded-page';
import { FormMessage } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { PageHeader } from '@/components/ui/page-header';
import { SimpleTable } from '@/components/ui/simple-table';
import { TableCell, TableRow } from '@/components/ui/table';
import { can } from '@/lib/auth/permissions';
import { getMtlsHosts, type MtlsHostRow } from '@/lib/data/mtls';
import { MTLS_BLOCK_EXPRESSION, MTLS_RULE_WHERE } from '@/lib/mtls/rule';
import { AddHostForm } from './_components/add-host-form';
import { HostActions } from './_components/host-actions';
import { RunCheckButton } from './_components/run-check-button';

export const metadata: Metadata = { title: 'mTLS hosts' };

const timeFormat = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'medium', timeZone: 'UTC' });

export default guardedPage('mtls:view', async (user) => {
  const view = await getMtlsHosts(user);
  const canManage = can(user.role, 'mtls:manage');

  return (
    <>
      <PageHeader
        title="mTLS hosts"
        description="Hostnames where Cloudflare asks devices for a client certificate, and whether the blocking rule really refuses those without a valid one."
        actions={canManage ? <RunCheckButton /> : null}
      />
      <div className="flex flex-col gap-4">
        {view.cloudflareError ? <FormMessage message={`Cloudflare's list of mTLS hosts could not be read: ${view.cloudflareError}`} /> : null}
        {view.configProblems.map((p) => (
          <FormMessage key={p} message={p} />
        ))}

        <Card>
          <CardHeader>
            <CardTitle className="text-base font-semibold text-foreground">Hosts</CardTitle>
            <CardDescription>
              &ldquo;Enforced&rdquo; means the last check was refused both without a certificate and with a revoked one (a canary certfleet issued and
              revoked for this).
            </CardDescription>
          </CardHeader>
          <CardContent className="flex flex-col gap-4">
            {view.hosts.length ? (
              <SimpleTable label="mTLS hosts" columns={['Hostname', 'Client certificates', 'Blocking rule', ...(canManage ? [{ label: 'Actions', align: 'end' as const }] : [])]}>
                {view.hosts.map((host) => (
                  <TableRow key={host.hostname} data-hostname={host.hostname}>
                    <TableCell className="font-medium">{host.hostname}</TableCell>
                    <TableCell>{host.associated ? <Badge tone="success">Requested</Badge> : <Badge tone="danger">Not requested</Badge>}</TableCell>
                    <TableCell>
                      <RuleCell host={host} />
                    </TableCell>
                    {canManage ? (
                      <TableCell className="text-right">
                        <HostActions hostname={host.hostname} associated={host.associated} />
                      </TableCell>
                    ) : null}
                  </TableRow>
                ))}
              </SimpleTable>
            ) : (
              <EmptyState icon={ShieldCheck} title="No mTLS hosts yet">
                Add the hostname your devices connect to; Cloudflare then asks them for a client certificate there.
              </EmptyState>
            )}
            {canManage ? <AddHostForm /> : null}
          </CardContent>
        </Card>

        <Card>
          <CardHeader>
            <CardTitle className="text-base font-semibold text-foreground">The blocking rule</CardTitle>
            <CardDescription>Asking for a certificate does not refuse anyone; this rule does.</CardDescription>
          </CardHeader>
          <CardContent className="flex flex-col gap-3 text-sm">
            {view.mode === 'local' ? (
              <p>
                Against the local Cloudflare the edge applies API Shield&apos;s rule itself on every host above that requests client certificates: requests
                matching <code className="rounded bg-muted px-1 font-mono text-xs">{MTLS_BLOCK_EXPRESSION}</code> are blocked with 403. The check proves it.
              </p>
            ) : (
              <>
                <p>In a real zone, create this rule once; certfleet cannot see WAF rules, so the check above is how you know it holds.</p>
                <pre data-testid="rule-expression" tabIndex={0} role="region" aria-label="WAF rule expression" className="focus-visible:ring-2 focus-visible:ring-ring focus-visible:outline-none overflow-x-auto rounded-md border border-border bg-muted/40 p-3 font-mono text-xs">
                  {view.ruleExpression}
                </pre>
                <ol className="list-decimal pl-5 text-muted-foreground">
                  {MTLS_RULE_WHERE.map((step) => (
                    <li key={step}>{step}</li>
                  ))}
                </ol>
              </>
            )}
          </CardContent>
        </Card>
      </div>
    </>
  );
});

function RuleCell({ host }: { host: MtlsHostRow }) {
  if (host.hostname.includes('*')) return <span className="text-muted-foreground">Wildcard: watch a concrete hostname under it to check it.</span>;
  const latest = host.latest;
  if (!latest) {
    return (
      <span className="inline-flex items-center gap-1.5 text-muted-foreground">
        <CircleDashed aria-hidden className="size-4" /> Not checked yet
      </span>
    );
  }
  return (
    <div className="flex flex-col gap-1">
      <span className="inline-flex items-center gap-1.5">
        {latest.enforced ? (
          <Badge tone="success">
            <CircleCheck aria-hidden className="mr-1 size-3.5" />
            Enforced
          </Badge>
        ) : (
          <Badge tone="danger">
            <CircleX aria-hidden className="mr-1 size-3.5" />
            Not enforced
          </Badge>
        )}
        <time className="text-xs text-muted-foreground" dateTime={latest.checkedAt.toISOString()}>
          {timeFormat.format(latest.checkedAt)} UTC
        </time>
      </span>
      {latest.detail ? <span className="max-w-xl text-xs text-muted-foreground">{latest.detail}</span> : null}
    </div>
  );
}
