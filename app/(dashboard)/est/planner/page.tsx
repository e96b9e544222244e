import { CalendarClock } from 'lucide-react';
import type { Metadata } from 'next';
import Link from 'next/link';
import { guardedPage } from '@/components/shell/guarded-page';
import { Badge, type BadgeTone } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { Label } from '@/components/ui/input';
import { PageHeader } from '@/components/ui/page-header';
import { Select, SelectOptions } from '@/components/ui/select';
import { SimpleTable } from '@/components/ui/simple-table';
import { TableCell, TableRow } from '@/components/ui/table';
import { db } from '@/lib/db/client';
import { AT_RISK_PAGE, CALLS_PER_RENEWAL, findRenewalPlan, parseAtRiskCursor, type RiskReason } from '@/lib/est/planner';
import { listEstPolicies } from '@/lib/est/policy';
import { describeWindow } from '@/lib/validation/est-policy';
import { firstParam, type RawSearchParams } from '@/lib/validation/table-search-params';

export const metadata: Metadata = { title: 'Renewal planner' };

const date = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeZone: 'UTC' });
const time = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
const int = new Intl.NumberFormat('en');
const pct = (share: number) => (share === 0 ? '0 %' : share < 0.001 ? '< 0.1 %' : `${(share * 100).toFixed(1)} %`);

const REASON: Record<RiskReason, { label: string; tone: BadgeTone; why: string }> = {
  expired: { label: 'expired', tone: 'danger', why: 'expired without being renewed' },
  missed: { label: 'missed its window', tone: 'warning', why: 'its device reported inside the window and did not renew' },
  silent: { label: 'device silent', tone: 'warning', why: 'its device is not expected back before expiry' },
};

