/*
 * Where an alert's subject lives in the app: browser-safe, so the Alerts page and the messages sent to
 * channels link to the same place.
 */

export interface SubjectRef {
  subjectType: string;
  subjectId: string;
  details?: unknown;
}

export function subjectPath(alert: SubjectRef): string | null {
  const details = (alert.details ?? {}) as { certificateDeviceId?: string | null; deviceIds?: string[]; fingerprint?: string };
  switch (alert.subjectType) {
    case 'certificate':
      return `/certificates/${encodeURIComponent(alert.subjectId)}`;
    case 'device':
      return `/devices/${encodeURIComponent(alert.subjectId)}`;
    case 'hostname':
      return '/mtls';
    case 'bulk-job':
      return `/devices/bulk?job=${encodeURIComponent(alert.subjectId)}`;
    case 'reading-flag': {
      const device = details.certificateDeviceId ?? details.deviceIds?.[0];
      return device ? `/readings/${encodeURIComponent(device)}` : '/readings';
    }
    default:
      return null;
  }
}

export function alertPath(alertId: string): string {
  return `/alerts/${encodeURIComponent(alertId)}`;
}

/** The app's address as people reach it, for links in messages (CERTFLEET_PUBLIC_URL, else NEXTAUTH_URL). */
export function publicBaseUrl(): string {
  return (process.env.CERTFLEET_PUBLIC_URL || process.env.NEXTAUTH_URL || 'http://127.0.0.1:3000').replace(/\/+$/, '');
}
