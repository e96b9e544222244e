import { RowActionButton } from '@/components/ui/action-buttons';
import { Badge } from '@/components/ui/badge';
import { SimpleTable } from '@/components/ui/simple-table';
import { TableCell, TableRow } from '@/components/ui/table';
import type { SessionView } from '@/lib/auth/sessions';
import type { ActionState } from '@/lib/validation/action-state';

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
    <SimpleTable label={label} columns={[...(showUser ? ['User'] : []), 'Browser', 'Address', 'Signed in', 'Last seen', { label: 'Actions', align: 'end', srOnly: true }]}>
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
              <RowActionButton
                action={endAction}
                fields={{ id: s.id }}
                name={`End the session of ${showUser ? `${s.user.email} on ` : ''}${s.browser} from ${s.address}, signed in ${when(s.createdAt)}`}
                label="End"
                pendingLabel="Ending…"
                className="flex items-center justify-end gap-2"
              />
            )}
          </TableCell>
        </TableRow>
      ))}
    </SimpleTable>
  );
}
