import { execFile } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { isProcessAlive, waitFor } from '@claudine/testing';
import {
  bridgeName,
  namespaceName,
  NAMESPACE_PREFIX,
  removeLeftoverNetworks,
  removeNamespaceSync,
  runSync,
} from './leftovers';

/**
 * Hosts on one machine: a Linux network namespace per host, each linked by a veth pair to one
 * bridge in the root namespace. Every host has its own loopback and its own address on a private
 * /24; the test process reaches them all through the bridge's address. Nothing is forwarded to the
 * outside (the namespaces have no default route), so a test's traffic stays on this bridge.
 *
 * Names carry a random run id and the creating pid, so runs never collide and a later run can
 * remove what a crashed one left behind. Interface names stay within Linux's 15 characters.
 */

const COMMAND_TIMEOUT_MS = 10_000;

export type Preflight = { ok: true } | { ok: false; reason: string };

/** Runs `ip` (or another command); rejects with its stderr. */
export function run(command: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: COMMAND_TIMEOUT_MS }, (error, stdout, stderr) => {
      if (error) {
        reject(
          new Error(`${command} ${args.join(' ')} failed: ${stderr.trim() || error.message}`, {
            cause: error,
          }),
        );
        return;
      }
      resolve(stdout.trim());
    });
  });
}

/**
 * Whether this machine lets us create network namespaces, proven by creating and deleting one.
 * Synchronous: the test file decides at load time which tests it declares.
 */
export function checkNamespaces(): Preflight {
  if (process.platform !== 'linux')
    return { ok: false, reason: `network namespaces need Linux, this is ${process.platform}` };
  const uid = process.getuid?.();
  if (uid !== 0) {
    return {
      ok: false,
      reason: `not root (uid ${uid}): creating network namespaces and links needs root (CAP_SYS_ADMIN, CAP_NET_ADMIN)`,
    };
  }
  try {
    runSync('ip', ['-V']);
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    return {
      ok: false,
      reason: missing ? 'no `ip` command (install iproute2)' : `\`ip -V\` failed: ${stderrOf(error)}`,
    };
  }
  const probe = `${NAMESPACE_PREFIX}probe-${process.pid}-${randomBytes(3).toString('hex')}`;
  try {
    runSync('ip', ['netns', 'add', probe]);
  } catch (error) {
    return { ok: false, reason: `\`ip netns add\` refused: ${stderrOf(error)}` };
  }
  try {
    // The links the suite makes: a veth pair (and with it the kernel's veth support).
    runSync('ip', ['-n', probe, 'link', 'add', 'probe0', 'type', 'veth', 'peer', 'name', 'probe1']);
  } catch (error) {
    removeNamespaceSync(probe);
    return { ok: false, reason: `\`ip link add … type veth\` refused: ${stderrOf(error)}` };
  }
  try {
    runSync('ip', ['netns', 'del', probe]);
  } catch (error) {
    return { ok: false, reason: `\`ip netns del\` refused: ${stderrOf(error)}` };
  }
  return { ok: true };
}

function stderrOf(error: unknown): string {
  const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
  return stderr || (error instanceof Error ? error.message : String(error));
}

interface Host {
  name: string;
  namespace: string;
  /** The veth end on the bridge, in the root namespace: the one `cut` takes down. */
  link: string;
  address: string;
}

/** Every network this process created and has not destroyed yet. */
const liveNetworks = new Set<HostNetwork>();

export class HostNetwork {
  private readonly hosts = new Map<string, Host>();

  private constructor(
    readonly runId: string,
    readonly bridge: string,
    /** The first three octets, e.g. `10.213.7`. */
    private readonly subnet: string,
  ) {}

  /** The bridge's address: where the hosts see the test process. */
  get gateway(): string {
    return `${this.subnet}.1`;
  }

  /**
   * Creates the bridge and one namespace per host name (letters and digits, at most 6), in order
   * from address .2. Removes what it made if any step fails.
   */
  static async create(hostNames: readonly string[]): Promise<HostNetwork> {
    // Jest's globalSetup guards this process's exit; this catches a run killed outright.
    removeLeftoverNetworks();
    const runId = randomBytes(2).toString('hex');
    const network = new HostNetwork(runId, bridgeName(runId, process.pid), await pickSubnet());
    liveNetworks.add(network);
    try {
      await run('ip', ['link', 'add', network.bridge, 'type', 'bridge']);
      await run('ip', ['addr', 'add', `${network.gateway}/24`, 'dev', network.bridge]);
      await run('ip', ['link', 'set', network.bridge, 'up']);
      let index = 2;
      for (const name of hostNames) await network.addHost(name, index++);
    } catch (error) {
      await network.destroy();
      throw error;
    }
    return network;
  }

