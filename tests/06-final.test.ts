// Stage 6 graded suite: the complete server and client, tested from outside as programs. The tests
// start them as processes and use only TCP, stdin, stdout, stderr, signals and exit codes, so
// SERVER_CMD / CLIENT_CMD can grade a ClassChat written in any language (guide/06-final.md).
import { describe } from 'vitest';
import { check } from '../kit/harness/failure.ts';
import { graded } from '../kit/harness/graded.ts';
import { rule } from '../kit/harness/rule.ts';
import { showText } from '../kit/harness/show.ts';
import { ACK, BUSY, GOODBYE, SHUTDOWN, TOO_LONG, busyVisitor, closedPort, connectWhenFree, flood, received, recordRaw, scriptedServer, socketsSettle, takenPort, watchSockets } from './06-final/peers.ts';
import { HOST, LISTENING, clientPrints, expectExit, launch, peakMemory, startClient, startServer, startWithin, stderrLines } from './06-final/programs.ts';

const GUIDE = 'guide/06-final.md';

/**
 * A stage 6 check whose rule an earlier stage's module implements: its failure names that stage,
 * its chapter section and its command, since the fix belongs there (or in how it is wired in).
 */
const earlier = (stage: number, section: string, hint: string): { hint: string; guide: string } => {
  const chapter = ['01-socket', '02-listen', '03-accept', '04-loop', '05-exit'][stage - 1];
  return { hint: `${hint} That is your stage ${stage} code: \`make stage-${stage}\`.`, guide: `guide/${chapter}.md § ${section}` };
};
const DECODER = earlier(4, 'The line decoder', 'Stage 4\'s LineDecoder keeps the bytes after the last "\\n" and drops only the "\\r" right before it; the server must read through readMessages().');
const CHARACTERS = earlier(4, 'Bytes before characters', 'Stage 4\'s decoder turns a line into text only once it is complete, so a character split between chunks stays whole and bad bytes become U+FFFD.');
const REPLIES = earlier(4, 'The reply loop', 'Stage 4\'s replyTo() quotes the line exactly as it came, spaces included, and answers nothing to a blank line.');
const TOO_LONG_RULE = earlier(4, 'Lines that are too long', 'Stage 4\'s decoder counts bytes, reports a line over 1024 bytes once and keeps at most about 1024 bytes of it.');
const BUSY_RULE = earlier(3, 'The busy rule', 'Stage 3\'s acceptClients() turns newcomers away while a client is served and frees the seat on that client\'s \'close\', whether it left by exit, by closing or by a reset.');
const GREETING_RULE = earlier(3, 'Reading the greeting', 'Stage 3\'s readAck() must give back the bytes that came after the greeting (socket.unshift) and leave the socket paused.');
const SESSION_RULE = earlier(5, 'The session', 'Stage 5\'s serveSession() answers exit with end(GOODBYE) and serves nothing more on that connection.');
const SHUTDOWN_RULE = earlier(5, 'Shutting down', 'Stage 5\'s shutdown() sends the shutdown line to the client, closes every connection and the listener.');
const OWN_DECODER_RULE = earlier(4, 'The reply loop', 'Stage 4\'s readMessages() creates its LineDecoder inside the function: one per connection, so a line left unfinished by one client never reaches the next.');
const BUSY_LEAK_RULE = earlier(3, 'The busy rule', 'After end(BUSY), call resume() on the busy socket: a socket nobody reads never sees the client\'s FIN or reset, so it never closes.');
/** Busy visitors in the fd check, and the fds a server may still be closing when it is counted. */
const BUSY_VISITORS = 60;
const FD_SLACK = 3;
const CLIENT_RULE = earlier(5, "The client's side", "Stage 5's runClient() prints each server line verbatim, sends \"exit\" when the input ends and resolves 'lost' or 'goodbye' from the last line.");
/** Size of the line with no end in the 1024-byte test; bounded servers grow by well under half of it. */
const FLOOD_MIB = 128;

