// The child process of a contained build (contained-build.ts): bundles the request, its last
// argument, and prints the outcome as one JSON line, `{}` or `{"error": "…"}`.
import { bundleHere, type BuildRequest } from './contained-build.ts';

const request = JSON.parse(process.argv.at(-1)!) as BuildRequest;
if (request.workingDir) process.chdir(request.workingDir);
const error = await bundleHere(request);
process.stdout.write(`${JSON.stringify(error === undefined ? {} : { error })}\n`, () => process.exit(0));
