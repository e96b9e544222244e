import { SessionsTable } from '@/components/sessions/sessions-table';
import { Card, CardContent, CardDescription, CardHeader } from '@/components/ui/card';
import type { SessionUser } from '@/lib/auth/errors';
import { findSessions, SESSION_LIST_LIMIT } from '@/lib/auth/sessions';
import { endUserSessionAction } from '../actions';

/** Users → Signed-in sessions: every user's open sessions, which an ADMIN may end one by one. */
export async function UserSessions({ user }: { user: SessionUser }) {
  const sessions = await findSessions(user, { everyone: true });
  return (
    <Card className="mt-6">
      <CardHeader>
        <h2 className="text-base font-semibold">Signed-in sessions</h2>
        <CardDescription>
          Every user’s open sessions, most recently seen first{sessions.length >= SESSION_LIST_LIMIT ? ` (the latest ${SESSION_LIST_LIMIT})` : ''}. Ending one signs
          that browser out at its next request and is audited; disabling a user, changing their role or resetting their password ends all of theirs.
        </CardDescription>
      </CardHeader>
      <CardContent>
        <SessionsTable sessions={sessions} showUser endAction={endUserSessionAction} label="Signed-in sessions" />
      </CardContent>
    </Card>
  );
}
