import { formatTranscriptEvent } from './transcript';

describe('formatTranscriptEvent', () => {
  it('says how many events the log size cap dropped', () => {
    const marker = { taskId: 't', offset: 41, timeMs: 0, type: 'log.truncated' as const };
    expect(formatTranscriptEvent({ ...marker, data: { dropped: 41 } })).toBe(
      '… 41 earlier events were dropped (log size cap)',
    );
    expect(formatTranscriptEvent({ ...marker, data: { dropped: 1 } })).toBe(
      '… 1 earlier event was dropped (log size cap)',
    );
  });
});
