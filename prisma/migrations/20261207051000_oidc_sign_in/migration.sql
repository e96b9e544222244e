-- OIDC single sign-on (issue 17): a user made by single sign-on has no password. NULL says so plainly,
-- and every reader of passwordHash must handle it (the type makes them): password sign-in compares against
-- a dummy hash and refuses, an admin cannot set a password on such an account. A marker value in a NOT NULL
-- column would instead depend on every reader remembering the marker.
ALTER TABLE "User" ALTER COLUMN "passwordHash" DROP NOT NULL;

-- The provider's stable subject (`iss` + `sub`) a user is linked to at their first SSO sign-in; later
-- sign-ins find them by it, even after their email changes at the provider.
ALTER TABLE "User" ADD COLUMN "oidcIssuer" TEXT;
ALTER TABLE "User" ADD COLUMN "oidcSubject" TEXT;
CREATE UNIQUE INDEX "User_oidcIssuer_oidcSubject_key" ON "User"("oidcIssuer", "oidcSubject");
