import { CircleCheck } from 'lucide-react';
import type { ReactNode } from 'react';
import { ConnectPanel } from '@/components/enrollment/connect-panel';
import { IssuedCertificatePanel } from '@/components/enrollment/issued-certificate-panel';
import { cn } from '@/components/ui/cn';
import type { ConnectInfo, IssuedCertificateInfo } from '@/lib/validation/enrollment';

/**
 * What the enroll and renew wizards show once Cloudflare signed: the outcome as a status banner (with
 * the wizard's own follow-ups as `children`), the certificate and its files, and how to connect.
 */
export function IssuedOutcome({
  message,
  bannerClassName,
  children,
  deviceName,
  certificate,
  privateKeyPem,
  connect,
}: {
  message: string;
  /** How the banner lays out its follow-ups. */
  bannerClassName: string;
  children: ReactNode;
  deviceName: string;
  certificate: IssuedCertificateInfo;
  privateKeyPem: string | null;
  connect: ConnectInfo;
}) {
  return (
    <div className="flex flex-col gap-6">
      <div
        role="status"
        className={cn('rounded-md border border-emerald-300 bg-emerald-50 p-4 text-sm text-emerald-950 dark:border-emerald-900 dark:bg-emerald-950 dark:text-emerald-100', bannerClassName)}
      >
        <p className="flex items-center gap-2 font-medium">
          <CircleCheck aria-hidden className="size-5" /> {message}
        </p>
        {children}
      </div>
      <IssuedCertificatePanel deviceName={deviceName} certificate={certificate} privateKeyPem={privateKeyPem} connect={connect} />
      <ConnectPanel connect={connect} deviceName={deviceName} certificate={certificate} />
    </div>
  );
}
