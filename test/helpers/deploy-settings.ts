/** The Dataform repository the cloud tests' vwatch.yaml names. */
export const REPO = "projects/vw-project/locations/us-central1/repositories/analytics";

/**
 * The head of vwatch.yaml's production section as the cloud tests write it (project vw-project,
 * region us-central1, the repository and its Git remote); each test appends the release,
 * workflows or scheduled queries it is about.
 */
export function productionYaml(repository = "analytics"): string {
  return `production:
  project: vw-project
  region: us-central1
  repository:
    id: ${repository}
    git:
      url: https://example.com/org/analytics.git
      tokenSecretVersion: projects/vw-project/secrets/git-token/versions/3
`;
}
