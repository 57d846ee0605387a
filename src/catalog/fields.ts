/**
 * Small typed readers for the YAML in `presets/`: each reads one field of a mapping, records a
 * problem with the field's path when the value is missing or of the wrong kind, and returns a
 * fallback so validation continues and reports every problem at once.
 */
import type { Problem } from '../errors.ts';

export type Mapping = Record<string, unknown>;

export function isMapping(value: unknown): value is Mapping {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export class FieldReader {
  readonly problems: Problem[] = [];

  problem(path: string, message: string): void {
    this.problems.push({ path, message });
  }

  /** Flags keys the schema does not know, so a misspelt field is not silently ignored. */
  unknownKeys(value: Mapping, path: string, known: readonly string[]): void {
    for (const key of Object.keys(value)) {
      if (!known.includes(key)) {
        this.problem(`${path}.${key}`, `unknown field (known: ${known.join(', ')})`);
      }
    }
  }

  string(value: Mapping, key: string, path: string): string;
  string(value: Mapping, key: string, path: string, optional: 'optional'): string | undefined;
  string(value: Mapping, key: string, path: string, optional?: 'optional'): string | undefined {
    const raw = value[key];
    if (raw === undefined && optional) return undefined;
    if (typeof raw !== 'string' || raw.trim() === '') {
      this.problem(`${path}.${key}`, 'must be a non-empty string');
      return optional ? undefined : '';
    }
    return raw;
  }

  positiveNumber(value: Mapping, key: string, path: string, fallback?: number): number;
  positiveNumber(value: Mapping, key: string, path: string, fallback: 'optional'): number | undefined;
  positiveNumber(
    value: Mapping,
    key: string,
    path: string,
    fallback?: number | 'optional',
  ): number | undefined {
    const raw = value[key];
    if (raw === undefined && fallback !== undefined) return fallback === 'optional' ? undefined : fallback;
    if (typeof raw !== 'number' || !Number.isFinite(raw) || raw <= 0) {
      this.problem(`${path}.${key}`, 'must be a positive number');
      return 0;
    }
    return raw;
  }

  positiveInteger(value: Mapping, key: string, path: string, fallback?: number): number {
    const raw = value[key];
    if (raw === undefined && fallback !== undefined) return fallback;
    if (typeof raw !== 'number' || !Number.isInteger(raw) || raw <= 0) {
      this.problem(`${path}.${key}`, 'must be a positive integer');
      return fallback ?? 1;
    }
    return raw;
  }

  boolean(value: Mapping, key: string, path: string, fallback: boolean): boolean {
    const raw = value[key];
    if (raw === undefined) return fallback;
    if (typeof raw !== 'boolean') {
      this.problem(`${path}.${key}`, 'must be true or false');
      return fallback;
    }
    return raw;
  }

  oneOf<const T extends string>(
    value: Mapping,
    key: string,
    path: string,
    choices: readonly T[],
    fallback: T,
  ): T {
    const raw = value[key];
    if (raw === undefined) return fallback;
    if (typeof raw !== 'string' || !(choices as readonly string[]).includes(raw)) {
      this.problem(`${path}.${key}`, `must be one of ${choices.join(', ')}`);
      return fallback;
    }
    return raw as T;
  }

  mapping(value: Mapping, key: string, path: string): Mapping | undefined {
    const raw = value[key];
    if (raw === undefined) return undefined;
    if (!isMapping(raw)) {
      this.problem(`${path}.${key}`, 'must be a mapping');
      return undefined;
    }
    return raw;
  }

  /** A mapping of command-line flags: values are strings, numbers or `true`. */
  flags(value: Mapping, key: string, path: string): Record<string, string | number | true> {
    const raw = this.mapping(value, key, path) ?? {};
    const flags: Record<string, string | number | true> = {};
    for (const [flag, flagValue] of Object.entries(raw)) {
      if (typeof flagValue === 'string' || typeof flagValue === 'number' || flagValue === true) {
        flags[flag] = flagValue;
      } else {
        this.problem(`${path}.${key}.${flag}`, 'must be a string, a number or true (a bare flag)');
      }
    }
    return flags;
  }
}
