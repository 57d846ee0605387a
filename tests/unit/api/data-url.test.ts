import { describe, expect, it } from 'vitest';
import { dataUrlError } from '../../../src/api/index.ts';

const ADDRESS = 'data source URL must not target a loopback, private, or link-local address';
const LOCAL = 'data source URL must not target a local or metadata endpoint';
const CLUSTER = expect.stringMatching(/^data source URL must not target a cluster-internal name/);
const WILDCARD = expect.stringMatching(/^data source URL must not use a wildcard-DNS name/);

describe('tuning data URLs', () => {
  it.each([
    'https://huggingface.co/datasets/x/resolve/main/train.parquet?download=true',
    'http://8.8.8.8/data',
    'https://[2606:4700::1111]/data',
    'HTTPS://Example.COM/data',
    'http://172.32.0.1/',
    'http://[::ffff:8.8.8.8]/',
    'http://[2002:808:808::1]/',
    'http://100.63.255.255/',
    'http://100.128.0.1/',
    'https://data.example.',
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
    // cluster-internal names
    ['http://minio:9000/data', CLUSTER],
    ['http://minio.storage.svc/data', CLUSTER],
    ['http://minio.storage.svc.cluster.local/data', CLUSTER],
    ['http://x.cluster.local/data', CLUSTER],
    ['https://kubernetes.default/api', CLUSTER],
    ['https://kubernetes.default.svc/api', CLUSTER],
    // localhost aliases
    ['http://localhost.localdomain/', LOCAL],
    ['http://ip6-localhost/', LOCAL],
    ['http://ip6-loopback/', LOCAL],
    ['http://localhost6/', LOCAL],
    // platform and metadata addresses
    ['http://168.63.129.16/machine', LOCAL],
    ['http://192.0.0.192/opc/v2/instance/', LOCAL],
    ['http://metadata.tencentyun.com/', LOCAL],
    ['http://100.64.0.1/', ADDRESS],
    ['http://100.127.255.254/', ADDRESS],
    ['http://198.18.0.1/', ADDRESS],
    ['http://240.0.0.1/', ADDRESS],
    ['http://255.255.255.255/', ADDRESS],
    ['http://239.1.1.1/', ADDRESS],
    // IPv6 that embeds or reaches private ranges
    ['http://[2002:a00:1::1]/', ADDRESS], // 6to4 of 10.0.0.1
    ['http://[2002:a9fe:a9fe::]/', ADDRESS], // 6to4 of 169.254.169.254
    ['http://[64:ff9b:1::a00:1]/', ADDRESS], // local-use NAT64
    ['http://[::ffff:0:a00:1]/', ADDRESS], // IPv4-translated 10.0.0.1
    ['http://[2001:0:4136:e378:8000:63bf:f5ff:fffe]/', ADDRESS], // Teredo client 10.0.0.1
    ['http://[fec0::1]/', ADDRESS], // site-local
    ['http://[ff05::1]/', ADDRESS],
    // wildcard DNS
    ['http://10.0.0.1.nip.io/data', WILDCARD],
    ['http://app.10-0-0-1.sslip.io/data', WILDCARD],
    ['http://localtest.me/data', WILDCARD],
    ['http://x.lvh.me/data', WILDCARD],
  ])('refuses %s', (url, message) => {
    expect(dataUrlError(url)).toEqual(message);
  });
});
