import { describe, expect, test } from 'vitest';
import { ExpectationFailure } from './failure.ts';
import { rule, teachOf } from './rule.ts';

const decoder = { hint: 'Keep "\\r".', guide: 'guide/04-loop.md § The line decoder' };
const outer = { hint: 'outer', guide: 'guide/04-loop.md § Replies' };

describe('rule() tags a failing check with its own hint and guide section', () => {
  test('a failure inside the step carries the rule, and survives a JSON round trip', async () => {
    const err = await rule(decoder, () => {
      throw new ExpectationFailure({ expected: 'a', got: 'b' });
    }).catch((e: unknown) => e);
    expect(teachOf(err)).toEqual(decoder);
    expect(teachOf(JSON.parse(JSON.stringify({ ...(err as object) })))).toEqual(decoder);
  });

  test('the innermost rule wins', async () => {
    const err = await rule(outer, () => rule(decoder, async () => {
      throw new Error('x');
    })).catch((e: unknown) => e);
    expect(teachOf(err)).toEqual(decoder);
  });

  test('a passing step returns its value untouched', async () => {
    await expect(rule(decoder, async () => 42)).resolves.toBe(42);
    expect(teachOf(new Error('plain'))).toBeUndefined();
  });
});
