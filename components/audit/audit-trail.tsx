import { ScrollText } from 'lucide-react';
import Link from 'next/link';
import { SectionCard } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import type { AuditRow } from '@/lib/data/audit';
import { formatDateTime } from '@/components/certificates/format';

/** A short, newest-first list of audit events (a device's or a certificate's trail). */
export function AuditTrail({ events, moreHref }: { events: AuditRow[]; moreHref?: string }) {
  if (events.length === 0) {
    return (
      <EmptyState icon={ScrollText} title="Nothing recorded yet" className="py-8">
        Issuance, revocation, undo and renewal appear here as they happen.
      </EmptyState>
    );
  }
  return (
    <div className="flex flex-col gap-3">
      <ol className="flex flex-col divide-y divide-border text-sm" aria-label="Audit trail">
        {events.map((event) => (
          <li key={event.id} className="flex flex-col gap-0.5 py-2 first:pt-0">
            <div className="flex flex-wrap items-baseline justify-between gap-x-3">
              <span className="font-mono text-xs font-medium">{event.action}</span>
              <time dateTime={event.at.toISOString()} className="text-xs text-muted-foreground">
                {formatDateTime(event.at)}
              </time>
            </div>
            <p className="text-muted-foreground">
              {event.actorEmail}
              {event.targetLabel ? <> · {event.targetLabel}</> : null}
              {event.reason ? <> · “{event.reason}”</> : null}
            </p>
          </li>
        ))}
      </ol>
      {moreHref ? (
        <Link href={moreHref} className="text-sm font-medium text-primary hover:underline">
          Open in the audit log
        </Link>
      ) : null}
    </div>
  );
}

/** A detail page's "Audit trail" section: its subject's latest events and a link to the rest. */
export function AuditTrailCard({ events, moreHref }: { events: AuditRow[]; moreHref: string }) {
  return (
    <SectionCard title="Audit trail">
      <AuditTrail events={events} moreHref={moreHref} />
    </SectionCard>
  );
}
