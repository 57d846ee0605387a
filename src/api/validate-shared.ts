/**
 * Rules that inference and tuning share: preset fields, image references, Secret names.
 */
import type { Problem } from '../errors.ts';
import type { ApiVersion, PresetSpec } from './types.ts';
import { dns1123SubdomainErrors } from './names.ts';
import { looksLikePlaceholder, parseImageReference } from './image-reference.ts';
import { field, item, problem, show } from './problems.ts';

/**
 * An image reference checked with Docker's grammar. `prefix` is Kaito's message head, e.g.
 * `Unable to parse input image reference`.
 */
export function imageProblems(path: string, image: string, prefix: string): Problem[] {
  const parsed = parseImageReference(image);
  if (parsed.ok) return [];
  if (looksLikePlaceholder(image)) {
    return [
      problem(
        path,
        `${prefix}: ${show(image)} looks like a placeholder; replace it with a real image such as myregistry.azurecr.io/my-image:0.0.1 (${parsed.error})`,
      ),
    ];
  }
  return [problem(path, `${prefix}: ${parsed.error}`)];
}

/** A reference to a Secret in the Workspace's namespace. */
export function secretNameProblems(path: string, name: string): Problem[] {
  const errors = dns1123SubdomainErrors(name);
  if (errors.length === 0) return [];
  const hint = looksLikePlaceholder(name) ? ' (it looks like a placeholder)' : '';
  return [problem(path, `${show(name)} is not a valid Secret name${hint}: ${errors.join(', ')}`)];
}

export function secretListProblems(path: string, names: readonly string[] | undefined): Problem[] {
  return (names ?? []).flatMap((name, index) => secretNameProblems(item(path, index), name));
}

/** Preset fields that need no catalog: a name, a usable image, Secret names, v1alpha1 private mode. */
export function presetProblems(path: string, preset: PresetSpec, apiVersion: ApiVersion): Problem[] {
  const problems: Problem[] = [];
  if (preset.name.trim() === '') {
    problems.push(problem(field(path, 'name'), 'must not be empty; set the name of a model preset'));
  }
  const options = preset.presetOptions ?? {};
  const optionsPath = field(path, 'presetOptions');
  const image = options.image ?? '';
  if (image !== '') {
    problems.push(...imageProblems(field(optionsPath, 'image'), image, 'must be a full image reference'));
  }
  if (apiVersion === 'kaito.sh/v1alpha1' && preset.accessMode === 'private' && image === '') {
    problems.push(
      problem(
        field(optionsPath, 'image'),
        'When AccessMode is private, an image must be provided in PresetOptions',
      ),
    );
  }
  problems.push(...secretListProblems(field(optionsPath, 'imagePullSecrets'), options.imagePullSecrets));
  if (options.modelAccessSecret !== undefined && options.modelAccessSecret !== '') {
    problems.push(...secretNameProblems(field(optionsPath, 'modelAccessSecret'), options.modelAccessSecret));
  }
  return problems;
}
