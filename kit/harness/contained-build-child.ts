// The child process of a contained build (contained-build.ts): bundles each request of its last
// argument (a JSON array) in turn, its esbuild service as contained as itself, and prints one JSON
// line: an error or null per request.
import { bundleHere, type BuildRequest } from './contained-build.ts';

const requests = JSON.parse(process.argv.at(-1)!) as BuildRequest[];
const errors: Array<string | null> = [];
for (const request of requests) errors.push((await bundleHere(request, true)) ?? null);
process.stdout.write(`${JSON.stringify(errors)}\n`, () => process.exit(0));
