import type { DefaultSession } from 'next-auth';
import type { RoleName } from './permissions';

// The session and token carry who is signed in and with which role; lib/auth/options.ts fills them.
declare module 'next-auth' {
  interface User {
    role: RoleName;
  }
  interface Session {
    user: { id: string; email: string; name: string; role: RoleName } & Omit<DefaultSession['user'], 'email' | 'name'>;
  }
}

declare module 'next-auth/jwt' {
  interface JWT {
    id?: string;
    role?: RoleName;
  }
}
