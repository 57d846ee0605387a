/**
 * A certificate for an HTTPS test server on 127.0.0.1, made with openssl in a fresh temp directory
 * (remove `dir` when done). Clients trust it per client (`tlsOptions: { ca: certPem }` for the Azure SDK),
 * so no process-wide setting changes.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface Certificate {
  dir: string;
  keyPem: string;
  certPem: string;
}

export async function selfSignedCertificate(): Promise<Certificate> {
  const dir = await mkdtemp(join(tmpdir(), 'test-tls-'));
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  // execFile, not execFileSync: the calling process may host a server that must keep answering.
  await execFileAsync('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=127.0.0.1',
    '-addext',
    'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '-keyout',
    key,
    '-out',
    cert,
  ]);
  const [keyPem, certPem] = await Promise.all([readFile(key, 'utf8'), readFile(cert, 'utf8')]);
  return { dir, keyPem, certPem };
}
