/**
 * Kubernetes name and label syntax (k8s.io/apimachinery `pkg/util/validation`), with the same messages,
 * so a name that the API server would refuse is refused here first. These checks also keep names safe to
 * use as path segments: none of them admits `/`, `..` or an empty string.
 */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

const LABEL_MAX = 63;
const SUBDOMAIN_MAX = 253;

/** A lowercase RFC 1123 label (Workspace and namespace names). Returns the reasons it is not one. */
export function dns1123LabelErrors(value: string): string[] {
  const errors: string[] = [];
  if (value.length > LABEL_MAX) errors.push(`must be no more than ${LABEL_MAX} characters`);
  if (!DNS1123_LABEL.test(value)) {
    errors.push(
      "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name', or '123-abc')",
    );
  }
  return errors;
}

/** A lowercase RFC 1123 subdomain (most object names, Secret and ConfigMap references). */
export function dns1123SubdomainErrors(value: string): string[] {
  const errors: string[] = [];
  if (value.length > SUBDOMAIN_MAX) errors.push(`must be no more than ${SUBDOMAIN_MAX} characters`);
  if (!DNS1123_SUBDOMAIN.test(value)) {
    errors.push(
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com')",
    );
  }
  return errors;
}

/** A DNS-1035 label: what a Service name must be. */
export function dns1035LabelErrors(value: string): string[] {
  const errors: string[] = [];
  if (value.length > LABEL_MAX) errors.push(`must be no more than ${LABEL_MAX} characters`);
  if (!DNS1035_LABEL.test(value)) {
    errors.push(
      "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name', or 'abc-123')",
    );
  }
  return errors;
}

export function isDns1123Label(value: unknown): value is string {
  return typeof value === 'string' && dns1123LabelErrors(value).length === 0;
}

export function isDns1123Subdomain(value: unknown): value is string {
  return typeof value === 'string' && dns1123SubdomainErrors(value).length === 0;
}

/** A label or annotation key: `[prefix/]name`, prefix a DNS subdomain, name a qualified name. */
export function qualifiedNameErrors(value: string): string[] {
  const parts = value.split('/');
  let name = value;
  const errors: string[] = [];
  if (parts.length === 2) {
    const prefix = parts[0] ?? '';
    name = parts[1] ?? '';
    if (prefix === '') errors.push('prefix part must be non-empty');
    else errors.push(...dns1123SubdomainErrors(prefix).map((e) => `prefix part ${e}`));
  } else if (parts.length > 2) {
    return [
      "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName', or 'my.name', or '123-abc'), with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ];
  }
  if (name === '') errors.push('name part must be non-empty');
  else if (name.length > LABEL_MAX) errors.push(`name part must be no more than ${LABEL_MAX} characters`);
  else if (!QUALIFIED_NAME.test(name)) {
    errors.push(
      "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName', or 'my.name', or '123-abc')",
    );
  }
  return errors;
}

/** A label value: empty, or up to 63 characters of the qualified-name alphabet. */
export function labelValueErrors(value: string): string[] {
  const errors: string[] = [];
  if (value.length > LABEL_MAX) errors.push(`must be no more than ${LABEL_MAX} characters`);
  if (!LABEL_VALUE.test(value)) {
    errors.push(
      "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue', or 'my_value', or '12345')",
    );
  }
  return errors;
}

const CONFIG_MAP_KEY = /^[-._a-zA-Z0-9]+$/;

/** A key of a ConfigMap's `data`. */
export function configMapKeyErrors(value: string): string[] {
  if (value.length > SUBDOMAIN_MAX) return [`must be no more than ${SUBDOMAIN_MAX} characters`];
  if (!CONFIG_MAP_KEY.test(value) || value === '.' || value === '..') {
    return ["a valid config key must consist of alphanumeric characters, '-', '_' or '.'"];
  }
  return [];
}