function every(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86_400)} d`;
}

export default guardedPage('certificate:view', async (user, { searchParams }: { searchParams: Promise<RawSearchParams> }) => {
  const params = await searchParams;
  const group = firstParam(params, 'group')?.trim().slice(0, 200) || null;
  // The at-risk list's page: after the entry its link names (keyset, so a page costs the same wherever it is).
  const rawAfter = firstParam(params, 'after');
  const after = parseAtRiskCursor(rawAfter);
  const prisma = db();
  const [plan, policies] = await Promise.all([findRenewalPlan(prisma, user, group, after), listEstPolicies(prisma)]);
  const pageHref = (cursor?: string) => {
    const q = new URLSearchParams();
    if (group) q.set('group', group);
    if (cursor) q.set('after', cursor);
    return `/est/planner${q.size ? `?${q}` : ''}#at-risk`;
  };
  const policy = group ? policies.find((p) => p.group === group) : undefined; // every group has one (its own or the defaults)

  return (
    <>
      <PageHeader
        title="Renewal planner"
        description="When certificates enter their renewal window under their group's EST policy, the load renewals put on Cloudflare, and the certificates at risk of expiring before they renew. See docs/est.md."
      />
      <div className="flex flex-col gap-4">
        <form method="get" className="flex flex-wrap items-end gap-3" aria-label="Planner group">
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="planner-group">Group</Label>
            <Select id="planner-group" name="group" defaultValue={group ?? ''}>
              <option value="">Whole fleet</option>
              <SelectOptions values={policies.map((p) => p.group)} label={(g) => g} />
            </Select>
          </div>
          <Button type="submit" variant="outline">
            Show
          </Button>
          <Link href="/est" className="text-sm">
            EST policies and tokens
          </Link>
        </form>

        <Card>
          <CardHeader>
            <CardTitle className="text-base font-semibold text-foreground">Next 12 weeks{group ? ` · ${group}` : ''}</CardTitle>
            <CardDescription>
              {int.format(plan.certificates)} live device certificates
              {policy ? `, renewed in ${describeWindow(policy.policy)}` : ', each under its group policy'}; {int.format(plan.inWindow)} in their window now.
              Each renewal costs {CALLS_PER_RENEWAL} Cloudflare calls (issue, then revoke the old one) from the shared budget of {plan.budget.policy} (
              {int.format(plan.budget.requestsPerHour)} an hour usable). Until the device posts with its new certificate both are in the zone (
              {int.format(plan.zoneCertificates)} unrevoked now).
            </CardDescription>
          </CardHeader>
          <CardContent>
            <SimpleTable
              label="Renewals per week"
              columns={['Week from', ...['Entering window', 'Cloudflare calls', 'Share of weekly budget', 'Busiest hour', 'Zone certificates, worst case'].map((label) => ({ label, align: 'end' as const }))]}
            >
              {plan.weeks.map((w) => (
                <TableRow key={w.week} data-week={w.week}>
                  <TableCell>{date.format(w.from)}</TableCell>
                  <TableCell className="text-right tabular-nums">{int.format(w.renewals)}</TableCell>
                  <TableCell className="text-right tabular-nums">{int.format(w.calls)}</TableCell>
                  <TableCell className="text-right tabular-nums">{pct(w.budgetShare)}</TableCell>
                  <TableCell className="text-right tabular-nums">
                    {int.format(w.peakHourRenewals)} ({pct(w.peakHourBudgetShare)} of the hour)
                  </TableCell>
                  <TableCell className="text-right tabular-nums">{int.format(w.zonePeak)}</TableCell>
                </TableRow>
              ))}
            </SimpleTable>
          </CardContent>
        </Card>

        <Card id="at-risk">
          <CardHeader>
            <CardTitle className="text-base font-semibold text-foreground">At risk: {int.format(plan.atRisk.total)}</CardTitle>
            <CardDescription>
              Certificates that expired unrenewed ({plan.atRisk.byReason.expired}), whose device reported inside the window without renewing (
              {plan.atRisk.byReason.missed}), or whose device is not expected back before expiry ({plan.atRisk.byReason.silent}): a device silent for
              some time is not counted on sooner than that long again, or one reporting interval. Soonest expiry first
              {plan.atRisk.total > plan.atRisk.rows.length && plan.atRisk.rows.length
                ? `; ${int.format(plan.atRisk.from)}–${int.format(plan.atRisk.from + plan.atRisk.rows.length - 1)} of ${int.format(plan.atRisk.total)} shown`
                : ''}
              .
            </CardDescription>
          </CardHeader>
          <CardContent className="flex flex-col gap-3">
            {rawAfter && !after ? (
              <p role="status" className="text-sm text-muted-foreground">
                That page link is not one of this list&apos;s; showing the list from the top.
              </p>
            ) : null}
            {plan.atRisk.rows.length ? (
              <SimpleTable label="Certificates at risk" columns={['Device', 'Group', 'Certificate', 'Expires', 'Window opened', 'Last seen (reports every)', 'Why']}>
                {plan.atRisk.rows.map((r) => (
                  <TableRow key={r.certificateId}>
                    <TableCell>
                      <Link href={`/devices/${r.deviceId}`}>{r.deviceName}</Link>
                    </TableCell>
                    <TableCell>{r.group}</TableCell>
                    <TableCell>
                      <Link href={`/certificates/${r.certificateId}`} className="font-mono text-xs">
                        {r.serialNumber}
                      </Link>
                    </TableCell>
                    <TableCell>{date.format(r.expiresOn)}</TableCell>
                    <TableCell>{date.format(r.windowOpensAt)}</TableCell>
                    <TableCell>
                      {r.lastSeenAt ? time.format(r.lastSeenAt) : 'never'} ({every(r.reportIntervalSec)})
                    </TableCell>
                    <TableCell title={REASON[r.reason].why}>
                      <Badge tone={REASON[r.reason].tone}>{REASON[r.reason].label}</Badge>
                    </TableCell>
                  </TableRow>
                ))}
              </SimpleTable>
            ) : after ? (
              <p className="text-sm text-muted-foreground">No more certificates at risk after this point.</p>
            ) : (
              <EmptyState icon={CalendarClock} title="Nothing at risk">
                Every live certificate&apos;s device is expected to report inside its window.
              </EmptyState>
            )}
            {after || plan.atRisk.next ? (
              <nav aria-label="At-risk pages" className="flex gap-4 text-sm">
                {after ? <Link href={pageHref()}>First page</Link> : null}
                {plan.atRisk.next ? <Link href={pageHref(plan.atRisk.next)}>Next {int.format(AT_RISK_PAGE)}</Link> : null}
              </nav>
            ) : null}
          </CardContent>
        </Card>
      </div>
    </>
  );
});
