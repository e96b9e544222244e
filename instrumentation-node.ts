import { AuthConfigError, describeSso, readAuthConfig } from './lib/auth/sso-config';

/*
 * A sign-in setting that cannot work (OIDC half configured, a role map naming no role, passwords off
 * without SSO) stops the server at start with every problem named, rather than surfacing as a broken
 * sign-in page later. Imported by instrumentation.ts in the Node.js runtime only.
 */
try {
  const { sso, passwordSignIn } = readAuthConfig();
  if (sso) {
    const shown = describeSso(sso);
    console.log(`[auth] single sign-on through ${shown.issuer} (client ${shown.clientId}, roles from "${shown.roleClaim}": ${shown.roleMap}); password sign-in ${passwordSignIn ? 'on' : 'off'}`);
  }
} catch (error) {
  if (!(error instanceof AuthConfigError)) throw error;
  console.error(`[auth] ${error.message}\n[auth] certfleet will not start until this is fixed (docs/security.md, "Single sign-on").`);
  process.exit(1);
}
