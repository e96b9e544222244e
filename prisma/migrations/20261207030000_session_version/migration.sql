-- Sessions that end (issue 13): each session token carries the user's session version from sign-in; a
-- token whose version is not the user's current one is refused. Sign-out, a password reset, disabling,
-- enabling and a role change bump it, ending every session of that user at once.
ALTER TABLE "User" ADD COLUMN "sessionVersion" INTEGER NOT NULL DEFAULT 0;
