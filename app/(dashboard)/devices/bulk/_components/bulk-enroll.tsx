'use client';

import { CircleAlert, CircleCheck, FileArchive, FileUp, RotateCcw, Upload } from 'lucide-react';
import Link from 'next/link';
import { type ChangeEvent, useCallback, useEffect, useRef, useState } from 'react';
import { saveFile } from '@/components/enrollment/download';
import { FormMessage } from '@/components/ui/alert';
import { Badge, type BadgeTone } from '@/components/ui/badge';
import { Button, buttonClasses } from '@/components/ui/button';
import { SectionCard } from '@/components/ui/card';
import { Table, TableBody, TableCell, TableRow } from '@/components/ui/table';
import { TableHeadings } from '@/components/ui/simple-table';
import type { BulkJobSummary, BulkProgress, BulkRowStatus, BulkRowView, DryRunReport } from '@/lib/data/bulk';
import type { ErrorBody } from '@/lib/errors';
import { BULK_MAX_BYTES, csvField } from '@/lib/validation/bulk-csv';

interface JobState {
  progress: BulkProgress;
  rows: BulkRowView[];
}

/** Server errors in a row before the page stops driving the queue and says so. */
const MAX_FAILURES = 5;

const STATUS_TONE: Record<BulkRowStatus, BadgeTone> = { QUEUED: 'neutral', ISSUING: 'info', ISSUED: 'success', FAILED: 'danger' };
const STATUS_LABEL: Record<BulkRowStatus, string> = { QUEUED: 'Queued', ISSUING: 'Issuing', ISSUED: 'Issued', FAILED: 'Failed' };

async function postJson<T>(url: string, body?: unknown): Promise<{ ok: true; data: T } | { ok: false; error: string; details?: Record<string, unknown> }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: body === undefined ? undefined : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = (await response.json().catch(() => null)) as (T & Partial<ErrorBody>) | null;
  if (!response.ok) return { ok: false, error: data?.error?.message ?? `The server answered ${response.status}.`, details: data?.error?.details };
  return { ok: true, data: data as T };
}

function formatSeconds(s: number): string {
  if (s < 90) return `${Math.max(1, Math.round(s))} s`;
  return `${Math.round(s / 60)} min`;
}

/**
 * Upload → dry run → queue. The queue runs on the server in short batches that this page drives;
 * closing the tab loses nothing (reopening the job continues it, and a background job finishes
 * jobs nobody drives).
 */
