// Original file: proto/claudine/v1/tasks.proto

export const Priority = {
  /**
   * treated as P2
   */
  PRIORITY_UNSPECIFIED: 'PRIORITY_UNSPECIFIED',
  PRIORITY_P0: 'PRIORITY_P0',
  PRIORITY_P1: 'PRIORITY_P1',
  PRIORITY_P2: 'PRIORITY_P2',
} as const;

export type Priority =
  /**
   * treated as P2
   */
  'PRIORITY_UNSPECIFIED' | 0 | 'PRIORITY_P0' | 1 | 'PRIORITY_P1' | 2 | 'PRIORITY_P2' | 3;

export type Priority__Output = (typeof Priority)[keyof typeof Priority];
