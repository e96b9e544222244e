import { describe, expect, it } from 'vitest';
import { ApiPacer, estimatePacedSeconds, parseRateLimitHeader, parseRatePolicyHeader } from './issuance-pacer';

/** A pacer on a fake clock: sleeping advances time instantly. */
function fakePacer(policy = { limit: 100, windowMs: 10_000 }) {
  let now = 0;
  const pacer = new ApiPacer({ policy, now: () => now, sleep: async (ms) => void (now += ms) });
  return { pacer, now: () => now };
}

describe('ApiPacer', () => {
  it('never lets more than 90 % of the limit through in any window', async () => {
    const { pacer, now } = fakePacer();
    const times: number[] = [];
    for (let i = 0; i < 500; i++) {
      await pacer.acquire();
      times.push(now());
    }
    let worst = 0;
    for (let i = 0; i < times.length; i++) {
      let j = i;
      while (j < times.length && times[j] < times[i] + 10_000) j++;
      worst = Math.max(worst, j - i);
    }
    expect(worst).toBeLessThanOrEqual(90);
    // …and is not slower than it has to be: 80 per window after a burst of 10.
    expect(now()).toBeLessThanOrEqual(((500 - 10) / 80) * 10_000 + 1);
  });

  it('learns the policy from ratelimit-policy and waits when few requests remain', async () => {
    const { pacer, now } = fakePacer({ limit: 1200, windowMs: 300_000 });
    pacer.observe(200, new Headers({ 'ratelimit-policy': '"default";q=30;w=10', ratelimit: '"default";r=2;t=4' }));
    expect(pacer.stats.policy).toEqual({ limit: 30, windowMs: 10_000 });
    await pacer.acquire();
    expect(now()).toBeGreaterThanOrEqual(4_000);
  });

  it('pauses every caller for a 429 retry-after and counts it', async () => {
    const { pacer, now } = fakePacer();
    pacer.observe(429, new Headers({ 'retry-after': '7' }));
    await pacer.acquire();
    expect(now()).toBeGreaterThanOrEqual(7_000);
    expect(pacer.stats.rateLimited).toBe(1);
  });

  it('serves concurrent callers one at a time', async () => {
    const { pacer } = fakePacer({ limit: 10, windowMs: 1000 });
    await Promise.all(Array.from({ length: 20 }, () => pacer.acquire()));
    expect(pacer.stats.granted).toBe(20);
  });
});

describe('rate-limit headers', () => {
  it('parses the IETF draft forms Cloudflare and the emulator send', () => {
    expect(parseRatePolicyHeader('"default";q=1200;w=300')).toEqual({ limit: 1200, windowMs: 300_000 });
    expect(parseRatePolicyHeader('1200;w=300')).toEqual({ limit: 1200, windowMs: 300_000 });
    expect(parseRatePolicyHeader(null)).toBeUndefined();
    expect(parseRateLimitHeader('"default";r=17;t=42')).toEqual({ remaining: 17, resetSeconds: 42 });
    expect(parseRateLimitHeader('garbage')).toBeUndefined();
  });
});

describe('estimatePacedSeconds', () => {
  it('puts a 100,000-certificate reconcile (2,000 pages) under 10 minutes at Cloudflare\'s limit', () => {
    const seconds = estimatePacedSeconds(2000);
    expect(seconds).toBeGreaterThan(500);
    expect(seconds).toBeLessThan(600);
  });
});
