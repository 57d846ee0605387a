// @ts-check
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * Folders of src/ talk through their barrels: a file in one folder may import another folder's
 * `index.ts` only (STYLE 3, DESIGN's module map). Inside a folder, anything goes.
 */
const FOLDERS = readdirSync(join(import.meta.dirname, 'src'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);
/** @param {string[]} folders @param {string} prefix */
const barrelOnly = (folders, prefix) => ({
  regex: `^${prefix}(${folders.join('|')})/(?!index\\.ts$)`,
  message: 'Import another folder through its index.ts (the barrel); export the name there if it is missing.',
});
const boundaries = [
  {
    files: ['src/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [barrelOnly(FOLDERS, '\\./')] }] },
  },
  ...FOLDERS.map((folder) => ({
    files: [`src/${folder}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            barrelOnly(
              FOLDERS.filter((other) => other !== folder),
              '(\\.\\./)+',
            ),
          ],
        },
      ],
    },
  })),
];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'coverage/', 'charts/', '.bench/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['eslint.config.js', 'bin/kaito-gitops.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  ...boundaries,
  {
    files: ['tests/**', 'bench/**'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
