/**
 * The same source, read by every route (synth, validate, sync, report plan, the sync server's pull-request
 * comment, cdk8s synth): which files are specs, what a symbolic link, a binary file or an upper-case
 * extension gets, and the repository files beside the specs (`.kaito-gitops/`) must come out the same,
 * or a pull request's comment says something other than what sync deploys.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatHuggingFaceCache } from '../../src/catalog/index.ts';
import { QWEN3_4B_FACTS, QWEN3_4B_WORKSPACE as QWEN3 } from '../support/hf-hub-server.ts';
import { phi3 } from '../support/report-specs.ts';
import { ROUTES, startRoutes, type Route, type RouteView, type Routes } from '../support/routes.ts';

let routes: Routes;
beforeAll(async () => {
  routes = await startRoutes();
});
afterAll(async () => {
  await routes.close();
});

/** Every route's view equals `expected` (cdk8s synth prints a whole line per refusal: it holds the message). */
function expectEveryRoute(views: Partial<Record<Route, RouteView>>, expected: Omit<RouteView, 'manifests'>) {
  const seen = Object.fromEntries(
    Object.entries(views).map(([route, view]) => [route, { rendered: view.rendered, refused: view.refused }]),
  );
  const wanted = Object.fromEntries(
    Object.keys(views).map((route) => [
      route,
      {
        rendered: expected.rendered,
        refused: Object.fromEntries(
          Object.entries(expected.refused).map(([file, message]) => [
            file,
            route === 'cdk8s synth' ? expect.stringContaining(message) : message,
          ]),
        ),
      },
    ]),
  );
  expect(seen).toEqual(wanted);
}

describe('spec files are found and judged the same way on every route', () => {
  it('upper-case and .yml extensions are specs, dot-directories are not, links and binary files are refused', async () => {
    const views = await routes.run({
      'a.yaml': phi3('alpha'),
      'B.YAML': phi3('beta'),
      'c.yml': phi3('gamma'),
      'nested/deeper/e.YML': phi3('epsilon'),
      '.hidden/d.yaml': phi3('delta'),
      'nested/.drafts/h.yaml': phi3('theta'),
      '.d.yaml': phi3('zeta'),
      'link.yaml': { symlink: 'a.yaml' },
      'bin.yaml': Buffer.concat([Buffer.from(phi3('eta')), Buffer.from([0, 1, 2, 0])]),
      'notes.txt': 'not a spec\n',
    });
    expect(Object.keys(views).sort()).toEqual([...ROUTES].sort());
    expectEveryRoute(views, {
      rendered: ['default/alpha', 'default/beta', 'default/epsilon', 'default/gamma'],
      refused: {
        'bin.yaml':
          'is not a YAML text file: it holds binary data (NUL bytes); keep only Workspace YAML and the objects it references here',
        'link.yaml':
          'is a symbolic link; kaito-gitops reads only regular files, so that no link can pull a file from outside the source in: replace it with the file itself',
      },
    });
  });
});

const CACHE = formatHuggingFaceCache([{ gated: false, facts: QWEN3_4B_FACTS }]);

const PULL_REQUEST_ROUTES = ['report plan', 'pull-request comment'] as const;

describe('the Hugging Face cache file beside the specs', () => {
  it('sizes a model outside the catalog on every route, the pull request’s comments included', async () => {
    const views = await routes.run({ 'qwen3.yaml': QWEN3, '.kaito-gitops/huggingface-models.yaml': CACHE });
    expect(Object.keys(views).sort()).toEqual([...ROUTES].sort());
    expectEveryRoute(views, { rendered: ['default/qwen3'], refused: {} });
    for (const [route, view] of Object.entries(views)) {
      if (route === 'validate') continue;
      expect({ route, parser: view.manifests.includes('--reasoning-parser=qwen3') }).toEqual({
        route,
        parser: true,
      });
    }
    for (const route of PULL_REQUEST_ROUTES) {
      expect({ route, comment: views[route]?.comment }).toEqual({
        route,
        comment: expect.stringContaining('**1 added, 0 changed, 0 removed, 0 refused**'),
      });
    }
  });

  it('plans each side of a pull request with its own copy', async () => {
    // Base deployed the model with the cache file; the pull request deletes the file.
    const base = { 'qwen3.yaml': QWEN3, '.kaito-gitops/huggingface-models.yaml': CACHE };
    const views = await routes.run({ 'qwen3.yaml': QWEN3 }, PULL_REQUEST_ROUTES, base);
    expectEveryRoute(views, {
      rendered: [],
      refused: {
        'qwen3.yaml':
          'Qwen/Qwen3-4B is not in the model catalog, and specs/.kaito-gitops/huggingface-models.yaml does not size it: run kaito-gitops plan on these specs where the Hugging Face Hub is reachable (HF_TOKEN for a gated model) and commit specs/.kaito-gitops/huggingface-models.yaml',
      },
    });
    // Base planned it with its own copy, so the refusal keeps what base deployed.
    for (const route of PULL_REQUEST_ROUTES) {
      const comment = views[route]?.comment ?? '';
      expect({ route, summary: comment.includes('**0 added, 0 changed, 0 removed, 1 refused**') }).toEqual({
        route,
        summary: true,
      });
      expect({ route, kept: comment.includes('refused: keeps its last good output') }).toEqual({
        route,
        kept: true,
      });
    }
  });
});

describe('a broken repository file', () => {
  it('is refused on every route, naming the file and the field, and nothing of the source is used', async () => {
    const views = await routes.run(
      { 'a.yaml': phi3('alpha'), '.kaito-gitops/huggingface-models.yaml': 'huggingFaceModels: 3\n' },
      ROUTES,
      { 'a.yaml': phi3('alpha') },
    );
    expectEveryRoute(views, {
      rendered: [],
      refused: { '.kaito-gitops/huggingface-models.yaml': 'must be a list' },
    });
  });
});

describe('the repository settings file beside the specs', () => {
  it('nodes: byo pins no pod to per-Workspace node labels on every route', async () => {
    const views = await routes.run({
      'a.yaml': phi3('alpha'),
      '.kaito-gitops/settings.yaml': 'nodes: byo\n',
    });
    expectEveryRoute(views, { rendered: ['default/alpha'], refused: {} });
    for (const [route, view] of Object.entries(views)) {
      if (route === 'validate' || route === 'plan') continue;
      expect({ route, selected: view.manifests.includes('- key: apps') }).toEqual({ route, selected: true });
      expect({ route, pinned: view.manifests.includes('- key: kaito.sh/workspace') }).toEqual({
        route,
        pinned: false,
      });
    }
  });
});
