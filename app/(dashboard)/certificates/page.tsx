import { ShieldCheck } from 'lucide-react';
import type { Metadata } from 'next';
import { ComingLater } from '@/components/shell/coming-later';
import { Forbidden } from '@/components/shell/forbidden';
import { can } from '@/lib/auth/permissions';
import { requireUser } from '@/lib/auth/session';

export const metadata: Metadata = { title: 'Certificates' };

export default async function CertificatesPage() {
  const user = await requireUser();
  if (!can(user.role, 'certificate:view')) return <Forbidden permission="certificate:view" />;
  return (
    <ComingLater
      title="Certificates"
      description="Client certificates issued by Cloudflare's managed CA for your devices."
      icon={ShieldCheck}
      headline="No certificates to show yet"
    >
      Certificates arrive with the Cloudflare integration. This page will then list them with serial, SHA-256
      fingerprint, status and expiry, and let support revoke or reactivate one.
    </ComingLater>
  );
}
