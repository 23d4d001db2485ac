// One lint configuration for every project. Typed rules catch unawaited promises; module
// boundaries keep libs from importing services and everyone from reaching into another's src/.
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';

const SERVICES = ['@claudine/coordinator', '@claudine/worker', '@claudine/mcp-gateway', 'claudine'];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/generated/**', '**/*.js', '**/*.mjs', '.nx/**'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      'import-x/no-cycle': 'error',
      'no-console': 'error',
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@claudine/*/src/*', '**/libs/*/src/*', '**/services/*/src/*'], message: 'Import a project by its package name, never its src/ internals.' },
          ],
        },
      ],
    },
  },
  {
    // A lib never imports a service.
    files: ['libs/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: SERVICES.map((name) => ({ name, message: 'A lib never imports a service.' })),
          patterns: [{ group: ['@claudine/*/src/*'], message: 'Import a project by its package name.' }],
        },
      ],
    },
  },
  {
    // Services talk to each other through gRPC or Redis only. The CLI starts them as processes
    // (`claudine up`), and the bench drives them in-process, so those two may import them.
    files: ['services/coordinator/**/*.ts', 'services/worker/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: SERVICES.map((name) => ({ name, message: 'Services talk through gRPC or Redis, not imports.' })),
          patterns: [{ group: ['@claudine/*/src/*'], message: 'Import a project by its package name.' }],
        },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', '**/test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off',
      // expect.any() and friends are typed `any`.
      '@typescript-eslint/no-unsafe-assignment': 'off',
    },
  },
);
