import { classifyRepository, type TaskSpec } from '@claudine/core';
import { assertRepositoryAllowed, resolveLocalBase, type RepositoryPolicy } from '@claudine/git';

const SUCCESS_TTL_MS = 5_000;

/**
 * Refuses, at delegation, a local repository that does not exist, is not a git repository or
 * lacks the base ref, and any repository outside this cluster's policy (roots, URL schemes). A success is remembered briefly, so a burst of delegations to one
 * repository costs one `git rev-parse`, not one per task. URLs are left to the workers.
 */
export class RepositoryVerifier {
  private readonly verified = new Map<string, { expiresAt: number; check: Promise<string> }>();

  constructor(
    private readonly enabled: boolean,
    private readonly policy: RepositoryPolicy = { roots: [] },
  ) {}

  /** The policy alone (roots, URL schemes), without looking at the repository itself. */
  async assertAllowed(spec: TaskSpec): Promise<void> {
    await assertRepositoryAllowed(spec.repository, this.policy);
  }

  async verify(spec: TaskSpec): Promise<void> {
    await this.assertAllowed(spec);
    const location = classifyRepository(spec.repository);
    if (location.kind !== 'path') return;
    if (!this.enabled) return;
    const ref = spec.baseRef ?? 'HEAD';
    const key = `${location.path}\0${ref}`;
    const now = Date.now();
    const cached = this.verified.get(key);
    if (cached && cached.expiresAt > now) {
      await cached.check;
      return;
    }
    const check = resolveLocalBase(location.path, ref);
    this.verified.set(key, { expiresAt: now + SUCCESS_TTL_MS, check });
    try {
      await check;
    } catch (error) {
      this.verified.delete(key);
      throw error;
    }
    if (this.verified.size > 1_000) this.prune(now);
  }

  private prune(now: number): void {
    for (const [key, entry] of this.verified) if (entry.expiresAt <= now) this.verified.delete(key);
  }
}
