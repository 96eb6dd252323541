import { configDefaults, defineConfig } from "vitest/config";

// Two projects: `npm run test:unit` runs only "unit" (pure logic and generated SQL: no DuckDB file,
// no PostgreSQL, no ZetaSQL server, no child process); `npm test` runs both, as CI does.
const unit = ["test/unit/**/*.test.ts", "test/golden/**/*.test.ts"];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    projects: [
      { extends: true, test: { name: "unit", include: unit } },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["test/**/*.test.ts"],
          exclude: [...configDefaults.exclude, ...unit],
          globalSetup: ["test/helpers/postgres-setup.ts"],
        },
      },
    ],
  },
});
