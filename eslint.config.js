import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'data/**', '**/*.js', '**/*.mjs', 'web-demo/dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportAllDeclaration', message: 'Public API is a reviewed list of named exports: no export *.' },
      ],
    },
  },
  {
    // Layering: domain, sync and protocol code talk to side effects through ports only.
    files: ['core/src/**/*.ts'],
    ignores: ['core/src/crdt/yjs/**', 'core/src/crdt/automerge/**', 'core/src/crypto/sodium/**', 'core/src/storage/dexie/**', 'core/src/transport/**', 'core/src/sandbox/**', 'core/src/**/*.test.ts', 'core/src/testing/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            // Bare module names only (regex), so relative folders such as ./yjs/ are not caught.
            { regex: '^(yjs|y-[a-z-]+|lib0)(/.*)?$', message: 'Only crdt/yjs may import Yjs.' },
            { regex: '^@automerge/', message: 'Only crdt/automerge may import Automerge.' },
            { regex: '^libsodium-', message: 'Only crypto/sodium may import libsodium.' },
            { regex: '^(dexie|fake-indexeddb)(/.*)?$', message: 'Only storage/dexie and projection/dexie.ts may import Dexie.' },
            { regex: '^ws$', message: 'Only transport/ may import ws.' },
          ],
        },
      ],
    },
  },
  {
    // test/ proves the public API is enough: it imports package entry points only (@kith/core,
    // @kith/core/testing, @kith/relay, …), never a path into another package's sources.
    files: ['test/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+(core|relay|web-demo)/',
              message: 'test/ imports package entry points only (@kith/core, @kith/core/testing, @kith/relay, …); export what a test needs deliberately.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.test.ts', '**/testing/**/*.ts', 'test/**/*.ts', '**/bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
);
