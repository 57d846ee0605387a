/** ApplicationSet names stay within 63 characters, rendered by Go templates as Argo CD renders them. */
import { describe, expect, it } from 'vitest';
import { applicationName, applicationNameTemplate } from '../../../src/install/argocd-names.ts';
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
