import { describe, expect, it } from 'vitest';
import { AuthConfigError, claimValues, describeSso, parseRoleMap, readAuthConfig, roleFromClaims } from './sso-config';

const ENV = {
  OIDC_ISSUER: 'https://login.example.com/realms/acme/',
  OIDC_CLIENT_ID: 'certfleet',
  OIDC_CLIENT_SECRET: 's3cret-value-never-shown',
  OIDC_ROLE_MAP: 'fleet-admins=ADMIN, fleet-support=SUPPORT,fleet-managers=manager',
};

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    readAuthConfig(env);
  } catch (error) {
    if (error instanceof AuthConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected the settings to be refused');
}

describe('readAuthConfig', () => {
  it('leaves single sign-on off and passwords on when nothing is set', () => {
    expect(readAuthConfig({})).toEqual({ sso: null, passwordSignIn: true });
  });

  it('reads a complete OIDC setting with its defaults', () => {
    const { sso, passwordSignIn } = readAuthConfig({ ...ENV, CERTFLEET_PASSWORD_SIGNIN: 'off' });
    expect(passwordSignIn).toBe(false);
    expect(sso).toMatchObject({ issuer: 'https://login.example.com/realms/acme', clientId: 'certfleet', name: 'single sign-on', roleClaim: 'groups' });
    expect([...sso!.roleMap]).toEqual([['fleet-admins', 'ADMIN'], ['fleet-support', 'SUPPORT'], ['fleet-managers', 'MANAGER']]);
  });

  it('names every missing variable once any OIDC_ variable is set, and never echoes the secret', () => {
    const problems = problemsOf({ OIDC_CLIENT_SECRET: 'hunter2-secret', OIDC_CLIENT_ID: '  ' });
    expect(problems).toEqual([
      expect.stringMatching(/^OIDC_ISSUER is required/),
      expect.stringMatching(/^OIDC_CLIENT_ID is required/),
      expect.stringMatching(/^OIDC_ROLE_MAP is required/),
    ]);
    expect(problems.join('\n')).not.toContain('hunter2');
  });

  it('refuses an issuer that is not an http(s) URL', () => {
    expect(problemsOf({ ...ENV, OIDC_ISSUER: 'login.example.com' })).toEqual([expect.stringMatching(/^OIDC_ISSUER must be an http\(s\) URL/)]);
    expect(problemsOf({ ...ENV, OIDC_ISSUER: 'ftp://login.example.com' })).toEqual([expect.stringMatching(/^OIDC_ISSUER must be an http\(s\) URL/)]);
  });

  it('refuses a role map naming an unknown role or a malformed pair', () => {
    expect(problemsOf({ ...ENV, OIDC_ROLE_MAP: 'fleet-admins=ROOT,justagroup' })).toEqual([
      'OIDC_ROLE_MAP entry "fleet-admins=ROOT": "ROOT" is not a role (use ADMIN, SUPPORT, MANAGER)',
      'OIDC_ROLE_MAP entry "justagroup" is not group=ROLE',
    ]);
  });

  it('reads the scopes asked for, which must include openid', () => {
    expect(readAuthConfig({ ...ENV, OIDC_SCOPES: 'openid,email  groups' }).sso?.scopes).toBe('openid email groups');
    expect(problemsOf({ ...ENV, OIDC_SCOPES: 'email groups' })).toEqual([expect.stringMatching(/^OIDC_SCOPES must include openid/)]);
  });

  it('refuses switching passwords off without single sign-on, and an unknown switch value', () => {
    expect(problemsOf({ CERTFLEET_PASSWORD_SIGNIN: 'off' })).toEqual([expect.stringMatching(/^CERTFLEET_PASSWORD_SIGNIN=off needs single sign-on/)]);
    expect(problemsOf({ ...ENV, CERTFLEET_PASSWORD_SIGNIN: 'no' })).toEqual(['CERTFLEET_PASSWORD_SIGNIN must be "on" or "off"']);
  });

  it('describes the setting without its secret', () => {
    const described = describeSso(readAuthConfig({ ...ENV, OIDC_NAME: 'Acme login' }).sso!);
    expect(described).toEqual({
      name: 'Acme login',
      issuer: 'https://login.example.com/realms/acme',
      clientId: 'certfleet',
      scopes: 'openid email profile',
      roleClaim: 'groups',
      roleMap: 'fleet-admins=ADMIN,fleet-support=SUPPORT,fleet-managers=MANAGER',
    });
    expect(JSON.stringify(described)).not.toContain(ENV.OIDC_CLIENT_SECRET);
  });
});

describe('parseRoleMap', () => {
  it('splits on the last "=" so a group may contain one, and refuses one group mapped to two roles', () => {
    expect([...parseRoleMap('team=ops=SUPPORT').map]).toEqual([['team=ops', 'SUPPORT']]);
    expect(parseRoleMap('ops=SUPPORT,ops=ADMIN').problems).toEqual(['OIDC_ROLE_MAP maps "ops" twice (SUPPORT and ADMIN)']);
    expect(parseRoleMap(' , ').problems).toEqual(['OIDC_ROLE_MAP maps no group to a role']);
  });
});

describe('roleFromClaims', () => {
  const config = readAuthConfig(ENV).sso!;

  it('gives the highest role any group maps to', () => {
    expect(roleFromClaims({ groups: ['fleet-managers', 'fleet-admins', 'fleet-support'] }, config)).toBe('ADMIN');
    expect(roleFromClaims({ groups: ['fleet-managers', 'fleet-support'] }, config)).toBe('SUPPORT');
    expect(roleFromClaims({ groups: ['fleet-managers'] }, config)).toBe('MANAGER');
  });

  it('gives no role when no group maps, the claim is missing, or it holds something else', () => {
    expect(roleFromClaims({ groups: ['everyone', 'FLEET-ADMINS'] }, config)).toBeNull();
    expect(roleFromClaims({}, config)).toBeNull();
    expect(roleFromClaims({ groups: { admin: true } }, config)).toBeNull();
    expect(roleFromClaims({ groups: [42, null] }, config)).toBeNull();
  });

  it('reads a single string, a nested claim path, and a claim whose name has dots', () => {
    expect(roleFromClaims({ groups: 'everyone fleet-support' }, config)).toBe('SUPPORT');
    expect(roleFromClaims({ realm_access: { roles: ['fleet-admins'] } }, { ...config, roleClaim: 'realm_access.roles' })).toBe('ADMIN');
    expect(claimValues({ 'https://acme.example/groups': ['a', 'b'] }, 'https://acme.example/groups')).toEqual(['a', 'b']);
  });
});
