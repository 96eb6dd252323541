/** What `vwatch validate` finds, and how a finding is written for people and editors. */

export interface Diagnostic {
  action: string;
  /** "merge" / "insert" for the incremental form of an incremental table. */
  mode?: string;
  file?: string;
  line?: number;
  column?: number;
  message: string;
  /** Not validated only because it reads (maybe indirectly) this action or declaration, which failed or could not be checked. */
  blockedBy?: string;
}

export interface ValidationReport {
  /** SQL statements analyzed. */
  statements: number;
  actions: number;
  errors: Diagnostic[];
  /** Actions that could not be checked, with the reason. */
  notValidated: Diagnostic[];
}

/** `file:line:col: message (action)`, the form editors and terminals link to. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.file ? `${d.file}${d.line ? `:${d.line}${d.column ? `:${d.column}` : ""}` : ""}: ` : "";
  return `${where}${d.message} (${d.action}${d.mode ? `, ${d.mode}` : ""})`;
}
