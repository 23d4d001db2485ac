import { TaskSpecSchema } from '@claudine/core';
import { RepositoryVerifier } from './repository-verifier';

describe('RepositoryVerifier', () => {
  const spec = (repository: string) => TaskSpecSchema.parse({ prompt: 'p', repository });

  it('refuses a local repository outside the accepted roots, even when verification is off', async () => {
    const verifier = new RepositoryVerifier(false, { roots: ['/srv/repos'] });
    await expect(verifier.verify(spec('/etc'))).rejects.toMatchObject({ code: 'POLICY_REFUSED' });
    await expect(verifier.verify(spec('/srv/repos/../../etc'))).rejects.toMatchObject({
      code: 'POLICY_REFUSED',
    });
    await expect(verifier.verify(spec('/srv/repos/web'))).resolves.toBeUndefined();
  });

  it('leaves reachability of URLs to the workers', async () => {
    const verifier = new RepositoryVerifier(true, { roots: ['/srv/repos'] });
    await expect(verifier.verify(spec('https://example.com/org/repo.git'))).resolves.toBeUndefined();
  });

  it('refuses a URL whose scheme is not allowed, naming the scheme and the field', async () => {
    const verifier = new RepositoryVerifier(false, { roots: [], urlSchemes: ['https', 'ssh'] });
    await expect(verifier.verify(spec('git://example.com/org/repo.git'))).rejects.toMatchObject({
      code: 'POLICY_REFUSED',
      message: expect.stringMatching(/^repository: the URL scheme "git" is not allowed/),
    });
    await expect(verifier.verify(spec('git@example.com:org/repo.git'))).resolves.toBeUndefined();
  });

  it('holds file URLs to the repository roots, as it does paths', async () => {
    const verifier = new RepositoryVerifier(false, { roots: ['/srv/repos'] });
    await expect(verifier.verify(spec('file:///etc/secrets.git'))).rejects.toMatchObject({
      code: 'POLICY_REFUSED',
    });
    await expect(verifier.verify(spec('file:///srv/repos/web.git'))).resolves.toBeUndefined();
  });
});
