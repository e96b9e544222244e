import type { Metadata } from 'next';
import { Forbidden } from '@/components/shell/forbidden';
import { PageHeader } from '@/components/ui/page-header';
import { can } from '@/lib/auth/permissions';
import { requireUser } from '@/lib/auth/session';
import { CertificateDoctor } from './_components/certificate-doctor';

export const metadata: Metadata = { title: 'Certificate doctor' };

export default async function DoctorPage() {
  const user = await requireUser();
  if (!can(user.role, 'certificate:diagnose')) return <Forbidden permission="certificate:diagnose" />;
  return (
    <>
      <PageHeader
        title="Certificate doctor"
        description="Give what a failing device has — a certificate (PEM, DER, .crt) or a .p12 with its password, and its key if you have it — and get a verdict per line. Keys are checked in this browser and never sent."
      />
      <CertificateDoctor />
    </>
  );
}
