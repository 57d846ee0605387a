/** ApplicationSet names stay within 63 characters, rendered by Go templates as Argo CD renders them. */
import { describe, expect, it } from 'vitest';
import {
  SHARD_NAMESPACE_TEMPLATE,
  applicationName,
  applicationNameTemplate,
  shardApplicationNameTemplate,
} from '../../../src/install/argocd-names.ts';
import { unitName } from '../../../src/render/index.ts';
import { GoTemplate } from '../../support/go-template.ts';

/** What the git directory generator passes for `<deploy path>/workspaces/<namespace>/<name>`. */
function render(deployPath: string, namespace: string, name: string): string {
  const segments = [...deployPath.split('/').filter((s) => s !== ''), 'workspaces', namespace, name];
  const template = applicationNameTemplate(segments.length - 2);
  const path = { path: segments.join('/'), basename: name, segments };
  return new GoTemplate().add('name', template).render('name', { path });
}

const LONG = 'workspace-llama-3-3-70b-instruct-with-a-long-adapter-name';

describe('Application names', () => {
  it.each<[string, string, string]>([
    ['clusters/prod', 'default', 'phi-3'],
    ['', 'team-a', 'workspace-phi-3-mini-adapter'],
    ['clusters/prod', 'ml-research-platform', LONG],
    ['a/b/c', 'ml-research-platform', `${LONG}-v2`],
  ])('in %s: %s/%s', (deployPath, namespace, name) => {
    const rendered = render(deployPath, namespace, name);
    expect(rendered).toBe(applicationName(namespace, name));
    expect(rendered.length).toBeLessThanOrEqual(63);
    expect(rendered).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
  });

  it('keeps short names as they are and tells long names with a shared prefix apart', () => {
    expect(applicationName('default', 'phi-3')).toBe('kaito-default-phi-3');
    const a = applicationName('ml-research-platform', `${LONG}-a`);
    const b = applicationName('ml-research-platform', `${LONG}-b`);
    expect(a).not.toBe(b);
    expect(a.slice(0, 54)).toBe(b.slice(0, 54));
  });
});

describe('shard Application names', () => {
  /** What the git directory generator passes for `<deploy path>/shards/<shard>`. */
  const renderShard = (shard: string) => {
    const segments = ['clusters', 'prod', 'shards', shard];
    const path = { path: segments.join('/'), basename: shard, segments };
    const template = new GoTemplate()
      .add('name', shardApplicationNameTemplate('kaito-workspaces'))
      .add('namespace', SHARD_NAMESPACE_TEMPLATE);
    return { name: template.render('name', { path }), namespace: template.render('namespace', { path }) };
  };

  it.each([
    ['default', 'default'],
    ['team-a.1', 'team-a'],
    ['team-a.0110', 'team-a'],
    // Cut names that would end in a dot or a dash (hash bits of the older layout make them long).
    [`${'m'.repeat(36)}.0110101011`, 'm'.repeat(36)],
    [`${'a'.repeat(36)}-b.0110101011`, `${'a'.repeat(36)}-b`],
    [`${'x'.repeat(63)}.17`, 'x'.repeat(63)],
  ])('%s: the name init gave its Application, in its namespace', (shard, namespace) => {
    const rendered = renderShard(shard);
    expect(rendered.name).toBe(unitName('kaito-workspaces', shard));
    expect(rendered.name.length).toBeLessThanOrEqual(63);
    expect(rendered.namespace).toBe(namespace);
  });
});
