// Ports for tests that need a port number before anything listens on it (a server that is down,
// a port the student's code must bind). Taking one with listen(0) and closing it again races: the
// kernel may hand the same port to the next listen(0) of a test running alongside. So these are
// drawn below the kernel's ephemeral range, which listen(0) and outgoing connections never get.
import { once } from 'node:events';
import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const HOST = '127.0.0.1';
/** ClassChat's default port, which a person may be running by hand: never used by a test. */
const DEFAULT_PORT = 12345;

/** Where the kernel's ephemeral ports begin (Linux: /proc; elsewhere 32768, below macOS's 49152 too). */
function ephemeralLow(): number {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || 32_768;
  } catch {
    return 32_768;
  }
}

/**
 * A port on loopback that nothing listens on, and that no test's listen(0) can take meanwhile.
 * (Not drawn from the suite's seed: how many draws it takes depends on the machine, and a replay
 * must draw the same inputs.)
 */
export async function unusedPort(): Promise<number> {
  const high = Math.max(20_001, ephemeralLow() - 1);
  for (;;) {
    const port = randomInt(20_000, high + 1);
    if (port === DEFAULT_PORT) continue;
    const probe = createServer();
    probe.on('error', () => {});
    probe.listen(port, HOST);
    const event = await Promise.race([once(probe, 'listening').then(() => 'listening'), once(probe, 'error').then(() => 'error')]);
    if (event !== 'listening') continue; // taken: draw another
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    return port;
  }
}
