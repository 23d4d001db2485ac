import { EventEmitter } from 'node:events';
import { findFreePort, onceEvent, waitFor, withDeadline } from '../src';

describe('waitFor', () => {
  it('resolves with the first truthy value of the probe', async () => {
    let calls = 0;
    const value = await waitFor(() => (++calls >= 3 ? { calls } : undefined), {
      description: 'the third call',
      intervalMs: 1,
    });
    expect(value).toEqual({ calls: 3 });
  });

  it('times out naming the condition and the last error the probe threw', async () => {
    const failing = waitFor(
      () => {
        throw new Error('still broken');
      },
      { description: 'the impossible', timeoutMs: 50, intervalMs: 5 },
    );
    await expect(failing).rejects.toThrow(
      'Timed out after 50ms waiting for the impossible; last error: still broken',
    );
  });

  it('does not wait past the deadline for a probe that never settles', async () => {
    const never = waitFor(() => new Promise<boolean>(() => undefined), {
      description: 'a stuck probe',
      timeoutMs: 50,
    });
    await expect(never).rejects.toThrow(/^Timed out after 50ms waiting for a stuck probe/);
  });
});

describe('onceEvent', () => {
  it('resolves with the event arguments', async () => {
    const emitter = new EventEmitter();
    const next = onceEvent(emitter, 'data', 1_000);
    emitter.emit('data', 1, 'two');
    await expect(next).resolves.toEqual([1, 'two']);
    expect(emitter.listenerCount('data')).toBe(0);
    expect(emitter.listenerCount('error')).toBe(0);
  });

  it('rejects on an error event and after its deadline', async () => {
    const emitter = new EventEmitter();
    const failed = onceEvent(emitter, 'data', 1_000);
    emitter.emit('error', new Error('boom'));
    await expect(failed).rejects.toThrow('boom');
    await expect(onceEvent(emitter, 'data', 20)).rejects.toThrow(
      "Timed out after 20ms waiting for event 'data'",
    );
    expect(emitter.listenerCount('data')).toBe(0);
  });
});

describe('withDeadline', () => {
  it('passes a prompt result through and rejects a late one', async () => {
    await expect(withDeadline(Promise.resolve(7), 1_000, 'seven')).resolves.toBe(7);
    await expect(withDeadline(new Promise(() => undefined), 20, 'nothing')).rejects.toThrow(
      'Timed out after 20ms waiting for nothing',
    );
  });
});

describe('findFreePort', () => {
  it('returns a usable loopback port', async () => {
    const port = await findFreePort();
    expect(port).toBeGreaterThan(0);
    expect(port).toBeLessThan(65_536);
  });
});
