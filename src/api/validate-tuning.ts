/**
 * `tuning`: method, preset, input (`DataSource.validateCreate`: one of URLs, image or volume; safe URLs),
 * output (`DataDestination.validateCreate`) and the training ConfigMap.
 */
import type { Problem } from '../errors.ts';
import type { Workspace } from './types.ts';
import { TUNING_METHODS } from './types.ts';
import type { ValidationContext } from './validate.ts';
import { dataUrlError } from './data-url.ts';
import { tuningConfigProblems } from './config-maps.ts';
import { imageProblems, presetProblems, secretListProblems, secretNameProblems } from './validate-shared.ts';
import { item, problem, show } from './problems.ts';

export function validateTuning(workspace: Workspace, context: ValidationContext): Problem[] {
  const tuning = workspace.tuning;
  if (tuning === undefined) return [];
  const problems: Problem[] = [];
  const method = tuning.method;
  const methodKnown = TUNING_METHODS.some((m) => m === method);
  if (!methodKnown) {
    const written = workspace.document.tuning?.method ?? method;
    problems.push(
      problem('tuning.method', `invalid value ${show(written)}: supported methods are lora, qlora`),
    );
  }
  problems.push(...presetProblems('tuning.preset', tuning.preset, workspace.apiVersion));

  const input = tuning.input;
  const urls = input.urls ?? [];
  let sources = 0;
  if (urls.length > 0) {
    sources++;
    urls.forEach((url, index) => {
      const error = dataUrlError(url);
      if (error !== undefined)
        problems.push(problem(item('tuning.input.urls', index), `${show(url)}: ${error}`));
    });
  }
  if (input.image !== undefined && input.image !== '') {
    sources++;
    problems.push(
      ...imageProblems('tuning.input.image', input.image, 'Unable to parse input image reference'),
    );
  }
  if (input.volumeSource !== undefined) sources++;
  if (sources !== 1) {
    problems.push(problem('tuning.input', 'Exactly one of URLs, Volume, or Image must be specified'));
  }
  problems.push(...secretListProblems('tuning.input.imagePullSecrets', input.imagePullSecrets));

  const output = tuning.output;
  let destinations = 0;
  if (output.image !== undefined && output.image !== '') {
    destinations++;
    problems.push(
      ...imageProblems('tuning.output.image', output.image, 'Unable to parse output image reference'),
    );
    if (output.imagePushSecret === undefined || output.imagePushSecret === '') {
      problems.push(
        problem('tuning.output.imagePushSecret', 'Must specify imagePushSecret with destination image'),
      );
    }
  }
  if (output.volumeSource !== undefined) destinations++;
  if (destinations !== 1) {
    problems.push(problem('tuning.output', 'Exactly one of Volume or Image must be specified'));
  }
  if (output.imagePushSecret !== undefined && output.imagePushSecret !== '') {
    problems.push(...secretNameProblems('tuning.output.imagePushSecret', output.imagePushSecret));
  }

  if (tuning.config !== undefined && tuning.config !== '' && methodKnown) {
    problems.push(...tuningConfigProblems(workspace, tuning.config, context.configMaps));
  }
  return problems;
}
