import { TaskSpecSchema } from '@claudine/core';
import { RepositoryVerifier } from './repository-verifier';

describe('RepositoryVerifier', () => {
  const spec = (repository: string) => TaskSpecSchema.parse({ prompt: 'p', repository });

  it('refuses a local repository outside the accepted roots, even when verification is off', async () => {
    const verifier = new RepositoryVerifier(false, ['/srv/repos']);
    await expect(verifier.verify(spec('/etc'))).rejects.toMatchObject({ code: 'POLICY_REFUSED' });
    await expect(verifier.verify(spec('/srv/repos/../../etc'))).rejects.toMatchObject({
      code: 'POLICY_REFUSED',
    });
    await expect(verifier.verify(spec('/srv/repos/web'))).resolves.toBeUndefined();
  });

  it('leaves URLs to the workers', async () => {
    const verifier = new RepositoryVerifier(true, ['/srv/repos']);
    await expect(verifier.verify(spec('https://example.com/org/repo.git'))).resolves.toBeUndefined();
  });
});
