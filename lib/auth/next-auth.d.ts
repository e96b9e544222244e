import type { DefaultSession } from 'next-auth';
import type { RoleName } from './permissions';

// The session and token carry who is signed in and with which role; lib/auth/options.ts fills them.
declare module 'next-auth' {
  interface User {
    role: RoleName;
    sessionVersion?: number;
  }
  interface Session {
    user: { id: string; email: string; name: string; role: RoleName } & Omit<DefaultSession['user'], 'email' | 'name'>;
    /** The user's session version when this session signed in (lib/auth/session.ts compares it). */
    sessionVersion?: number;
    /** The `UserSession` row made at sign-in (lib/auth/sessions.ts); an ended row refuses the session. */
    sessionId?: string;
  }
}

declare module 'next-auth/jwt' {
  interface JWT {
    id?: string;
    role?: RoleName;
    /** User.sessionVersion at sign-in; a bump since ends this token. */
    sv?: number;
    /** The id of this sign-in's `UserSession` row; ending the row ends this token alone. */
    sid?: string;
  }
}
