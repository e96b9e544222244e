import { Thermometer } from 'lucide-react';
import type { Metadata } from 'next';
import { ComingLater } from '@/components/shell/coming-later';
import { Forbidden } from '@/components/shell/forbidden';
import { can } from '@/lib/auth/permissions';
import { requireUser } from '@/lib/auth/session';

export const metadata: Metadata = { title: 'Readings' };

export default async function ReadingsPage() {
  const user = await requireUser();
  if (!can(user.role, 'readings:view')) return <Forbidden permission="readings:view" />;
  return (
    <ComingLater
      title="Readings"
      description="Temperatures the devices report through the mTLS-protected Worker."
      icon={Thermometer}
      headline="The readings charts are not built yet"
    >
      This page will chart each device&apos;s temperature over time, flag readings outside its thresholds, and show
      which devices are late or silent.
    </ComingLater>
  );
}
