import { describe, expect, it } from 'vitest';
import { SpecError } from '../../../src/errors.ts';
import { parseRepositorySettings } from '../../../src/api/index.ts';

const FILE = 'specs/.kaito-gitops/settings.yaml';

describe('the repository settings file', () => {
  it.each([
    ['', 'provisioned'],
    ['# nothing set yet\n', 'provisioned'],
    ['nodes: provisioned\n', 'provisioned'],
    ['nodes: byo\n', 'byo'],
  ])('%j → nodes %s', (content, nodes) => {
    expect(parseRepositorySettings(content, FILE)).toEqual({ nodes });
  });

  it.each([
    [
      '# cluster\nnodes: BYO\n',
      'specs/.kaito-gitops/settings.yaml:2:1: nodes: must be "provisioned" or "byo", not "BYO": byo when the agent runs --provisioner byo, provisioned (the default) for nodeclaim or aks',
    ],
    ['node: byo\n', 'specs/.kaito-gitops/settings.yaml:1:1: node: unknown setting; the settings are: nodes'],
    ['- byo\n', 'specs/.kaito-gitops/settings.yaml:1:1: must be a mapping of settings (nodes), not a list'],
    ['nodes: [byo\n', 'specs/.kaito-gitops/settings.yaml:1:1: invalid YAML'],
  ])('%j is one error naming the file and the field', (content, message) => {
    let error: unknown;
    try {
      parseRepositorySettings(content, FILE);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SpecError);
    expect((error as SpecError).file).toBe(FILE);
    expect((error as SpecError).message.startsWith(message)).toBe(true);
  });
});
