/**
 * Applies a deploy plan in dependency order: the repository, the release config, the workflow
 * configs (which name the release config), then the deletions of --prune (workflow configs before
 * the release configs they use) and last the repository labels that no longer mark them. Only
 * create, patch (with the plan's update mask) and delete calls; nothing for an unchanged resource.
 */
import type { DataformApi } from "./dataform-api";
import type { DeployPlan, PlanItem } from "./deploy-plan";
import type { RepositoryRef } from "./names";

export interface Applied {
  kind: PlanItem["kind"];
  id: string;
  action: PlanItem["action"];
  updateMask?: string[];
}

export async function applyPlan(api: DataformApi, plan: DeployPlan, ref: RepositoryRef, onApplied: (a: Applied) => void = () => {}): Promise<Applied[]> {
  const applied: Applied[] = [];
  const run = async (item: PlanItem) => {
    if (item.action === "unchanged") return;
    await applyItem(api, item, ref);
    const a: Applied = { kind: item.kind, id: item.id, action: item.action, ...(item.action === "update" ? { updateMask: item.updateMask } : {}) };
    applied.push(a);
    onApplied(a);
  };
  const [repository, ...rest] = plan.items;
  await run(plan.repositorySteps?.[0] ?? repository);
  for (const item of rest.filter((i) => i.action !== "delete")) await run(item);
  for (const item of rest.filter((i) => i.action === "delete")) await run(item);
  if (plan.repositorySteps) await run(plan.repositorySteps[1]);
  return applied;
}

async function applyItem(api: DataformApi, item: PlanItem, ref: RepositoryRef): Promise<void> {
  const parent = item.name.replace(/\/(releaseConfigs|workflowConfigs)\/[^/]+$/, "");
  const { name: _name, ...fields } = item.body ?? {};
  switch (`${item.kind}:${item.action}`) {
    case "repository:create":
      return void (await api.createRepository(ref, fields));
    case "repository:update":
      return void (await api.updateRepository(item.body!, item.updateMask));
    case "release config:create":
      return void (await api.createReleaseConfig(parent, item.id, fields));
    case "release config:update":
      return void (await api.updateReleaseConfig(item.body!, item.updateMask));
    case "release config:delete":
      return api.deleteReleaseConfig(item.name);
    case "workflow config:create":
      return void (await api.createWorkflowConfig(parent, item.id, fields));
    case "workflow config:update":
      return void (await api.updateWorkflowConfig(item.body!, item.updateMask));
    case "workflow config:delete":
      return api.deleteWorkflowConfig(item.name);
  }
}
