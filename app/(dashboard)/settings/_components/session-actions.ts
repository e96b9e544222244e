'use server';

import { z } from 'zod';
import { endOtherSessions, endSession } from '@/lib/auth/sessions';
import { action } from '@/lib/server/action';

/** A person ends one of their own sessions (endSession refuses anyone else's unless they are an ADMIN). */
export const endMySessionAction = action(
  { permission: 'settings:view', schema: z.object({ id: z.string().min(1).max(64) }), revalidate: ['/settings'] },
  async (input, { user }) => {
    const { ended, session } = await endSession(user, input.id);
    return { message: ended ? `Ended the session of ${session.browser} (${session.address}): it is signed out at its next request.` : 'That session had already ended.' };
  },
);

/** Every session of the person but the one they act from. */
export const endOtherSessionsAction = action({ permission: 'settings:view', revalidate: ['/settings'] }, async (_input, { user }) => {
  const ended = await endOtherSessions(user);
  return { message: ended ? `Ended ${ended} other session${ended === 1 ? '' : 's'}: each is signed out at its next request.` : 'There were no other sessions to end.' };
});
