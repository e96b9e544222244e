import { KeyRound } from 'lucide-react';
import type { Metadata } from 'next';
import Link from 'next/link';
import { guardedPage } from '@/components/shell/guarded-page';
import { Badge, type BadgeTone } from '@/components/ui/badge';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { PageHeader } from '@/components/ui/page-header';
import { RowActionButton } from '@/components/ui/action-buttons';
import { SimpleTable } from '@/components/ui/simple-table';
import { TableCell, TableRow } from '@/components/ui/table';
import { can } from '@/lib/auth/permissions';
import { db } from '@/lib/db/client';
import { listEstPolicies } from '@/lib/est/policy';
import { listEnrollmentTokens, listEstRequests } from '@/lib/est/tokens';
import { describeKeys, describeWindow } from '@/lib/validation/est-policy';
import { PolicyForm } from './_components/policy-form';
import { TokenForm } from './_components/token-form';
import { revokeTokenAction } from './actions';

export const metadata: Metadata = { title: 'EST enrollment' };

const time = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });

const TOKEN_TONE: Record<string, BadgeTone> = { waiting: 'info', used: 'success', expired: 'neutral', revoked: 'danger' };
const REQUEST_TONE: Record<string, BadgeTone> = { PENDING: 'warning', ISSUED: 'success', REJECTED: 'danger' };

export default guardedPage('certificate:view', async (user) => {
  const canManage = can(user.role, 'device:enroll');
  const prisma = db();
  const [tokens, requests, policies] = await Promise.all([canManage ? listEnrollmentTokens(prisma) : Promise.resolve([]), listEstRequests(prisma), listEstPolicies(prisma)]);

  return (
    <>
      <PageHeader
        title="EST enrollment"
        description="Devices enroll (bootstrap certificate + one-time token) and renew (their own certificate) at the edge's /.well-known/est/ (RFC 7030); certfleet issues what they ask for within seconds. See docs/est.md."
      />
      <div className="flex flex-col gap-4">
        <p className="text-sm">
          <Link href="/est/planner">Renewal planner</Link>: when certificates enter their renewal window, the load on Cloudflare, and the devices at risk of expiring
          before they renew.
        </p>
        <Card>
          <CardHeader>
            <CardTitle className="text-base font-semibold text-foreground">Policy per group</CardTitle>
            <CardDescription>
              What certfleet accepts from a group&apos;s devices over EST. A request outside it is refused with the reason, audited and raises an &ldquo;EST request
              refused&rdquo; alert. Groups nobody configured follow the defaults.
            </CardDescription>
          </CardHeader>
          <CardContent className="flex flex-col gap-4">
            {canManage ? <PolicyForm groups={policies.map((p) => ({ group: p.group, policy: p.policy }))} /> : null}
            {policies.length ? (
              <SimpleTable label="EST policies" columns={['Group', 'Renewal window', 'Keys', 'Validity', 'Tokens', 'Rate per device', 'Set by']}>
                {policies.map((p) => (
                  <TableRow key={p.group}>
                    <TableCell>{p.group}</TableCell>
                    <TableCell>
                      {describeWindow(p.policy)}
                      {p.policy.refuseEarlyRenewal ? ', earlier refused' : ''}
                    </TableCell>
                    <TableCell>{describeKeys(p.policy)}</TableCell>
                    <TableCell>{p.policy.validityDays === null ? '3650 d / as before' : `${p.policy.validityDays} d`}</TableCell>
                    <TableCell>
                      {p.policy.tokenHours} h, {p.policy.tokenUses} use{p.policy.tokenUses === 1 ? '' : 's'}
                    </TableCell>
                    <TableCell>{p.policy.maxRequestsPerDay === null ? 'no limit' : `${p.policy.maxRequestsPerDay} / day`}</TableCell>
                    <TableCell>{p.isDefault ? <Badge tone="neutral">defaults</Badge> : `${p.updatedByEmail ?? ''}, ${p.updatedAt ? time.format(p.updatedAt) : ''}`}</TableCell>
                  </TableRow>
                ))}
              </SimpleTable>
            ) : null}
          </CardContent>
        </Card>
        {canManage ? (
          <Card>
            <CardHeader>
              <CardTitle className="text-base font-semibold text-foreground">Enrollment tokens</CardTitle>
              <CardDescription>
                One token per device, used once, sent by the device as HTTP Basic &ldquo;&lt;device name&gt;:&lt;token&gt;&rdquo; with simpleenroll. certfleet keeps only
                a hash: a token is shown once, right after it is made.
              </CardDescription>
            </CardHeader>
            <CardContent className="flex flex-col gap-4">
              <TokenForm />
              {tokens.length ? (
                <SimpleTable label="Enrollment tokens" columns={['Device', 'State', 'Made', 'Expires', { label: 'Actions', align: 'end' }]}>
                  {tokens.map((t) => (
                    <TableRow key={t.id}>
                      <TableCell>{t.deviceName ? <Link href={`/devices/${t.deviceId}`}>{t.deviceName}</Link> : t.deviceId}</TableCell>
                      <TableCell>
                        <Badge tone={TOKEN_TONE[t.state]}>{t.state}</Badge>
                      </TableCell>
                      <TableCell>
                        {time.format(t.createdAt)} by {t.createdByEmail}
                      </TableCell>
                      <TableCell>{time.format(t.expiresAt)}</TableCell>
                      <TableCell className="text-right">
                        {t.state === 'waiting' ? (
                          <RowActionButton action={revokeTokenAction} fields={{ tokenId: t.id }} label="Revoke" name={`Revoke the token of ${t.deviceName ?? t.deviceId}`} className="inline-flex items-center gap-2" />
                        ) : null}
                      </TableCell>
                    </TableRow>
                  ))}
                </SimpleTable>
              ) : null}
            </CardContent>
          </Card>
        ) : null}

        <Card>
          <CardHeader>
            <CardTitle className="text-base font-semibold text-foreground">EST requests</CardTitle>
            <CardDescription>What devices asked for at the edge and what certfleet did: newest first.</CardDescription>
          </CardHeader>
          <CardContent>
            {requests.length ? (
              <SimpleTable label="EST requests" columns={['Requested', 'Kind', 'Device', 'Status', 'Certificate / reason']}>
                {requests.map((r) => (
                  <TableRow key={r.id}>
                    <TableCell>{time.format(r.requestedAt)}</TableCell>
                    <TableCell>{r.kind === 'ENROLL' ? 'enroll' : 'renew'}</TableCell>
                    <TableCell>{r.deviceName && r.deviceId ? <Link href={`/devices/${r.deviceId}`}>{r.deviceName}</Link> : '—'}</TableCell>
                    <TableCell>
                      <Badge tone={REQUEST_TONE[r.status]}>{r.status.toLowerCase()}</Badge>
                    </TableCell>
                    <TableCell className="max-w-md truncate">
                      {r.certificateId ? <Link href={`/certificates/${r.certificateId}`}>certificate</Link> : (r.error ?? '')}
                      {r.status === 'ISSUED' && !r.answeredAt ? ' (handing it to the Worker)' : ''}
                    </TableCell>
                  </TableRow>
                ))}
              </SimpleTable>
            ) : (
              <EmptyState icon={KeyRound} title="No EST request yet">
                Make a token above, then enroll a device: <code>npm run device -- --est …</code> (docs/est.md).
              </EmptyState>
            )}
          </CardContent>
        </Card>
      </div>
    </>
  );
});
