import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { AlertStateBadge, SeverityBadge, When } from '@/components/alerts/alert-badges';
import { Forbidden } from '@/components/shell/forbidden';
import { Card, CardContent, CardHeader, SectionCard } from '@/components/ui/card';
import { PageHeader } from '@/components/ui/page-header';
import { CONDITIONS } from '@/lib/alerts/conditions';
import { subjectPath } from '@/lib/alerts/links';
import { can } from '@/lib/auth/permissions';
import { requireUser } from '@/lib/auth/session';
import { getAlert } from '@/lib/data/alerts';
import { AcknowledgeDialog } from '@/components/alerts/acknowledge-dialog';
import { DeliveryLog } from './_components/delivery-log';

export const metadata: Metadata = { title: 'Alert' };

export default async function AlertPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requireUser();
  if (!can(user.role, 'alerts:view')) return <Forbidden permission="alerts:view" />;
  const { id } = await params;
  const alert = id.length <= 64 ? await getAlert(user, id) : null;
  if (!alert) notFound();
  const href = subjectPath(alert);

  return (
    <>
      <PageHeader
        title={alert.summary}
        description={
          <span className="flex flex-wrap items-center gap-2">
            <SeverityBadge severity={alert.severity} />
            <AlertStateBadge state={alert.state} />
            <span>
              {CONDITIONS[alert.condition].label} · rule “{alert.ruleName}”{alert.ruleId ? '' : ' (deleted)'}
            </span>
          </span>
        }
        actions={can(user.role, 'alerts:acknowledge') && alert.state === 'OPEN' ? <AcknowledgeDialog alert={alert} size="md" /> : null}
      />
      <div className="grid gap-4 lg:grid-cols-[2fr_3fr]">
        <Card>
          <CardHeader>
            <h2 className="text-base font-semibold">What happened</h2>
            {alert.escalation && alert.state !== 'RESOLVED' ? (
              <p className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-900 dark:border-red-900 dark:bg-red-950 dark:text-red-100" data-testid="escalation">
                {alert.escalation}
              </p>
            ) : null}
          </CardHeader>
          <CardContent>
            <dl className="grid grid-cols-[9rem_1fr] gap-x-4 gap-y-2 text-sm" data-testid="alert-facts">
              <dt className="text-muted-foreground">Subject</dt>
              <dd>
                {href ? (
                  <Link href={href} className="text-primary hover:underline">
                    {alert.subjectLabel}
                  </Link>
                ) : (
                  alert.subjectLabel
                )}
              </dd>
              {alert.groupName ? (
                <>
                  <dt className="text-muted-foreground">Group</dt>
                  <dd>{alert.groupName}</dd>
                </>
              ) : null}
              <dt className="text-muted-foreground">Raised</dt>
              <dd>
                <When at={alert.raisedAt} />
              </dd>
              {alert.escalatedAt ? (
                <>
                  <dt className="text-muted-foreground">Escalated</dt>
                  <dd>
                    <When at={alert.escalatedAt} />
                  </dd>
                </>
              ) : null}
              {alert.acknowledgedAt ? (
                <>
                  <dt className="text-muted-foreground">Acknowledged</dt>
                  <dd>
                    <When at={alert.acknowledgedAt} /> by {alert.acknowledgedByEmail}
                    {alert.acknowledgeNote ? <p className="mt-1 whitespace-pre-wrap text-muted-foreground">“{alert.acknowledgeNote}”</p> : null}
                  </dd>
                </>
              ) : null}
              {alert.resolvedAt ? (
                <>
                  <dt className="text-muted-foreground">Resolved</dt>
                  <dd>
                    <When at={alert.resolvedAt} /> {alert.resolution ? `(${alert.resolution})` : null}
                  </dd>
                </>
              ) : null}
            </dl>
          </CardContent>
        </Card>
        <SectionCard title="Delivery log" description="Every message for this alert, per channel, with each attempt. A message is sent once per channel and event.">
          <DeliveryLog deliveries={alert.deliveries} />
        </SectionCard>
      </div>
    </>
  );
}
