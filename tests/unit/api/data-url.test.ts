import { describe, expect, it } from 'vitest';
import { dataUrlError } from '../../../src/api/index.ts';

const ADDRESS = 'data source URL must not target a loopback, private, or link-local address';
const LOCAL = 'data source URL must not target a local or metadata endpoint';

describe('tuning data URLs', () => {
  it.each([
    'https://huggingface.co/datasets/x/resolve/main/train.parquet?download=true',
    'http://8.8.8.8/data',
    'https://[2606:4700::1111]/data',
    'HTTPS://Example.COM/data',
    'http://172.32.0.1/',
    'http://[::ffff:8.8.8.8]/',
  ])('accepts %s', (url) => {
    expect(dataUrlError(url)).toBeUndefined();
  });

  it.each([
    ['not a url', 'invalid data source URL'],
    ['/relative/path', 'invalid data source URL'],
    ['ftp://example.com/x', 'data source URL must use HTTP or HTTPS'],
    ['file:///etc/passwd', 'data source URL must use HTTP or HTTPS'],
    ['http://localhost/x', LOCAL],
    ['http://LOCALHOST./x', LOCAL],
    ['http://api.localhost/x', LOCAL],
    ['http://metadata.google.internal/computeMetadata/v1/', LOCAL],
    ['http://100.100.100.200/latest/meta-data/', LOCAL],
    ['http://127.0.0.1/', ADDRESS],
    ['http://127.1/', ADDRESS],
    ['http://2130706433/', ADDRESS],
    ['http://0x7f000001/', ADDRESS],
    ['http://0177.0.0.1/', ADDRESS],
    ['http://0/', ADDRESS],
    ['http://0.0.0.0:8080/', ADDRESS],
    ['http://10.1.2.3/', ADDRESS],
    ['http://172.16.0.1/', ADDRESS],
    ['http://192.168.1.1/', ADDRESS],
    ['http://169.254.169.254/latest/meta-data/', ADDRESS],
    ['http://[::1]/', ADDRESS],
    ['http://[::]/', ADDRESS],
    ['http://[fe80::1]/', ADDRESS],
    ['http://[fd00:ec2::254]/', ADDRESS],
    ['http://[::ffff:127.0.0.1]/', ADDRESS],
    ['http://[::ffff:a9fe:a9fe]/', ADDRESS],
    ['http://[64:ff9b::10.0.0.1]/', ADDRESS],
    ['http://[ff02::1]/', ADDRESS],
  ])('refuses %s', (url, message) => {
    expect(dataUrlError(url)).toBe(message);
  });
});
