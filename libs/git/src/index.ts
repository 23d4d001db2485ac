export { git, GitError, gitOrFail, gitToFile } from './git';
export type { GitOptions } from './git';
export {
  assertRepositoryAllowed,
  assertWithinRoots,
  resolveCommit,
  resolveLocalBase,
} from './repository-checks';
export type { RepositoryPolicy } from './repository-checks';
