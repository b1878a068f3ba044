// ESLint flat config: typescript-eslint everywhere, React hooks in the renderer, and the import
// boundaries of the design (electron only in main/preload; no node, better-sqlite3 or core in
// the renderer; no react or DOM in core).
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const nodeBuiltinNames = [
  'fs',
  'path',
  'os',
  'crypto',
  'child_process',
  'worker_threads',
  'http',
  'net',
  'stream',
];
const nodeBuiltinPaths = (message) => nodeBuiltinNames.map((name) => ({ name, message }));

/** The restrictions every core, contract, CLI and dev-server file has, plus a layer's own. */
function coreRestrictions(extraPatterns) {
  return [
    'error',
    {
      paths: [{ name: 'electron', message: 'electron belongs to src/main and src/preload only.' }],
      patterns: [
        {
          group: ['react', 'react-dom', 'react/*', 'react-dom/*', 'd3', 'd3-*'],
          message: 'No UI libraries outside the renderer.',
        },
        {
          group: ['**/renderer/**', '**/main/**', '**/preload/**'],
          message: 'Core code must not depend on the shells.',
        },
        ...extraPatterns,
      ],
    },
  ];
}

/** Import patterns of the rooms above a layer of core, with the reason. */
function layersAbove(rooms, who) {
  const above = [...rooms, 'findings', 'report', 'bundle', 'acquire', 'bridge'];
  return [
    {
      group: above.flatMap((r) => [
        `../${r}/**`,
        `../../${r}/**`,
        `../../../${r}/**`,
        `**/core/${r}/**`,
      ]),
      message: `${who} must not import a layer above it (core: formats <- importers <- db <- services).`,
    },
  ];
}

export default tseslint.config(
  {
    ignores: [
      'out/**',
      'dist/**',
      'release/**',
      'node_modules/**',
      'test-results/**',
      'playwright-report/**',
      'bench/.data/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    files: ['src/core/**/*.ts', 'src/contract/**/*.ts', 'src/cli/**/*.ts', 'src/devserver/**/*.ts'],
    rules: { 'no-restricted-imports': coreRestrictions([]) },
  },
  // The layers of core: formats <- importers <- db <- services (and the rooms above). A layer
  // never imports one above it. Tests may reach up to build their fixtures.
  {
    files: ['src/core/formats/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': coreRestrictions(
        layersAbove(['importers', 'db', 'services', 'catalog'], 'A format reader'),
      ),
    },
  },
  {
    files: ['src/core/importers/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': coreRestrictions(
        layersAbove(['db', 'services'], 'An importer never touches the case: it yields records'),
      ),
    },
  },
  {
    files: ['src/core/db/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': coreRestrictions(layersAbove(['services'], 'The case database')),
    },
  },
  {
    files: ['src/contract/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'electron', message: 'The contract is shared with the renderer.' },
            ...nodeBuiltinPaths('The contract is shared with the renderer: no Node modules.'),
          ],
          patterns: [
            {
              group: ['node:*'],
              message: 'The contract is shared with the renderer: no Node modules.',
            },
            {
              group: ['better-sqlite3', '**/core/**', '**/renderer/**', '**/main/**'],
              message: 'The contract depends on nothing but zod.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              message: 'The renderer talks to main only through window.snoopscope.',
            },
            { name: 'better-sqlite3', message: 'The renderer never touches the database.' },
            ...nodeBuiltinPaths('No Node modules in the renderer.'),
          ],
          patterns: [
            { group: ['node:*'], message: 'No Node modules in the renderer.' },
            {
              group: ['**/core/**', '**/main/**', '**/preload/**', '**/cli/**', '**/devserver/**'],
              message: 'The renderer imports only from src/contract.',
            },
          ],
        },
      ],
    },
  },
);
