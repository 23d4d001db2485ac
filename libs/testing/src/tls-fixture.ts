import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createTempDir } from './temp-dir';

const run = promisify(execFile);

/** PEM files made for one test run: nothing secret is ever committed. */
export interface TlsFixture {
  dir: string;
  caCert: string;
  /** For 127.0.0.1 and localhost, signed by the CA. */
  serverCert: string;
  serverKey: string;
  /** A client certificate signed by the CA. */
  clientCert: string;
  clientKey: string;
  /** A client certificate signed by another CA (refused when client certificates are checked). */
  strangerCert: string;
  strangerKey: string;
  remove(): Promise<void>;
}

async function openssl(cwd: string, ...args: string[]): Promise<void> {
  await run('openssl', args, { cwd, timeout: 30_000 });
}

async function selfSignedCa(dir: string, name: string): Promise<void> {
  await openssl(
    dir,
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    `/CN=${name}`,
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.crt`,
  );
}

async function signed(dir: string, ca: string, name: string, extensions: string): Promise<void> {
  await openssl(
    dir,
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    `/CN=${name}`,
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.csr`,
  );
  await writeFile(join(dir, `${name}.ext`), extensions);
  await openssl(
    dir,
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${ca}.crt`,
    '-CAkey',
    `${ca}.key`,
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    `${name}.ext`,
    '-out',
    `${name}.crt`,
  );
}

/** A CA, a server certificate and client certificates, made with the `openssl` command. */
export async function createTlsFixture(): Promise<TlsFixture> {
  const temp = await createTempDir('claudine-tls-');
  const dir = temp.path;
  try {
    await selfSignedCa(dir, 'ca');
    await selfSignedCa(dir, 'other-ca');
    await signed(
      dir,
      'ca',
      'server',
      'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n',
    );
    await signed(dir, 'ca', 'client', 'extendedKeyUsage=clientAuth\n');
    await signed(dir, 'other-ca', 'stranger', 'extendedKeyUsage=clientAuth\n');
  } catch (error) {
    await temp.remove();
    throw error;
  }
  const file = (name: string) => join(dir, name);
  return {
    dir,
    caCert: file('ca.crt'),
    serverCert: file('server.crt'),
    serverKey: file('server.key'),
    clientCert: file('client.crt'),
    clientKey: file('client.key'),
    strangerCert: file('stranger.crt'),
    strangerKey: file('stranger.key'),
    remove: () => temp.remove(),
  };
}
