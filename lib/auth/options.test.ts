import { afterEach, describe, expect, it, vi } from 'vitest';
import { authOptions } from './options';

afterEach(() => vi.restoreAllMocks());

describe('next-auth logging', () => {
  it('logs a tampered session cookie as one line without a stack trace, and other errors as their message only', () => {
    const warned = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const errored = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const decryption = Object.assign(new Error('decryption operation failed'), { name: 'JWEDecryptionFailed' });
    authOptions.logger!.error!('JWT_SESSION_ERROR', decryption);
    expect(warned).toHaveBeenCalledTimes(1);
    expect(warned.mock.calls[0]).toHaveLength(1);
    expect(String(warned.mock.calls[0]![0])).not.toMatch(/\n/);
    expect(errored).not.toHaveBeenCalled();

    authOptions.logger!.error!('CALLBACK_CREDENTIALS_HANDLER_ERROR', new Error('boom'));
    expect(errored.mock.calls).toEqual([['[auth] CALLBACK_CREDENTIALS_HANDLER_ERROR: boom']]);
  });
});

describe('sign-in providers from the environment', () => {
  const SSO_ENV = {
    OIDC_ISSUER: 'https://login.example.com',
    OIDC_CLIENT_ID: 'certfleet',
    OIDC_CLIENT_SECRET: 'options-test-secret',
    OIDC_ROLE_MAP: 'fleet-admins=ADMIN',
    OIDC_NAME: 'Acme login',
  };

  async function optionsWith(env: Record<string, string>) {
    vi.resetModules();
    for (const [key, value] of Object.entries(env)) vi.stubEnv(key, value);
    try {
      return (await import('./options')).authOptions;
    } finally {
      vi.unstubAllEnvs();
    }
  }

  it('offers only the password provider when OIDC is not configured', async () => {
    const options = await optionsWith({});
    expect(options.providers.map((p) => p.id)).toEqual(['credentials']);
  });

  it('adds the OIDC provider, labelled by OIDC_NAME, with PKCE, state and nonce', async () => {
    const options = await optionsWith(SSO_ENV);
    expect(options.providers.map((p) => p.id)).toEqual(['credentials', 'oidc']);
    expect(options.providers[1]).toMatchObject({ name: 'Acme login', type: 'oauth', wellKnown: 'https://login.example.com/.well-known/openid-configuration', checks: ['pkce', 'state', 'nonce'] });
  });

  it('with CERTFLEET_PASSWORD_SIGNIN=off, has no password provider and its signIn callback refuses credentials', async () => {
    const options = await optionsWith({ ...SSO_ENV, CERTFLEET_PASSWORD_SIGNIN: 'off' });
    expect(options.providers.map((p) => p.id)).toEqual(['oidc']);
    const user = { id: 'u1', email: 'a@b.test', name: 'A', role: 'ADMIN' as const };
    await expect(options.callbacks!.signIn!({ user, account: { provider: 'credentials', type: 'credentials', providerAccountId: 'u1' } })).resolves.toBe(false);
  });

  it('refuses to load with a broken setting, naming what is wrong', async () => {
    await expect(optionsWith({ OIDC_ISSUER: 'https://login.example.com' })).rejects.toThrow(/OIDC_CLIENT_ID is required/);
  });
});
