import { DeliveryStatusBadge, When } from '@/components/alerts/alert-badges';
import type { DeliveryLogRow } from '@/lib/data/alerts';

const EVENT_WORDS = { RAISED: 'Raised', ESCALATED: 'Escalated', RESOLVED: 'Resolved', TEST: 'Test', DIGEST: 'Digest' } as const;

/** Each delivery of an alert (channel × event) with its attempts: when, what happened, the answer. */
export function DeliveryLog({ deliveries }: { deliveries: DeliveryLogRow[] }) {
  if (deliveries.length === 0) return <p className="text-sm text-muted-foreground">No channel was told: the rule has no enabled channel.</p>;
  return (
    <ul className="flex flex-col gap-3" aria-label="Deliveries">
      {deliveries.map((d) => (
        <li key={d.id} className="rounded-md border border-border p-3" data-testid="delivery" data-channel={d.channelName} data-status={d.status}>
          <div className="flex flex-wrap items-center justify-between gap-2">
            <div className="text-sm">
              <span className="font-medium">{d.channelName}</span> · {EVENT_WORDS[d.event]}
            </div>
            <DeliveryStatusBadge status={d.status} />
          </div>
          <p className="mt-1 text-xs text-muted-foreground">
            {d.attempts} attempt{d.attempts === 1 ? '' : 's'}
            {d.lastStatusCode ? ` · last answer ${d.lastStatusCode}` : ''}
            {d.sentAt ? (
              <>
                {' '}
                · sent <When at={d.sentAt} />
              </>
            ) : d.status === 'PENDING' ? (
              <>
                {' '}
                · next attempt <When at={d.nextAttemptAt} />
              </>
            ) : null}
          </p>
          {d.log.length ? (
            <ol className="mt-2 flex flex-col gap-1 text-xs">
              {d.log.map((a) => (
                <li key={a.number} className="flex flex-wrap gap-x-2" data-testid="attempt" data-outcome={a.outcome ?? 'running'}>
                  <span className="text-muted-foreground">#{a.number}</span>
                  <When at={a.startedAt} className="text-muted-foreground" />
                  <span className="font-medium">{a.outcome ?? 'in progress'}</span>
                  {a.statusCode ? <span>({a.statusCode})</span> : null}
                  {a.durationMs !== null ? <span className="text-muted-foreground">{a.durationMs} ms</span> : null}
                  {a.error ? <span className="basis-full break-words text-red-700 dark:text-red-300">{a.error}</span> : null}
                </li>
              ))}
            </ol>
          ) : d.status === 'BATCHED' ? (
            <p className="mt-1 text-xs text-muted-foreground">Waits for the channel’s daily digest.</p>
          ) : d.lastError ? (
            <p className="mt-1 text-xs text-muted-foreground">{d.lastError}</p>
          ) : null}
        </li>
      ))}
    </ul>
  );
}
