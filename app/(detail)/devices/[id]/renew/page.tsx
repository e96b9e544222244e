import { ArrowLeft, Cpu } from 'lucide-react';
import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { guardedPage } from '@/components/shell/guarded-page';
import { buttonClasses } from '@/components/ui/button';
import { EmptyState } from '@/components/ui/empty-state';
import { PageHeader } from '@/components/ui/page-header';
import { connectTarget } from '@/lib/data/enrollment-config';
import { getRenewalTarget } from '@/lib/data/renewal';
import { RenewWizard } from './_components/renew-wizard';

export const metadata: Metadata = { title: 'Renew certificate' };

export default guardedPage('certificate:issue', async (user, { params }: { params: Promise<{ id: string }> }) => {
  const { id } = await params;
  const target = await getRenewalTarget(user, id);
  if (!target) notFound();
  const { device, current } = target;
  const back = (
    <Link href={`/devices/${device.id}`} className={buttonClasses({ variant: 'outline' })}>
      <ArrowLeft aria-hidden /> {device.name}
    </Link>
  );
  return (
    <>
      <PageHeader
        title={`Renew ${device.name}`}
        description="Issue a replacement certificate; the current one is marked superseded and revoked now or once the device posts with the new one."
        actions={back}
      />
      {current && device.status !== 'DECOMMISSIONED' ? (
        <RenewWizard
          device={{ id: device.id, name: device.name, commonName: device.commonName }}
          current={{ ...current, expiresOn: current.expiresOn.toISOString() }}
          waiting={target.waiting.map((w) => ({ ...w, supersededAt: w.supersededAt?.toISOString() ?? null }))}
          connect={connectTarget()}
        />
      ) : (
        <EmptyState icon={Cpu} title={device.status === 'DECOMMISSIONED' ? 'This device is decommissioned' : 'Nothing to renew'}>
          {device.status === 'DECOMMISSIONED'
            ? 'A decommissioned device gets no new certificates; enroll a new device instead.'
            : 'This device has no certificate yet. Enroll it to issue its first one.'}
        </EmptyState>
      )}
    </>
  );
});
