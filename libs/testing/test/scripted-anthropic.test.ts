import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  alwaysError,
  createGitRepository,
  createTempDir,
  runClaude,
  startScriptedAnthropic,
  writeFileThenFinish,
  type ClaudeRun,
  type GitFixture,
  type ScriptedAnthropic,
  type ScriptedResponder,
} from '../src';

const CLAUDE_TIMEOUT_MS = 15_000;

interface Scenario {
  repo: GitFixture;
  server: ScriptedAnthropic;
  run(): Promise<ClaudeRun>;
}

const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  // Reverse order: the server must outlive nothing that talks to it, the directories go last.
  while (cleanups.length > 0) await cleanups.pop()?.();
});

/** A fresh repository, HOME and config dir per run, so nothing leaks from the machine's ~/.claude. */
async function scenario(respondFor: (repo: GitFixture) => ScriptedResponder): Promise<Scenario> {
  const repo = await createGitRepository();
  cleanups.push(repo.remove);
  const home = await createTempDir('claudine-home-');
  cleanups.push(home.remove);
  const config = await createTempDir('claudine-claude-config-');
  cleanups.push(config.remove);
  const server = await startScriptedAnthropic({ respond: respondFor(repo) });
  cleanups.push(server.stop);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home.path,
    ANTHROPIC_BASE_URL: server.url,
    ANTHROPIC_API_KEY: 'sk-test',
    CLAUDE_CONFIG_DIR: config.path,
    DISABLE_AUTOUPDATER: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
  };
  const args = [
    '-p',
    'write the file',
    '--output-format',
    'stream-json',
    '--verbose',
    '--permission-mode',
    'acceptEdits',
  ];
  return { repo, server, run: () => runClaude(args, { cwd: repo.path, env, timeoutMs: CLAUDE_TIMEOUT_MS }) };
}

function resultLine(run: ClaudeRun): Record<string, unknown> {
  const last = run.lines.at(-1);
  if (last === undefined) throw new Error(`claude printed nothing; stderr:\n${run.stderr}`);
  return last;
}

describe('the real claude CLI against startScriptedAnthropic', () => {
  it('writes a file through a scripted Write tool call and reports the final text', async () => {
    const { repo, server, run } = await scenario((r) =>
      writeFileThenFinish(join(r.path, 'hello.txt'), 'hi', 'done'),
    );

    const outcome = await run();

    expect(await readFile(join(repo.path, 'hello.txt'), 'utf8')).toBe('hi');
    const result = resultLine(outcome);
    expect(result).toMatchObject({ type: 'result', is_error: false, result: 'done' });
    expect(result.num_turns).toBeGreaterThanOrEqual(2);
    expect(typeof result.session_id).toBe('string');
    expect(result.session_id).not.toBe('');
    expect(typeof result.total_cost_usd).toBe('number');
    expect(outcome.exitCode).toBe(0);

    const agentTurns = server.requests.filter((request) => request.turn !== null);
    expect(agentTurns.map((request) => request.turn)).toEqual([1, 2]);
    expect(agentTurns[0]?.url).toMatch(/^\/v1\/messages(\?|$)/);
    expect(agentTurns[0]?.body.stream).toBe(true);
  });

  it('reports a scripted 400 as a failed result and a non-zero exit', async () => {
    const { server, run } = await scenario(() =>
      alwaysError(400, 'invalid_request_error', 'scripted failure'),
    );

    const outcome = await run();

    const result = resultLine(outcome);
    expect(result).toMatchObject({ type: 'result', is_error: true });
    expect(String(result.result)).toMatch(/scripted failure|400/);
    expect(outcome.exitCode).not.toBe(0);
    // A 400 is not retried, unlike 5xx: exactly one agent-loop request.
    expect(server.requests.filter((request) => request.turn !== null)).toHaveLength(1);
  });
});
