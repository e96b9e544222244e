import { Badge } from '@/components/ui/badge';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import type { SessionView } from '@/lib/auth/sessions';
import type { ActionState } from '@/lib/validation/action-state';
import { EndSessionButton } from './end-session-button';

const dateTime = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
const when = (iso: string) => `${dateTime.format(new Date(iso))} UTC`;

/**
 * Open sessions, one row each: browser, address, signed in, last seen (to the minute: it is written at most
 * once a minute). The session the list is looked at from is marked and has no "End" (Sign out ends it);
 * with `showUser` (the ADMIN's list of everyone's) the user's email is a column.
 */
export function SessionsTable({
  sessions,
  showUser = false,
  endAction,
  label,
}: {
  sessions: SessionView[];
  showUser?: boolean;
  endAction: (previous: ActionState, form: FormData) => Promise<ActionState>;
  label: string;
}) {
  if (!sessions.length) return <p className="text-sm text-muted-foreground">No open sessions.</p>;
  return (
    <div className="overflow-x-auto">
      <Table aria-label={label}>
        <TableHeader>
          <TableRow>
            {showUser ? <TableHead>User</TableHead> : null}
            <TableHead>Browser</TableHead>
            <TableHead>Address</TableHead>
            <TableHead>Signed in</TableHead>
            <TableHead>Last seen</TableHead>
            <TableHead align="end">
              <span className="sr-only">Actions</span>
            </TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {sessions.map((s) => (
            <TableRow key={s.id} data-session-id={s.id} data-current={s.current || undefined}>
              {showUser ? <TableCell>{s.user.email}</TableCell> : null}
              <TableCell>
                <span className="flex items-center gap-2">
                  {s.browser}
                  {s.current ? <Badge tone="success">This session</Badge> : null}
                </span>
              </TableCell>
              <TableCell className="font-mono text-xs">{s.address}</TableCell>
              <TableCell>{when(s.createdAt)}</TableCell>
              <TableCell>{when(s.lastSeenAt)}</TableCell>
              <TableCell className="text-right">
                {s.current ? null : (
                  <EndSessionButton
                    id={s.id}
                    action={endAction}
                    label={`End the session of ${showUser ? `${s.user.email} on ` : ''}${s.browser} from ${s.address}, signed in ${when(s.createdAt)}`}
                  />
                )}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </div>
  );
}
