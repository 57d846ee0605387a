/**
 * Tuning data URLs: Kaito's rule (v0.12 `validateDataSourceURL`) that a download URL is http(s) and does
 * not point into the cluster, the node or a cloud metadata service, made tighter. Hosts are read with
 * the WHATWG URL parser, which also decodes the decimal, octal and hex IPv4 spellings (`http://2130706433/`,
 * `http://0x7f.1/`) that a plain IP check would miss; IPv6 forms that embed an IPv4 address (mapped,
 * translated, NAT64, 6to4, Teredo) are judged by the embedded address.
 *
 * Refused besides Kaito's cases: names that the pod's DNS resolves inside the cluster (one label, which
 * the search path completes, `*.svc`, `*.cluster.local`, `kubernetes.default`), localhost aliases,
 * platform addresses outside the link-local range (Azure's 168.63.129.16, Oracle's 192.0.0.192,
 * Alibaba's 100.100.100.200), shared address space 100.64.0.0/10 (pod networks on some clusters),
 * reserved and multicast ranges, site-local and local-use NAT64 IPv6, and wildcard-DNS services whose
 * names resolve to the address they spell (nip.io, sslip.io) or to loopback (localtest.me, lvh.me).
 * A name can still resolve anywhere at run time (a two-label name such as `minio.storage` is completed
 * to a Service by the search path), so the tuning Job also gets a NetworkPolicy that lets it reach
 * DNS and public addresses only (`synth/tuning-network-policy.ts`).
 */

export const DATA_URL_MESSAGES = {
  invalid: 'invalid data source URL',
  scheme: 'data source URL must use HTTP or HTTPS',
  local: 'data source URL must not target a local or metadata endpoint',
  address: 'data source URL must not target a loopback, private, or link-local address',
  cluster:
    'data source URL must not target a cluster-internal name (one label, *.svc, *.cluster.local, kubernetes.default); use the public host name',
  wildcard:
    'data source URL must not use a wildcard-DNS name (nip.io, sslip.io, localtest.me, ...), which resolves to the address it spells or to loopback; use the real host name',
} as const;

const METADATA_HOSTS = new Set([
  'metadata',
  'metadata.google',
  'metadata.google.internal',
  'instance-data',
  'instance-data.ec2.internal',
  'metadata.azure.com',
  'metadata.tencentyun.com',
]);

const LOCALHOST_ALIASES = new Set([
  'localhost',
  'localhost.localdomain',
  'localhost6',
  'localhost6.localdomain6',
  'ip6-localhost',
  'ip6-loopback',
]);

/** Names that resolve inside the cluster whatever the search path: the API server and Service domains. */
const CLUSTER_SUFFIXES = ['.svc', '.cluster.local', '.svc.cluster.local'];
const CLUSTER_HOSTS = new Set(['kubernetes.default', 'cluster.local']);

/** Public wildcard-DNS services: `10.0.0.1.nip.io` resolves to 10.0.0.1, `x.lvh.me` to 127.0.0.1. */
const WILDCARD_DNS = [
  'nip.io',
  'sslip.io',
  'xip.io',
  'localtest.me',
  'lvh.me',
  'vcap.me',
  'lacolhost.com',
  'fuf.me',
  'traefik.me',
];

/** Platform and metadata endpoints outside the link-local range. */
const METADATA_IPV4 = new Set([
  '100.100.100.200', // Alibaba Cloud metadata
  '168.63.129.16', // Azure wireserver (platform DNS, health probes, VM agent)
  '192.0.0.192', // Oracle Cloud metadata
]);

/** Returns Kaito's message for a URL that must not be used as tuning input, or undefined when it is fine. */
export function dataUrlError(raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return DATA_URL_MESSAGES.invalid;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return DATA_URL_MESSAGES.scheme;
  const host = url.hostname.toLowerCase().replace(/\.$/, '');
  if (host === '') return DATA_URL_MESSAGES.invalid;
  if (LOCALHOST_ALIASES.has(host) || host.endsWith('.localhost') || METADATA_HOSTS.has(host)) {
    return DATA_URL_MESSAGES.local;
  }
  const ipv4 = parseIpv4(host);
  if (ipv4 !== undefined) return ipv4Error(ipv4);
  if (host.startsWith('[') && host.endsWith(']')) {
    const ipv6 = parseIpv6(host.slice(1, -1));
    if (ipv6 === undefined) return DATA_URL_MESSAGES.invalid;
    return ipv6Error(ipv6);
  }
  if (WILDCARD_DNS.some((domain) => host === domain || host.endsWith(`.${domain}`))) {
    return DATA_URL_MESSAGES.wildcard;
  }
  const fullyQualified = url.hostname.endsWith('.');
  if (
    (!host.includes('.') && !fullyQualified) ||
    CLUSTER_HOSTS.has(host) ||
    host.startsWith('kubernetes.default.') ||
    CLUSTER_SUFFIXES.some((suffix) => host.endsWith(suffix))
  ) {
    return DATA_URL_MESSAGES.cluster;
  }
  return undefined;
}

