import type { AlertSeverity, AlertState } from '@/lib/generated/prisma/enums';

/* An alert's states and severities, without zod: what the Alerts table filters on. The schemas are in alerts.ts. */

export const ALERT_STATES = ['OPEN', 'ACKNOWLEDGED', 'RESOLVED'] as const satisfies readonly AlertState[];
export const ALERT_SEVERITIES = ['CRITICAL', 'WARNING', 'INFO'] as const satisfies readonly AlertSeverity[];