export function BulkEnroll({ initialJob, recent }: { initialJob: JobState | null; recent: BulkJobSummary[] }) {
  const [csv, setCsv] = useState<{ name: string; text: string } | null>(null);
  const [report, setReport] = useState<DryRunReport | null>(null);
  const [job, setJob] = useState<JobState | null>(initialJob);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [pause, setPause] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const driving = useRef(false);
  const [isDriving, setDriving] = useState(false);
  const mounted = useRef(true);

  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  const refreshRows = useCallback(async (jobId: string) => {
    const response = await fetch(`/api/bulk/jobs/${jobId}?rows=1`);
    if (!response.ok) return;
    const data = (await response.json()) as { progress: BulkProgress; rows: BulkRowView[] };
    if (mounted.current) setJob({ progress: data.progress, rows: data.rows });
  }, []);

  const drive = useCallback(
    async (jobId: string) => {
      if (driving.current) return;
      driving.current = true;
      setDriving(true);
      setMessage(null);
      try {
        let failures = 0;
        while (mounted.current) {
          const answer = await postJson<BulkProgress>(`/api/bulk/jobs/${jobId}/process`);
          if (!answer.ok) {
            // A passing server error is tried again after a pause; the rows' intents keep it safe.
            if (++failures < MAX_FAILURES) {
              setPause(`The server answered with an error (${answer.error}); trying again in ${failures * 2} s.`);
              await new Promise((resolve) => setTimeout(resolve, failures * 2000));
              setPause(null);
              continue;
            }
            setMessage({ ok: false, text: `${answer.error} What is issued stays issued; continue when it is fixed.` });
            break;
          }
          failures = 0;
          const progress = answer.data;
          await refreshRows(jobId);
          if (progress.finished) break;
          if (progress.waitSeconds) {
            setPause(`Paused for ${formatSeconds(progress.waitSeconds)}: ${progress.message ?? 'Cloudflare asked to wait.'}`);
            await new Promise((resolve) => setTimeout(resolve, progress.waitSeconds! * 1000));
            setPause(null);
          }
        }
      } catch (error) {
        setMessage({ ok: false, text: `${error instanceof Error ? error.message : 'The connection failed'}. What is issued stays issued; reload to continue.` });
      } finally {
        driving.current = false;
        setDriving(false);
        setPause(null);
      }
    },
    [refreshRows],
  );

  // An unfinished job continues as soon as its page is open again.
  useEffect(() => {
    if (initialJob && !initialJob.progress.finished) void drive(initialJob.progress.jobId);
  }, [initialJob, drive]);

  async function chooseFile(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (!file) return;
    setReport(null);
    setMessage(null);
    if (file.size > BULK_MAX_BYTES) {
      setMessage({ ok: false, text: 'The file is larger than 10 MB; split it.' });
      return;
    }
    const text = await file.text();
    setCsv({ name: file.name, text });
    setBusy('Checking every row…');
    const answer = await postJson<DryRunReport>('/api/bulk/dry-run', { csv: text });
    setBusy(null);
    if (!answer.ok) setMessage({ ok: false, text: answer.error });
    else setReport(answer.data);
  }

  async function start() {
    if (!csv) return;
    setBusy('Queueing…');
    const answer = await postJson<{ jobId: string; rows: number }>('/api/bulk/jobs', { csv: csv.text });
    setBusy(null);
    if (!answer.ok) {
      const again = answer.details?.report as DryRunReport | undefined;
      if (again) setReport(again);
      setMessage({ ok: false, text: answer.error });
      return;
    }
    const { jobId } = answer.data;
    // The job's own URL: reloading or coming back later shows (and continues) it.
    window.history.replaceState(null, '', `/devices/bulk?job=${jobId}`);
    await refreshRows(jobId);
    await drive(jobId);
  }

  async function retryFailed() {
    if (!job) return;
    const answer = await postJson<BulkProgress>(`/api/bulk/jobs/${job.progress.jobId}/retry`);
    if (!answer.ok) return setMessage({ ok: false, text: answer.error });
    await refreshRows(job.progress.jobId);
    await drive(job.progress.jobId);
  }

  if (job) {
    const p = job.progress;
    const done = p.issued + p.failed;
    const percent = p.total ? Math.round((done / p.total) * 100) : 0;
    return (
      <div className="flex flex-col gap-6">
        <SectionCard
          title={p.finished ? 'Bulk enrollment finished' : 'Enrolling…'}
          description={
            <>
              Job <code>{p.jobId}</code>: {p.total} rows. Requests are paced under Cloudflare&apos;s API rate limit; each row is issued at most once.
            </>
          }
          contentClassName="flex flex-col gap-3"
        >
          <div
            role="progressbar"
            aria-label="Bulk enrollment progress"
            aria-valuemin={0}
            aria-valuemax={p.total}
            aria-valuenow={done}
            aria-valuetext={`${done} of ${p.total} rows done`}
            className="h-3 w-full overflow-hidden rounded-full bg-muted"
          >
            <div className="h-full bg-primary transition-[width]" style={{ width: `${percent}%` }} />
          </div>
          <p data-testid="bulk-progress" className="text-sm">
            <strong>{done}</strong> of {p.total} done ({percent} %): {p.issued} issued, {p.failed} failed, {p.queued + p.issuing} to go.
          </p>
          {pause ? (
            <p role="status" className="text-sm text-amber-700 dark:text-amber-300">
              {pause}
            </p>
          ) : null}
          <FormMessage
            ok={message ? message.ok : p.failed === 0}
            message={
              message?.text ??
              (p.finished
                ? p.failed === 0
                  ? `All ${p.issued} devices enrolled.`
                  : `${p.issued} devices enrolled, ${p.failed} failed: see each row's reason below.`
                : undefined)
            }
          />
          <div className="flex flex-wrap gap-2">
            {!p.finished && !isDriving ? (
              <Button onClick={() => void drive(p.jobId)}>Continue</Button>
            ) : null}
            {p.finished && p.failed > 0 ? (
              <Button variant="outline" onClick={() => void retryFailed()}>
                <RotateCcw aria-hidden /> Retry failed rows
              </Button>
            ) : null}
            {p.issued > 0 ? (
              // One file for the whole job: every issued certificate and manifest.csv (lib/data/bulk-bundle.ts).
              <a href={`/api/bulk/jobs/${p.jobId}/bundle`} download className={buttonClasses({ variant: 'outline' })}>
                <FileArchive aria-hidden /> Download all certificates (zip, {p.issued})
              </a>
            ) : null}
            {p.finished ? (
              <Button variant="outline" onClick={() => (window.location.href = '/devices/bulk')}>
                <Upload aria-hidden /> Upload another file
              </Button>
            ) : null}
          </div>
        </SectionCard>
        <RowsTable rows={job.rows} />
      </div>
    );
  }

  return (
    <div className="flex flex-col gap-6">
      <SectionCard title="1. Upload and check" description="The dry run reports every problem of every row. Nothing is issued until you start the queue." contentClassName="flex flex-col gap-4">
        <div className="flex flex-wrap items-center gap-3">
          <label className="inline-flex cursor-pointer items-center gap-2 rounded-md bg-primary px-3.5 py-2 text-sm font-medium text-primary-foreground hover:bg-primary/90">
            <FileUp aria-hidden className="size-4" />
            Choose a CSV file
            {/* data-ready: set when React attaches this input (its page hydrates after the shell's mark, behind the route's
                loading boundary), so the end-to-end spec chooses a file only once choosing one does something. */}
            <input
              type="file"
              accept=".csv,text/csv"
              className="sr-only"
              onChange={(e) => void chooseFile(e)}
              aria-label="CSV file"
              ref={(input) => input?.setAttribute('data-ready', 'true')}
            />
          </label>
          <Button variant="ghost" size="sm" onClick={() => saveFile('certfleet-bulk-template.csv', TEMPLATE, 'text/csv')}>
            Download a template
          </Button>
          {csv ? <span className="text-sm text-muted-foreground">{csv.name}</span> : null}
          <span aria-live="polite" className="text-sm text-muted-foreground">
            {busy}
          </span>
        </div>
        <FormMessage ok={message?.ok} message={message?.text} />
        {report ? <DryRunResult report={report} onStart={() => void start()} busy={!!busy} /> : null}
      </SectionCard>
      {recent.length ? <RecentJobs jobs={recent} /> : null}
    </div>
  );
}

