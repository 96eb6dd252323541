/**
 * The compiled graph as `dataform compile --json` prints it (protobuf JSON of
 * dataform.CompiledGraph). Only the fields the orchestrator reads are typed.
 */
export interface Target {
  database?: string;
  schema?: string;
  name: string;
}

export interface ActionDescriptor {
  description?: string;
  columns?: { path: string[]; description?: string }[];
  bigqueryLabels?: Record<string, string>;
}

export interface BigQueryOptions {
  partitionBy?: string;
  clusterBy?: string[];
  updatePartitionFilter?: string;
  labels?: Record<string, string>;
  partitionExpirationDays?: number;
  requirePartitionFilter?: boolean;
  additionalOptions?: Record<string, string>;
}

interface ActionBase {
  target: Target;
  canonicalTarget?: Target;
  fileName?: string;
  tags?: string[];
  dependencyTargets?: Target[];
  disabled?: boolean;
  actionDescriptor?: ActionDescriptor;
}

export interface Table extends ActionBase {
  type?: string;
  enumType?: "TABLE" | "VIEW" | "INCREMENTAL" | "UNKNOWN_TYPE";
  query?: string;
  incrementalQuery?: string;
  preOps?: string[];
  postOps?: string[];
  incrementalPreOps?: string[];
  incrementalPostOps?: string[];
  uniqueKey?: string[];
  protected?: boolean;
  materialized?: boolean;
  bigquery?: BigQueryOptions;
  onSchemaChange?: string;
}

export interface Operation extends ActionBase {
  queries?: string[];
  hasOutput?: boolean;
}

export interface Assertion extends ActionBase {
  query?: string;
  parentAction?: Target;
}

export interface Declaration extends ActionBase {}

export interface GraphErrors {
  compilationErrors?: { fileName?: string; message?: string; stack?: string; actionName?: string }[];
}

export interface CompiledGraph {
  projectConfig: {
    defaultDatabase?: string;
    defaultSchema?: string;
    assertionSchema?: string;
    defaultLocation?: string;
    vars?: Record<string, string>;
    warehouse?: string;
  };
  tables?: Table[];
  operations?: Operation[];
  assertions?: Assertion[];
  declarations?: Declaration[];
  graphErrors?: GraphErrors;
  dataformCoreVersion?: string;
  targets?: Target[];
}

/** `database.schema.name`, the form Dataform uses to name actions. */
export function targetName(t: Target): string {
  return [t.database, t.schema, t.name].filter(Boolean).join(".");
}
