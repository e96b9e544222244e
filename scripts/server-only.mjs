// Lets Node scripts (npm start, the seed, benchmarks) import modules marked `import 'server-only'`.
// That marker exists to stop a bundler from shipping server code to the browser; in a plain Node
// process there is no browser bundle to protect, so it resolves to an empty module here.
import { register } from 'node:module';

register('data:text/javascript,' + encodeURIComponent(`
export async function resolve(specifier, context, next) {
  if (specifier === 'server-only') return { url: 'data:text/javascript,', shortCircuit: true };
  return next(specifier, context);
}`));
