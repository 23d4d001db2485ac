export { git, GitError, gitOrFail } from './git';
export type { GitOptions } from './git';
export { resolveCommit, resolveLocalBase } from './repository-checks';
