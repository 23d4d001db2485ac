import { errorMessage } from './fixtures';

/** A measurement's value, or why there is none: one part failing must not take the others' numbers. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: string };

export async function settle<T>(run: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await run() };
  } catch (error) {
    return { ok: false, error: errorMessage(error) };
  }
}
