// Stage 9: the JSON messages of ClassChat's chat, shared by the server and the client.
// Read guide/09-chat.md (and Part 2 of guide/protocol.md), then run `make stage-9`.

/** The longest line of the chat, in UTF-8 bytes without its "\n": room for a long message. */
export const MAX_CHAT_LINE_BYTES = 4096;

/** What `status` means. The server's "0" is a notice; the client's "0" signs in. */
export const STATUS = { signIn: '0', notice: '0', chat: '1', who: '2', error: '3', exit: '9' } as const;

/** The name the server signs its own messages with. */
export const SERVER = 'server';

// Client → server.
export interface SignIn { status: '0'; sender: string }
export interface Chat { status: '1'; sender: string; receiver: string; text: string }
export interface Who { status: '2'; sender: string }
export interface Exit { status: '9'; sender: string }
export type ClientMessage = SignIn | Chat | Who | Exit;

// Server → client (a chat message is forwarded as it came).
export interface Notice { status: '0'; sender: typeof SERVER; text: string }
export interface UserList { status: '2'; sender: typeof SERVER; receiver: string; users: string[] }
export type ErrorCode =
  | 'unknown-receiver' | 'name-taken' | 'bad-name' | 'not-signed-in'
  | 'wrong-sender' | 'bad-json' | 'bad-message' | 'too-long';
export interface ChatError { status: '3'; sender: typeof SERVER; receiver: string | null; error: ErrorCode; text: string }
export type ServerMessage = Notice | Chat | UserList | ChatError;

/** One message on the wire: the object as JSON, then "\n". JSON.stringify never writes a raw newline. */
export function encode(message: ClientMessage | ServerMessage): string {
  return `${JSON.stringify(message)}\n`;
}

export const notice = (text: string): Notice => ({ status: '0', sender: SERVER, text });

export const chatError = (receiver: string | null, error: ErrorCode, text: string): ChatError =>
  ({ status: '3', sender: SERVER, receiver, error, text });

/** Names: 1–32 letters, digits, "_" and "-", so they print, sort and compare the same everywhere. */
const NAME = /^[A-Za-z0-9_-]{1,32}$/;
/** Taken by the server itself, and kept for a group chat that writes to everyone. */
export const RESERVED_NAMES = ['server', 'all'];

/** Why `name` cannot be used, or undefined when it can. Whether it is free is the server's business. */
export function nameProblem(name: string): string | undefined {
  // TODO(stage 9): refuse names that do not match NAME, and RESERVED_NAMES in any case, each with
  // a sentence that says what to do. Guide § Signing in.
  throw new Error('TODO(stage 9): nameProblem');
}

/** What the server makes of one line: a message, or the error to answer with. */
export type Parsed =
  | { ok: true; message: ClientMessage }
  | { ok: false; error: 'bad-json' | 'bad-message'; why: string };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

// The fields each status needs besides `status`, all strings.
const FIELDS: Record<ClientMessage['status'], string[]> = {
  '0': ['sender'],
  '1': ['sender', 'receiver', 'text'],
  '2': ['sender'],
  '9': ['sender'],
};

/**
 * Checks one line from a client. `unknown` until proven otherwise: whatever arrives, from any
 * program, becomes either a well-typed message or a reason, never an exception.
 */
export function parseClientMessage(line: string): Parsed {
  // TODO(stage 9): JSON.parse inside try/catch ("bad-json"); then a JSON object whose "status" is
  // a string of FIELDS, and every field FIELDS lists for it a string ("bad-message").
  // Guide § Bad input.
  throw new Error('TODO(stage 9): parseClientMessage');
}

/** What the client makes of one line from the server: a message, or undefined if it is not one. */
export function parseServerMessage(line: string): ServerMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!isObject(value) || typeof value.status !== 'string') return undefined;
  return value as unknown as ServerMessage;
}
