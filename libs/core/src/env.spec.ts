import { z } from 'zod';
import { EnvBoolean, EnvList, envInt, parseEnv } from './env';

const Schema = z.object({
  FLAG: EnvBoolean.default(false),
  COUNT: envInt(1, 10).default(2),
  LIST: EnvList.default([]),
});

describe('parseEnv', () => {
  it('parses strictly and applies defaults; empty counts as unset', () => {
    expect(parseEnv(Schema, { FLAG: '1', COUNT: '', LIST: 'a, b,,c' })).toEqual({
      FLAG: true,
      COUNT: 2,
      LIST: ['a', 'b', 'c'],
    });
  });

  it('names every bad variable instead of resetting the others', () => {
    expect(() => parseEnv(Schema, { FLAG: 'yes', COUNT: '99' })).toThrow(/FLAG: .*; COUNT: /);
  });
});
