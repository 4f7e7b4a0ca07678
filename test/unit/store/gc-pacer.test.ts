import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { GcPacer, type GcFunction } from '../../../electron/engine/store/gc-pacer';
import { ENGINE_PROCESS_ARGS } from '../../../electron/engine/process-env';

describe('GcPacer', () => {
  it('asks for one async major collection per budget of released bytes', () => {
    const asked: unknown[] = [];
    const gc: GcFunction = (o) => { asked.push(o); };
    const p = new GcPacer(gc, 1000, (f) => f()); // the event loop turns between releases
    p.release(400);
    p.release(500);
    expect(asked).toHaveLength(0);
    p.release(100); // 1000: the budget
    expect(asked).toEqual([{ type: 'major', execution: 'async' }]);
    p.release(2500); // one collection however much was let go at once
    expect(asked).toHaveLength(2);
    p.release(999);
    expect(p.collections).toBe(2);
  });

  it('collects synchronously when the loop has not turned since its async request and twice the budget is let go', () => {
    const asked: unknown[] = [];
    let turn: (() => void) | null = null;
    const p = new GcPacer((o) => { asked.push(o); }, 1000, (f) => { turn = f; });
    p.release(1000);
    expect(asked).toEqual([{ type: 'major', execution: 'async' }]);
    p.release(1500); // a synchronous loop: the async one has not run, but this is under twice the budget
    expect(asked).toHaveLength(1);
    p.release(500);
    expect(asked).toEqual([{ type: 'major', execution: 'async' }, { type: 'major', execution: 'sync' }]);
    turn!(); // the loop turned: the next request is async again
    p.release(1000);
    expect(asked.at(-1)).toEqual({ type: 'major', execution: 'async' });
    expect(p.collections).toBe(3);
  });

  it('asks for an async minor collection per budget of young buffers let go, apart from major ones', () => {
    const asked: unknown[] = [];
    const p = new GcPacer((o) => { asked.push(o); }, 1000, (f) => f());
    p.releaseYoung(600);
    p.release(600);
    expect(asked).toHaveLength(0);
    p.releaseYoung(400);
    expect(asked).toEqual([{ type: 'minor', execution: 'async' }]);
    p.release(400);
    expect(asked).toEqual([{ type: 'minor', execution: 'async' }, { type: 'major', execution: 'async' }]);
    expect(p.collections).toBe(2);
  });

  it('a minor collection frees a young array buffer let go (engine process flags)', () => {
    const code = "let a = new ArrayBuffer(8 << 20); const before = process.memoryUsage().arrayBuffers; a = null; "
      + "gc({ type: 'minor', execution: 'sync' }); process.stdout.write(String(before - process.memoryUsage().arrayBuffers))";
    const r = spawnSync(process.execPath, [...ENGINE_PROCESS_ARGS, '-e', code], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(Number(r.stdout)).toBeGreaterThanOrEqual(8 << 20);
  });

  it('collects synchronously before a long synchronous stretch, and counts it against the budget', () => {
    const asked: unknown[] = [];
    const p = new GcPacer((o) => { asked.push(o); }, 1000, (f) => f());
    p.release(900);
    p.beforeStretch();
    expect(asked).toEqual([{ type: 'major', execution: 'sync' }]);
    p.release(900); // what was let go before the collection does not count any more
    expect(asked).toHaveLength(1);
    p.release(100);
    expect(asked.at(-1)).toEqual({ type: 'major', execution: 'async' });
    expect(p.collections).toBe(2);
  });

  it('does nothing without an exposed gc', () => {
    const p = new GcPacer(null, 10);
    p.release(1e9);
    p.beforeStretch();
    expect(p.collections).toBe(0);
  });

  it('finds gc in a process started as the engine is (ENGINE_PROCESS_ARGS), and V8 takes the async option', () => {
    const r = spawnSync(process.execPath, [...ENGINE_PROCESS_ARGS, '-e', "gc({ type: 'major', execution: 'async' }); process.stdout.write(typeof gc)"], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('function');
  });
});