/** Judges an IPv4 address given as four octets. */
function ipv4Error(octets: number[]): string | undefined {
  const [a = 0, b = 0, c = 0] = octets;
  if (METADATA_IPV4.has(octets.join('.'))) return DATA_URL_MESSAGES.local;
  const blocked =
    a === 0 || // "this network", includes the unspecified 0.0.0.0
    a === 10 || // private
    (a === 100 && b >= 64 && b <= 127) || // shared address space (carrier-grade NAT, some pod networks)
    a === 127 || // loopback
    (a === 169 && b === 254) || // link-local, includes 169.254.169.254 metadata
    (a === 172 && b >= 16 && b <= 31) || // private
    (a === 192 && b === 0 && c === 0) || // IETF protocol assignments
    (a === 192 && b === 168) || // private
    (a === 198 && (b === 18 || b === 19)) || // benchmarking
    a >= 224; // multicast, reserved, broadcast
  return blocked ? DATA_URL_MESSAGES.address : undefined;
}

function ipv6Error(words: number[]): string | undefined {
  const [w0 = 0, w1 = 0, w2 = 0, w3 = 0, w4 = 0, w5 = 0, w6 = 0, w7 = 0] = words;
  const last32 = [w6 >> 8, w6 & 0xff, w7 >> 8, w7 & 0xff];
  const zeroPrefix = w0 === 0 && w1 === 0 && w2 === 0 && w3 === 0;
  if (zeroPrefix && w4 === 0 && w5 === 0 && w6 === 0 && (w7 === 0 || w7 === 1))
    return DATA_URL_MESSAGES.address;
  // IPv4-compatible (::a.b.c.d), IPv4-mapped (::ffff:a.b.c.d) and IPv4-translated (::ffff:0:a.b.c.d).
  if (zeroPrefix && ((w4 === 0 && (w5 === 0 || w5 === 0xffff)) || (w4 === 0xffff && w5 === 0))) {
    return ipv4Error(last32);
  }
  // NAT64 well-known prefix 64:ff9b::/96 embeds the IPv4 address; the local-use one 64:ff9b:1::/48 may
  // embed it anywhere, so it is refused whole.
  if (w0 === 0x64 && w1 === 0xff9b) {
    if (w2 === 0 && w3 === 0 && w4 === 0 && w5 === 0) return ipv4Error(last32);
    if (w2 === 1) return DATA_URL_MESSAGES.address;
  }
  if (w0 === 0x2002) return ipv4Error([w1 >> 8, w1 & 0xff, w2 >> 8, w2 & 0xff]); // 6to4
  if (w0 === 0x2001 && w1 === 0) return ipv4Error(last32.map((octet) => octet ^ 0xff)); // Teredo client
  if ((w0 & 0xfe00) === 0xfc00) return DATA_URL_MESSAGES.address; // unique local (private), fd00:ec2::254
  if ((w0 & 0xffc0) === 0xfe80) return DATA_URL_MESSAGES.address; // link-local unicast
  if ((w0 & 0xffc0) === 0xfec0) return DATA_URL_MESSAGES.address; // site-local (deprecated, still routed inside sites)
  if ((w0 & 0xff00) === 0xff00) return DATA_URL_MESSAGES.address; // multicast
  if (w0 === 0x100 && w1 === 0 && w2 === 0 && w3 === 0) return DATA_URL_MESSAGES.address; // discard-only
  return undefined;
}

/** A dotted-quad as the WHATWG parser prints it; anything else is not an IPv4 host. */
function parseIpv4(host: string): number[] | undefined {
  const parts = host.split('.');
  if (parts.length !== 4) return undefined;
  const octets = parts.map((p) => (/^\d{1,3}$/.test(p) ? Number(p) : NaN));
  return octets.every((o) => Number.isInteger(o) && o <= 255) ? octets : undefined;
}

/** Eight 16-bit words of an IPv6 address (as the WHATWG parser prints it, `::` compressed). */
function parseIpv6(text: string): number[] | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string): number[] | undefined => {
    if (part === '') return [];
    const words: number[] = [];
    for (const piece of part.split(':')) {
      if (piece.includes('.')) {
        const v4 = parseIpv4(piece);
        if (v4 === undefined) return undefined;
        words.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
      } else if (/^[0-9a-f]{1,4}$/.test(piece)) {
        words.push(parseInt(piece, 16));
      } else {
        return undefined;
      }
    }
    return words;
  };
  const head = parse(halves[0] ?? '');
  const tail = halves.length === 2 ? parse(halves[1] ?? '') : [];
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  return [...head, ...Array<number>(missing).fill(0), ...tail];
}
