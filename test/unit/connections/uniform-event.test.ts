import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { uniformEvent, type AppEvent } from '../../../electron/engine/analysis/events';

setFlagsFromString('--allow-natives-syntax');
const haveSameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean;

const EVENTS: AppEvent[] = [
  { kind: 'request', command: 'COM_QUERY', statement: 'SELECT 1' },
  { kind: 'request', command: 'Execute', statement: 'SELECT $1', params: ['1'], expectsResponse: true },
  { kind: 'request', command: 'get', statement: 'get k', key: 7 },
  { kind: 'response', status: 'ok', final: true },
  { kind: 'response', status: 'ok', rows: 3, final: false },
  { kind: 'response', status: 'error', errorCode: '42P01', errorMessage: 'no such table', final: true },
  { kind: 'login', phase: 'attempt', user: 'app', database: 'shop' },
  { kind: 'login', phase: 'error', errorCode: '28P01' },
  { kind: 'tls', phase: 'requested' },
  { kind: 'gap' },
];

describe('uniformEvent', () => {
  it('keeps every field of the event and adds none with a value', () => {
    for (const e of EVENTS) {
      const u = uniformEvent(e) as unknown as Record<string, unknown>;
      for (const [k, v] of Object.entries(e)) expect(u[k]).toEqual(v);
      for (const [k, v] of Object.entries(u)) if (!(k in e)) expect(v).toBeUndefined();
    }
  });

  it('gives events of every kind and shape one hidden class', () => {
    const first = uniformEvent(EVENTS[0]!);
    for (const e of EVENTS) expect(haveSameMap(first, uniformEvent(e))).toBe(true);
    expect(haveSameMap(EVENTS[0]!, EVENTS[3]!)).toBe(false);
  });
});
