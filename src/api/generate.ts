/**
 * The files derived from the Workspace schema that live in the repository. `npm run generate` writes them;
 * a test fails when a committed copy differs from what this returns.
 */
import { CRD_PATH, workspaceCrdYaml } from './crd.ts';
import { JSON_SCHEMA_PATH, workspaceJsonSchemaText } from './json-schema.ts';

export interface GeneratedFile {
  /** Path relative to the repository root. */
  path: string;
  content: string;
}

export function generatedFiles(): GeneratedFile[] {
  return [
    { path: CRD_PATH, content: workspaceCrdYaml() },
    { path: JSON_SCHEMA_PATH, content: workspaceJsonSchemaText() },
  ];
}
