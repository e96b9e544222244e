import { Badge, type BadgeTone } from '@/components/ui/badge';
import type { AlertSeverity, AlertState, DeliveryStatus } from '@/lib/generated/prisma/enums';

const severityTones: Record<AlertSeverity, BadgeTone> = { CRITICAL: 'danger', WARNING: 'warning', INFO: 'info' };
const stateTones: Record<AlertState, BadgeTone> = { OPEN: 'danger', ACKNOWLEDGED: 'warning', RESOLVED: 'success' };
const deliveryTones: Record<DeliveryStatus, BadgeTone> = {
  PENDING: 'warning',
  SENDING: 'info',
  SENT: 'success',
  FAILED: 'danger',
  BATCHED: 'neutral',
  CANCELLED: 'neutral',
};

const words = (value: string) => value.charAt(0) + value.slice(1).toLowerCase();

export function SeverityBadge({ severity }: { severity: AlertSeverity }) {
  return (
    <Badge tone={severityTones[severity]} data-severity={severity}>
      {words(severity)}
    </Badge>
  );
}

export function AlertStateBadge({ state }: { state: AlertState }) {
  return (
    <Badge tone={stateTones[state]} data-state={state}>
      {words(state)}
    </Badge>
  );
}

export function DeliveryStatusBadge({ status }: { status: DeliveryStatus }) {
  return (
    <Badge tone={deliveryTones[status]} data-delivery-status={status}>
      {status === 'BATCHED' ? 'In digest' : words(status)}
    </Badge>
  );
}

// Fixed locale and zone: the server render and the browser print the same text.
const dateTime = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });

export function When({ at, className }: { at: Date; className?: string }) {
  return (
    <time dateTime={at.toISOString()} className={className} title={at.toISOString()}>
      {dateTime.format(at)} UTC
    </time>
  );
}
