import { Badge, type BadgeTone } from '@/components/ui/badge';
import { HEALTH_DESCRIPTIONS, type Health } from '@/lib/readings/health';

const TONES: Record<Health, BadgeTone> = { live: 'success', late: 'warning', missing: 'danger', silent: 'neutral' };
const LABELS: Record<Health, string> = { live: 'Live', late: 'Late', missing: 'Missing', silent: 'Silent' };

export function HealthBadge({ health }: { health: Health }) {
  return (
    <Badge tone={TONES[health]} title={HEALTH_DESCRIPTIONS[health]} data-health={health}>
      {LABELS[health]}
    </Badge>
  );
}

export function healthLabel(health: Health): string {
  return LABELS[health];
}
