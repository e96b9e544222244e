import { existsSync } from 'node:fs';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** Debian's Chromium, or CHROMIUM_PATH; undefined when none is installed. */
export function chromiumPath(): string | undefined {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  return CANDIDATES.find((p) => existsSync(p));
}

export const CHROMIUM_HINT =
  'The end-to-end tests drive Debian\'s Chromium, which is not installed.\n' +
  'Install it with:  sudo apt-get update && sudo apt-get install -y chromium\n' +
  '(or point CHROMIUM_PATH at another Chromium/Chrome binary).';
