import { When } from '@/components/alerts/alert-badges';
import { Badge } from '@/components/ui/badge';
import { Card, CardContent, CardDescription, CardHeader } from '@/components/ui/card';
import { SimpleTable } from '@/components/ui/simple-table';
import { TableCell, TableRow } from '@/components/ui/table';
import type { SessionUser } from '@/lib/auth/errors';
import { getJobsStatus } from '@/lib/data/jobs';

const every = (ms: number) => (ms >= 3_600_000 ? `${ms / 3_600_000} h` : ms >= 60_000 ? `${ms / 60_000} min` : `${ms / 1000} s`);

/** Background jobs as the queue ran them: the latest run of each, and the workers alive now. */
export async function JobsStatus({ user }: { user: SessionUser }) {
  const { jobs, workers } = await getJobsStatus(user);
  const alive = workers.filter((w) => w.alive);
  return (
    <Card>
      <CardHeader>
        <div className="flex items-center gap-2">
          <h2 className="text-base font-semibold">Background jobs</h2>
          {alive.length ? <Badge tone="success">{alive.length} worker{alive.length === 1 ? '' : 's'} running</Badge> : <Badge tone="danger">No worker running</Badge>}
        </div>
        <CardDescription>
          Run from a queue in PostgreSQL by every job worker (<code>npm start</code> runs one; <code>npm run worker</code> more): each slot runs once, on one worker.
        </CardDescription>
      </CardHeader>
      <CardContent>
        <SimpleTable label="Background jobs" columns={['Job', 'Every', 'Last run', 'Result', 'Failures (24 h)']}>
          {jobs.map((j) => (
            <TableRow key={j.job} data-job={j.job}>
              <TableCell className="font-mono text-xs">{j.job}</TableCell>
              <TableCell>{every(j.everyMs)}</TableCell>
              <TableCell>{j.lastStartedAt ? <When at={j.lastStartedAt} className="text-xs" /> : <span className="text-muted-foreground">not yet</span>}</TableCell>
              <TableCell className="max-w-md whitespace-normal text-xs">
                {j.lastOk === null ? (
                  j.lastStartedAt ? (
                    'running'
                  ) : (
                    ''
                  )
                ) : j.lastOk ? (
                  (j.lastSummary ?? 'nothing to do')
                ) : (
                  <span className="text-red-700 dark:text-red-300">{j.lastError}</span>
                )}
              </TableCell>
              <TableCell className="tabular-nums">{j.failuresToday}</TableCell>
            </TableRow>
          ))}
        </SimpleTable>
      </CardContent>
    </Card>
  );
}