const TEMPLATE = [
  'name,group,csr',
  `sensor-001,warehouse,${csvField('-----BEGIN CERTIFICATE REQUEST-----\n(the PEM of sensor-001.csr, e.g. from: cfssl genkey csr.json | cfssljson -bare sensor-001)\n-----END CERTIFICATE REQUEST-----')}`,
  '',
].join('\r\n');

function DryRunResult({ report, onStart, busy }: { report: DryRunReport; onStart: () => void; busy: boolean }) {
  if (report.fileError) {
    return (
      <p role="alert" className="flex items-start gap-2 text-sm text-destructive">
        <CircleAlert aria-hidden className="mt-0.5 size-4 shrink-0" /> {report.fileError}
      </p>
    );
  }
  const ok = report.problems.length === 0;
  return (
    <div data-testid="dry-run" className="flex flex-col gap-3">
      <p className="flex items-center gap-2 text-sm font-medium">
        {ok ? <CircleCheck aria-hidden className="size-4 text-emerald-600" /> : <CircleAlert aria-hidden className="size-4 text-destructive" />}
        {ok
          ? `All ${report.rows} rows are ready. Estimated time: about ${formatSeconds(report.estimatedSeconds || 1)} at Cloudflare's rate limit.`
          : `${report.problems.length} of ${report.rows} rows have problems. Fix them in the file and choose it again; nothing was issued.`}
      </p>
      {!ok ? (
        <Table aria-label="Problems by row">
          <TableHeadings columns={['Row', 'Line', 'Name', 'Problems']} />
          <TableBody>
            {report.problems.map((p) => (
              <TableRow key={p.row} data-testid={`problem-row-${p.row}`}>
                <TableCell>{p.row}</TableCell>
                <TableCell>{p.line}</TableCell>
                <TableCell className="font-mono">{p.name || '—'}</TableCell>
                <TableCell>
                  <ul className="list-disc pl-4">
                    {p.problems.map((text) => (
                      <li key={text}>{text}</li>
                    ))}
                  </ul>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      ) : (
        <div>
          <Button onClick={onStart} disabled={busy}>
            Enroll {report.rows} devices
          </Button>
        </div>
      )}
    </div>
  );
}

function RowsTable({ rows }: { rows: BulkRowView[] }) {
  return (
    <SectionCard title="Result per row">
      <Table aria-label="Result per row">
        <TableHeadings columns={['Row', 'Name', 'Group', 'Status', 'Detail']} />
        <TableBody>
          {rows.map((r) => (
            <TableRow key={r.row} data-testid={`bulk-row-${r.row}`}>
              <TableCell>{r.row}</TableCell>
              <TableCell className="font-mono">{r.name}</TableCell>
              <TableCell>{r.group}</TableCell>
              <TableCell>
                <Badge tone={STATUS_TONE[r.status]}>{STATUS_LABEL[r.status]}</Badge>
              </TableCell>
              <TableCell className="max-w-md text-sm text-muted-foreground">
                {r.status === 'ISSUED' && r.certificateId ? (
                  <Link href={`/certificates/${r.certificateId}`} className="text-primary underline underline-offset-2">
                    Certificate
                  </Link>
                ) : (
                  r.error
                )}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </SectionCard>
  );
}

function RecentJobs({ jobs }: { jobs: BulkJobSummary[] }) {
  return (
    <SectionCard title="Recent bulk jobs" description="Open an unfinished job to continue it.">
      <ul className="flex flex-col gap-1.5 text-sm">
        {jobs.map((j) => (
          <li key={j.id} className="flex flex-wrap items-center gap-2">
            <Link href={`/devices/bulk?job=${j.id}`} className="font-mono text-primary underline underline-offset-2">
              {j.id}
            </Link>
            <span className="text-muted-foreground">
              {new Date(j.createdAt).toLocaleString('en-GB', { timeZone: 'UTC' })} UTC · {j.issued}/{j.total} issued
              {j.failed ? `, ${j.failed} failed` : ''}
            </span>
            {j.finishedAt ? <Badge tone="success">Finished</Badge> : <Badge tone="warning">Unfinished</Badge>}
          </li>
        ))}
      </ul>
    </SectionCard>
  );
}
