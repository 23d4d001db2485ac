export { git, GitError, gitOrFail } from './git';
export type { GitOptions } from './git';
export { assertWithinRoots, resolveCommit, resolveLocalBase } from './repository-checks';