  private async addHost(name: string, index: number): Promise<void> {
    if (!/^[a-z0-9]{1,6}$/.test(name))
      throw new Error(`host name ${name}: 1 to 6 lowercase letters or digits`);
    const host: Host = {
      name,
      namespace: namespaceName(process.pid, this.runId, name),
      link: `clv${this.runId}${name}`,
      address: `${this.subnet}.${index}`,
    };
    const peer = `clp${this.runId}${name}`;
    this.hosts.set(name, host);
    await run('ip', ['netns', 'add', host.namespace]);
    await run('ip', ['link', 'add', host.link, 'type', 'veth', 'peer', 'name', peer]);
    await run('ip', ['link', 'set', peer, 'netns', host.namespace]);
    await run('ip', ['-n', host.namespace, 'link', 'set', peer, 'name', 'eth0']);
    await run('ip', ['-n', host.namespace, 'addr', 'add', `${host.address}/24`, 'dev', 'eth0']);
    await run('ip', ['-n', host.namespace, 'link', 'set', 'eth0', 'up']);
    await run('ip', ['-n', host.namespace, 'link', 'set', 'lo', 'up']);
    await run('ip', ['link', 'set', host.link, 'master', this.bridge]);
    await run('ip', ['link', 'set', host.link, 'up']);
  }

  private host(name: string): Host {
    const host = this.hosts.get(name);
    if (!host)
      throw new Error(`no host ${name} in this network (hosts: ${[...this.hosts.keys()].join(', ')})`);
    return host;
  }

  address(name: string): string {
    return this.host(name).address;
  }

  namespace(name: string): string {
    return this.host(name).namespace;
  }

  /** The command line that runs `command` on a host. */
  commandOn(name: string, command: string, args: readonly string[]): [string, string[]] {
    return ['ip', ['netns', 'exec', this.namespace(name), command, ...args]];
  }

  /** Takes a host's link down (`up: false`) or brings it back: its cable, pulled or plugged in. */
  async setLink(name: string, up: boolean): Promise<void> {
    await run('ip', ['link', 'set', this.host(name).link, up ? 'up' : 'down']);
  }

  /** Every link up again (after a test that failed with one cut). */
  async restoreLinks(): Promise<void> {
    for (const name of this.hosts.keys()) await this.setLink(name, true);
  }

  /** Processes inside a host's namespace: whatever the test started there and all their children. */
  async pids(name: string): Promise<number[]> {
    const text = await run('ip', ['netns', 'pids', this.namespace(name)]);
    return text
      .split('\n')
      .filter((line) => line !== '')
      .map(Number);
  }

  /**
   * SIGKILLs every process on every host (agents orphaned by a killed worker included) and
   * waits until they are gone, so the next test starts on empty hosts.
   */
  async killEverything(timeoutMs = 10_000): Promise<void> {
    const all = async (): Promise<number[]> =>
      (await Promise.all([...this.hosts.keys()].map((name) => this.pids(name)))).flat();
    await waitFor(
      async () => {
        const alive = (await all()).filter((pid) => isProcessAlive(pid));
        for (const pid of alive) killQuietly(pid);
        return alive.length === 0;
      },
      { timeoutMs, intervalMs: 50, description: 'every process on the test hosts to end' },
    );
  }

  /** Kills what runs on the hosts, deletes the namespaces (their veth pairs go with them) and the bridge. Safe to call twice. */
  async destroy(): Promise<void> {
    if (!liveNetworks.has(this)) return;
    try {
      await this.killEverything().catch(() => undefined);
      for (const host of this.hosts.values()) {
        await run('ip', ['netns', 'del', host.namespace]).catch(() => undefined);
      }
      await run('ip', ['link', 'del', this.bridge]).catch(() => undefined);
    } finally {
      liveNetworks.delete(this);
    }
  }
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/** A 10.x.y.0/24 that no interface or route of this machine uses yet. */
async function pickSubnet(): Promise<string> {
  const used = `${await run('ip', ['-4', '-o', 'addr', 'show'])}\n${await run('ip', ['-4', 'route', 'show'])}`;
  for (let tries = 0; tries < 50; tries++) {
    const subnet = `10.${randomInt(200, 250)}.${randomInt(0, 256)}`;
    if (!used.includes(`${subnet}.`)) return subnet;
  }
  throw new Error(`no free 10.x.y.0/24 found among this machine's addresses and routes:\n${used}`);
}
