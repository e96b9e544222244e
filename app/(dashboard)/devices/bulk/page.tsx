import type { Metadata } from 'next';
import Link from 'next/link';
import { Forbidden } from '@/components/shell/forbidden';
import { PageHeader } from '@/components/ui/page-header';
import { can } from '@/lib/auth/permissions';
import { requireUser } from '@/lib/auth/session';
import { BulkError, getBulkJob, listRecentBulkJobs } from '@/lib/data/bulk';
import { BULK_MAX_ROWS, BULK_VALIDITY_DAYS } from '@/lib/validation/bulk-csv';
import { firstParam, type RawSearchParams } from '@/lib/validation/table-search-params';
import { BulkEnroll } from './_components/bulk-enroll';

export const metadata: Metadata = { title: 'Bulk enrollment' };

export default async function BulkEnrollPage({ searchParams }: { searchParams: Promise<RawSearchParams> }) {
  const user = await requireUser();
  if (!can(user.role, 'device:enroll')) return <Forbidden permission="device:enroll" />;
  const jobId = firstParam(await searchParams, 'job');
  let job = null;
  if (jobId) {
    try {
      job = await getBulkJob(user, jobId, { rows: true });
    } catch (error) {
      if (!(error instanceof BulkError)) throw error;
    }
  }
  const recent = await listRecentBulkJobs(user);
  return (
    <>
      <PageHeader
        title="Bulk enrollment"
        description={
          <>
            Upload a CSV with the columns <code>name</code>, <code>group</code> and <code>csr</code> (the CSR&apos;s PEM in a quoted field), up to{' '}
            {BULK_MAX_ROWS.toLocaleString('en')} rows. Certificates are valid {BULK_VALIDITY_DAYS} days. One device at a time?{' '}
            <Link href="/devices/enroll" className="text-primary underline underline-offset-2">
              Use the wizard
            </Link>
            .
          </>
        }
      />
      <BulkEnroll key={job?.progress.jobId ?? 'new'} initialJob={job ? { progress: job.progress, rows: job.rows ?? [] } : null} recent={recent} />
    </>
  );
}