describe('06 the complete server and client', () => {
  graded('course test 1: the server starts, the client connects and prints the ACK', {
    points: 0.5,
    hint: 'The server prints its listening line first; the client connects to --host/--port and prints the greeting as it came.',
    guide: `${GUIDE} § The five course test cases`,
  }, async (t) => {
    const startedAt = Date.now();
    const { port } = await startServer(t, { startedAt });
    const client = startClient(t, port);
    await clientPrints(client, ACK, startWithin(startedAt));
  });

  graded('course test 2: "Hello, Server!" typed into the client gets its reply', {
    points: 0.5,
    hint: 'Send each line read from stdin with "\\n" after it, and print every line the server sends back.',
    guide: `${GUIDE} § Assembling the client`,
  }, async (t) => {
    const startedAt = Date.now();
    const { port } = await startServer(t, { startedAt });
    const client = startClient(t, port);
    await clientPrints(client, ACK, startWithin(startedAt));
    client.typeLine('Hello, Server!');
    await clientPrints(client, received('Hello, Server!'));
  });

  graded('course test 3: many messages typed in a row all come back, in order', {
    points: 0.5,
    hint: 'Typed lines can reach the client and the server together in one chunk: split on "\\n", never one read = one message.',
    guide: `${GUIDE} § Assembling the client`,
  }, async (t) => {
    const startedAt = Date.now();
    const { port } = await startServer(t, { startedAt });
    const client = startClient(t, port);
    await clientPrints(client, ACK, startWithin(startedAt));
    const messages = Array.from({ length: 30 }, (_, i) => `message ${i + 1} of 30`);
    messages.splice(15, 0, 'ünïcødé ✓ 🎉 and "quotes"');
    for (const m of messages) client.typeLine(m);
    for (const m of messages) await clientPrints(client, received(m));
  });

  graded('course test 4: exit ends the client with code 0, and the server serves the next client', {
    points: 0.5,
    hint: 'Answer "exit" (any case, spaces around) with the goodbye line and close that connection only; the client exits 0 after the goodbye.',
    guide: `${GUIDE} § Exit codes`,
  }, async (t) => {
    const startedAt = Date.now();
    const { program: server, port } = await startServer(t, { startedAt });
    const client = startClient(t, port);
    await clientPrints(client, ACK, startWithin(startedAt));
    client.typeLine('exit');
    await clientPrints(client, GOODBYE);
    await expectExit(t, client, 0, 'after the goodbye');
    await rule(SESSION_RULE, async () => {
      const next = await connectWhenFree(t, port, 'next client');
      next.sendLine('  ExIt  ');
      await next.expectLine(GOODBYE);
      await next.expectClose('the server to close the connection after the goodbye');
    });
    check(!server.hasExited, 'the server to keep running after its client said exit', () => 'it exited');
  });

  graded('course test 5: with no server running, the client says to start it and exits with code 1', {
    points: 0.5,
    hint: 'Catch the refused connection; print one line on stderr naming host:port and saying the server is not running and how to start it; exit 1.',
    guide: `${GUIDE} § Exit codes`,
  }, async (t) => {
    const port = await closedPort();
    t.transcript.note(`nothing listens on ${HOST}:${port}`);
    const client = startClient(t, port);
    await expectExit(t, client, 1, 'the server is unreachable', startWithin(Date.now()));
    const said = stderrLines(client).join('\n');
    const address = `${HOST}:${port}`;
    check(/server/i.test(said) && /start|running/i.test(said) && said.includes(address),
      `a message on stderr that names ${address} and says the server is not running or how to start it`,
      () => (said ? showText(said, 300) : 'nothing on stderr'));
  });

  graded('server: lines split across chunks or merged, CRLF, split and invalid UTF-8; blank lines get no reply', {
    points: 0.5,
    hint: 'Keep the bytes after the last "\\n" for the next chunk, drop one "\\r" before it, decode whole lines (bad bytes become U+FFFD), skip blank ones.',
    guide: `${GUIDE} § When a rule breaks`,
  }, async (t) => {
    const { port } = await startServer(t);
    const c = await t.connect(port);
    await c.expectLine(ACK);
    const raw = recordRaw(c);
    await rule(DECODER, async () => {
      c.send('one\ntwo\nthree\n');
      for (const m of ['one', 'two', 'three']) await c.expectLine(received(m));
      // Each reply proves the server has read the chunk holding the first half of the next line.
      c.send('first half next\nHello, ');
      await c.expectLine(received('first half next'));
      c.send('Server!\n');
      await c.expectLine(received('Hello, Server!'));
    });
    await rule(CHARACTERS, async () => {
      const word = Buffer.from('café ✓\n');
      const cut = word.indexOf(0xc3) + 1; // inside the two bytes of "é"
      c.sendBytes(Buffer.concat([Buffer.from('a split character next\n'), word.subarray(0, cut)]));
      await c.expectLine(received('a split character next'));
      c.sendBytes(word.subarray(cut));
      await c.expectLine(received('café ✓'));
    });
    await rule(DECODER, async () => {
      c.send('sent with CRLF\r\n');
      await c.expectLine(received('sent with CRLF'));
      c.send('a lone \r inside\n');
      await c.expectLine(received('a lone \r inside'));
    });
    await rule(CHARACTERS, async () => {
      c.sendBytes(Buffer.from([0x62, 0x61, 0x64, 0x20, 0xff, 0x21, 0x0a]), 'bytes "bad \\xff!\\n" (0xff is never valid UTF-8)');
      await c.expectLine(received('bad \uFFFD!'));
    });
    await rule(REPLIES, async () => {
      c.send('\n   \n\t\r\n \r\nafter blank lines\n');
      await c.expectLine(received('after blank lines'));
      c.send('  spaces around, kept  \n');
      await c.expectLine(received('  spaces around, kept  '));
    });
    const bytes = raw();
    const crlf = bytes.replace('a lone \r inside', '');
    await rule(DECODER, () => check(!crlf.includes('\r'), 'replies that end in "\\n" with no "\\r" other than the one sent inside a line (the "\\r" of CRLF is dropped)',
      () => `a "\\r" in what arrived: ${showText(crlf.slice(Math.max(0, crlf.indexOf('\r') - 40), crlf.indexOf('\r') + 2))}`));
  });

  graded('server: a line over 1024 bytes gets one error line, and the connection stays usable', {
    points: 0.5,
    hint: 'Count bytes, not characters; once a line passes 1024 bytes send the error once, drop the rest up to "\\n", and keep at most 1024 bytes.',
    guide: `${GUIDE} § When a rule breaks`,
  }, async (t) => {
    const { program: server, port } = await startServer(t);
    const c = await t.connect(port);
    await c.expectLine(ACK);
    await rule(TOO_LONG_RULE, async () => {
      c.sendLine('a'.repeat(1024));
      await c.expectLine(received('a'.repeat(1024)));
      c.sendLine('b'.repeat(1025));
      await c.expectLine(TOO_LONG);
      c.sendLine('still usable');
      await c.expectLine(received('still usable'));
      c.sendLine('é'.repeat(513)); // 513 characters, 1026 bytes
      await c.expectLine(TOO_LONG);
    });
    // A line with no end: a server that keeps it all runs out of memory (or time, if it rescans it).
    const memory = peakMemory(server);
    await flood(t, c, FLOOD_MIB);
    c.send('\nafter the flood\n');
    await c.expectLine(TOO_LONG, { within: 5000 });
    await c.expectLine(received('after the flood'));
    if (memory) {
      const grown = memory.grownMiB();
      check(grown < FLOOD_MIB / 2, `the server's peak memory to grow by less than ${FLOOD_MIB / 2} MiB while ${FLOOD_MIB} MiB of one line arrived`,
        () => `it grew by ${Math.round(grown)} MiB (${Math.round(memory.startMiB)} → ${Math.round(memory.startMiB + grown)} MiB): the discarded bytes are being kept`);
    }
  });

  graded('server: a second client is turned away as busy; after the first leaves, the next is served', {
    points: 0.5,
    hint: 'Remember the client being served; greet newcomers with the busy line and close them; forget the client when its connection closes.',
    guide: `${GUIDE} § When a rule breaks`,
  }, async (t) => {
    const { program: server, port } = await startServer(t);
    const first = await t.connect(port, { who: 'client 1' });
    await first.expectLine(ACK);
    first.sendLine('first');
    await first.expectLine(received('first'));
    await rule(BUSY_RULE, async () => {
      const second = await t.connect(port, { who: 'client 2' });
      await second.expectLine(BUSY);
      await second.expectClose('the server to close client 2 after the busy line');
      first.sendLine('still served');
      await first.expectLine(received('still served'));
      // A busy visitor's close must not free the seat: client 1 is still being served.
      const again = await t.connect(port, { who: 'client 3' });
      await again.expectLine(BUSY);
      await again.expectClose('the server to close client 3 after the busy line');
    });
    await rule(SESSION_RULE, async () => {
      first.sendLine('exit');
      await first.expectLine(GOODBYE);
      await first.expectClose('the server to close client 1 after the goodbye');
    });
    const sixth = await rule(BUSY_RULE, async () => {
      // Leaving by exit, by closing the connection, and by a reset: each frees the seat.
      const fourth = await connectWhenFree(t, port, 'client 4');
      fourth.sendLine('fourth');
      await fourth.expectLine(received('fourth'));
      // It hangs up in the middle of a line: those bytes must die with its connection.
      fourth.send('half a line, then client 4 hangs up');
      fourth.end();
      await fourth.expectClose('the server to close client 4 after it closed its side');
      const fifth = await connectWhenFree(t, port, 'client 5');
      fifth.sendLine('fifth');
      await rule(OWN_DECODER_RULE, () => fifth.expectLine(received('fifth')));
      fifth.sendLine('a line the server may not read before the reset');
      fifth.reset();
      const served = await connectWhenFree(t, port, 'client 6');
      served.sendLine('sixth');
      await served.expectLine(received('sixth'));
      return served;
    });
    // Visitors turned away while client 6 is served, who send a line and then reset or hang up:
    // each one's socket must close in the server too, or it keeps a file descriptor for good.
    const sockets = watchSockets(server, port);
    if (sockets === undefined) return;
    await rule(BUSY_LEAK_RULE, async () => {
      t.transcript.note(`${BUSY_VISITORS} more clients, each turned away as busy, send a line and reset or close; the server holds ${sockets.before} open sockets`);
      for (let i = 0; i < BUSY_VISITORS; i++) await busyVisitor(t, port, i % 2 === 0 ? 'reset' : 'close');
      const after = await socketsSettle(sockets, FD_SLACK);
      check(after.kept <= FD_SLACK, `the server to hold about as many open file descriptors as before ${BUSY_VISITORS} busy visitors came and went`,
        () => `${sockets.before} open sockets before, ${after.open} after, ${after.opened} of them opened since; ${after.closeWait} connections closed by their client still open on its port: the sockets of clients turned away are never closed`, t.transcript);
      sixth.sendLine('still here');
      await sixth.expectLine(received('still here'));
    });
  });

  graded('server: SIGTERM and SIGINT say goodbye and exit 0; a taken port exits 1; bad usage exits 2; --help; flags beat env', {
    points: 0.5,
    hint: 'On SIGINT/SIGTERM send the shutdown line, close and exit 0; on EADDRINUSE print one line naming the port and exit 1; an unknown flag: one line on stderr, exit 2; --port beats CLASSCHAT_PORT.',
    guide: `${GUIDE} § Shutting down`,
  }, async (t) => {
    const startedAt = Date.now();
    const taken = await takenPort(t);
    // Five servers start at once; each is then checked in turn.
    const inUse = launch(t, 'server', { who: 'server C', args: ['--host', HOST, '--port', String(taken)] });
    const help = launch(t, 'server', { who: 'server D', args: ['--help'] });
    const bogus = launch(t, 'server', { who: 'server E', args: ['--host', HOST, '--port', '0', '--bogus'] });
    const [term, int] = await Promise.all([
      // CLASSCHAT_PORT names a taken port, but the --port flag must win.
      startServer(t, { who: 'server A', startedAt, env: { CLASSCHAT_PORT: String(taken) } }),
      startServer(t, { who: 'server B', startedAt }),
    ]);
    for (const [server, sig] of [[term, 'SIGTERM'], [int, 'SIGINT']] as const) {
      const c = await t.connect(server.port, { who: `client of ${server.program.who}` });
      await c.expectLine(ACK);
      c.sendLine('before the signal');
      await c.expectLine(received('before the signal'));
      server.program.signal(sig);
      await rule(SHUTDOWN_RULE, async () => {
        await c.expectLine(SHUTDOWN);
        await c.expectClose(`${server.program.who} to close the connection after the shutdown line`);
      });
      await expectExit(t, server.program, 0, `it got ${sig}`);
    }
    await expectExit(t, inUse, 1, `port ${taken} is in use`, startWithin(startedAt));
    const lines = stderrLines(inUse);
    check(lines.length === 1 && lines[0].includes(String(taken)), `one line on stderr that names port ${taken}`,
      () => (lines.length ? showText(lines.join('\n'), 300) : 'nothing on stderr'));
    check(!inUse.out.stdout.captured().split('\n').some((l) => LISTENING.test(l)), 'no listening line when the port is taken', () => 'a listening line on stdout');
    await expectExit(t, help, 0, 'it printed its usage for --help', startWithin(startedAt));
    const usage = help.out.stdout.captured() + help.out.stderr.captured();
    check(usage.includes('--port') && usage.includes('--host'), 'usage text that mentions --host and --port', () => (usage.trim() ? showText(usage.trim(), 300) : 'no output'));
    await expectExit(t, bogus, 2, 'unknown flag --bogus', startWithin(startedAt));
    const complaint = stderrLines(bogus);
    check(complaint.length === 1 && complaint[0].includes('--bogus'), 'one line on stderr that names the unknown flag --bogus',
      () => (complaint.length ? showText(complaint.join('\n'), 300) : 'nothing on stderr'));
    check(!bogus.out.stdout.captured().split('\n').some((l) => LISTENING.test(l)), 'no listening line after bad usage', () => 'a listening line on stdout');
  });

  graded('client: exits 0 after the goodbye or shutdown line, 1 when busy or cut off, 2 on bad usage, 0 for --help; EOF is exit; lines printed verbatim', {
    points: 0.5,
    hint: 'Print server lines exactly (no prefix, no prompt on stdout); on stdin EOF send "exit"; exit 0 once the goodbye or shutdown line came and the server closed, 1 on busy or a lost connection, 2 on bad flags.',
    guide: `${GUIDE} § Exit codes`,
  }, async (t) => {
    const startedAt = Date.now();
    const [main, busyServer, lostServer, stoppingServer, nowhere] = await Promise.all(
      [scriptedServer(t), scriptedServer(t), scriptedServer(t), scriptedServer(t), closedPort()],
    );
    // Seven clients start at once; each is then checked in turn.
    const client = startClient(t, main.port, { who: 'client A' });
    client.typeLine('hello');
    client.endInput();
    const busy = startClient(t, busyServer.port, { who: 'client B' });
    const lost = startClient(t, lostServer.port, { who: 'client C' });
    lost.typeLine('are you there?');
    const bogus = launch(t, 'client', { who: 'client D', args: ['--host', HOST, '--port', String(nowhere), '--bogus'] });
    const badPort = launch(t, 'client', { who: 'client E', args: ['--host', HOST, '--port', '70000'] });
    const help = launch(t, 'client', { who: 'client F', args: ['--help'] });
    const stopped = startClient(t, stoppingServer.port, { who: 'client G' });

    // Client A: odd lines, a character split between chunks, typed "hello", then EOF → exit.
    const notice = Buffer.from('Notice:  two spaces,\ta tab, a lone \r, ünïcødé ✓ 🎉, café\n');
    const cut = notice.indexOf(0xc3, notice.indexOf('caf')) + 1;
    const a = await main.nextConnection(client, startWithin(startedAt));
    a.sendBytes(Buffer.concat([Buffer.from(`${ACK}\n`), notice.subarray(0, cut)]), `"${ACK}\\n" + the first half of a line, cut inside "é"`);
    await a.expectLine('hello');
    a.sendBytes(Buffer.concat([notice.subarray(cut), Buffer.from(`${received('hello')}\n`)]), 'the rest of that line + the reply to "hello"');
    const eof = (await a.nextLine('"exit\\n" after stdin was closed')).trim();
    check(eof.toLowerCase() === 'exit', 'the client to send "exit" when stdin is closed', () => showText(eof));
    a.send('Goodbye! Conn');
    await new Promise((resolve) => setImmediate(resolve));
    a.send('ection closing...\n');
    a.end();
    await rule(CLIENT_RULE, () => client.waitForLine('stdout', `exactly ${showText(ACK)}`, (l) => l === ACK));
    // The line that came in the same chunk as the greeting: lost or cut if readAck() keeps its bytes.
    const noticeLine = notice.toString('utf8').trimEnd();
    await rule(GREETING_RULE, () => client.waitForLine('stdout', `exactly ${showText(noticeLine)}, sent in the same chunk as the greeting`, (l) => l === noticeLine));
    await rule(CLIENT_RULE, async () => {
      for (const line of [received('hello'), GOODBYE]) {
        await client.waitForLine('stdout', `exactly ${showText(line)}`, (l) => l === line);
      }
    });
    await expectExit(t, client, 0, 'after the goodbye');

    // Client G: the server shuts down (Ctrl-C) while the client is connected: also a clean end.
    const g = await stoppingServer.nextConnection(stopped, startWithin(startedAt));
    g.send(`${ACK}\n${SHUTDOWN}\n`);
    g.end();
    for (const line of [ACK, SHUTDOWN]) {
      await stopped.waitForLine('stdout', `exactly ${showText(line)}`, (l) => l === line);
    }
    await expectExit(t, stopped, 0, 'after the server\'s shutdown line and close');

    const b = await busyServer.nextConnection(busy, startWithin(startedAt));
    b.send(`${BUSY}\n`);
    b.end();
    await expectExit(t, busy, 1, 'the server is busy');
    const busyOutput = busy.out.stdout.captured() + busy.out.stderr.captured();
    check(/busy/i.test(busyOutput), 'the client to say the server is busy', () => showText(busyOutput.trim(), 300));

    const c = await lostServer.nextConnection(lost, startWithin(startedAt));
    c.send(`${ACK}\n`);
    await c.expectLine('are you there?');
    c.reset();
    await expectExit(t, lost, 1, 'the connection was lost');
    const lostSaid = stderrLines(lost);
    check(lostSaid.length > 0, 'the client to say on stderr that the connection was lost', () => 'nothing on stderr');

    await expectExit(t, bogus, 2, 'unknown flag --bogus', startWithin(startedAt));
    await expectExit(t, badPort, 2, 'bad port 70000', startWithin(startedAt));
    await expectExit(t, help, 0, 'it printed its usage for --help', startWithin(startedAt));
    const usage = help.out.stdout.captured() + help.out.stderr.captured();
    check(usage.includes('--port') && usage.includes('--host'), 'usage text that mentions --host and --port', () => (usage.trim() ? showText(usage.trim(), 300) : 'no output'));
  });
});
