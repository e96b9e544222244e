import { EndOtherSessionsButton } from '@/components/sessions/end-session-button';
import { SessionsTable } from '@/components/sessions/sessions-table';
import { Card, CardContent, CardDescription, CardHeader } from '@/components/ui/card';
import type { SessionUser } from '@/lib/auth/errors';
import { findSessions } from '@/lib/auth/sessions';
import { endMySessionAction, endOtherSessionsAction } from './session-actions';

/** Settings → Sessions: where the person is signed in, with "End" per session and "End all other sessions". */
export async function Sessions({ user }: { user: SessionUser }) {
  const sessions = await findSessions(user);
  const others = sessions.filter((s) => !s.current).length;
  return (
    <Card className="max-w-4xl">
      <CardHeader>
        <h2 className="text-base font-semibold">Sessions</h2>
        <CardDescription>
          Where you are signed in. Ending a session signs that browser out at its next request; signing out here ends all of them. A session not used for 12 hours
          ends by itself.
        </CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        <SessionsTable sessions={sessions} endAction={endMySessionAction} label="Your sessions" />
        <EndOtherSessionsButton action={endOtherSessionsAction} disabled={others === 0} />
      </CardContent>
    </Card>
  );
}
