/**
 * The IAM permission each Dataform v1 method checks (`dataform.<collection>.<verb>`) and the
 * least predefined role that grants it, for the advice on PERMISSION_DENIED. Reads are in Dataform
 * Viewer, compiling and invoking in Dataform Editor, managing repositories and configs only in
 * Dataform Admin.
 */
const METHOD_PERMISSION: Record<string, string> = {
  GetRepository: "dataform.repositories.get",
  CreateRepository: "dataform.repositories.create",
  UpdateRepository: "dataform.repositories.update",
  ListReleaseConfigs: "dataform.releaseConfigs.list",
  GetReleaseConfig: "dataform.releaseConfigs.get",
  CreateReleaseConfig: "dataform.releaseConfigs.create",
  UpdateReleaseConfig: "dataform.releaseConfigs.update",
  DeleteReleaseConfig: "dataform.releaseConfigs.delete",
  ListWorkflowConfigs: "dataform.workflowConfigs.list",
  GetWorkflowConfig: "dataform.workflowConfigs.get",
  CreateWorkflowConfig: "dataform.workflowConfigs.create",
  UpdateWorkflowConfig: "dataform.workflowConfigs.update",
  DeleteWorkflowConfig: "dataform.workflowConfigs.delete",
  CreateCompilationResult: "dataform.compilationResults.create",
  GetCompilationResult: "dataform.compilationResults.get",
  QueryCompilationResultActions: "dataform.compilationResults.query",
  CreateWorkflowInvocation: "dataform.workflowInvocations.create",
  GetWorkflowInvocation: "dataform.workflowInvocations.get",
  ListWorkflowInvocations: "dataform.workflowInvocations.list",
  CancelWorkflowInvocation: "dataform.workflowInvocations.cancel",
  QueryWorkflowInvocationActions: "dataform.workflowInvocations.query",
};

export function permissionFor(method: string): string {
  return METHOD_PERMISSION[method] ?? `the permission of ${method}`;
}

export function roleFor(permission: string): string {
  const verb = permission.slice(permission.lastIndexOf(".") + 1);
  if (["get", "list", "query"].includes(verb)) return "roles/dataform.viewer (Dataform Viewer)";
  if (/^dataform\.(compilationResults|workflowInvocations)\./.test(permission)) return "roles/dataform.editor (Dataform Editor)";
  return "roles/dataform.admin (Dataform Admin)";
}
