/** Resource names of the Dataform v1 API: projects/P/locations/L/repositories/R and what is under it. */
export interface RepositoryRef {
  project: string;
  region: string;
  repository: string;
}

export const locationName = (r: Pick<RepositoryRef, "project" | "region">) => `projects/${r.project}/locations/${r.region}`;
export const repositoryName = (r: RepositoryRef) => `${locationName(r)}/repositories/${r.repository}`;
export const releaseConfigName = (r: RepositoryRef, id: string) => `${repositoryName(r)}/releaseConfigs/${id}`;
export const workflowConfigName = (r: RepositoryRef, id: string) => `${repositoryName(r)}/workflowConfigs/${id}`;
export const workflowInvocationName = (r: RepositoryRef, id: string) => `${repositoryName(r)}/workflowInvocations/${id}`;
export const compilationResultName = (r: RepositoryRef, id: string) => `${repositoryName(r)}/compilationResults/${id}`;

/** The last component of a resource name (the id). */
export const lastSegment = (name: string) => name.slice(name.lastIndexOf("/") + 1);
