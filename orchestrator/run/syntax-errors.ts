/**
 * SQL the local translator cannot parse is either a syntax error in the project or BigQuery
 * syntax the translator does not know. BigQuery's own parser (ZetaSQL, which `vwatch validate`
 * runs offline) tells them apart. A syntax error is a SQLX error: the whole run is refused before
 * anything runs (exit 2), at its line and column in the definition file. Valid BigQuery keeps
 * failing only its action, with the advice to run it on BigQuery.
 */
import type { Assertion, CompiledGraph, Operation, Table } from "../compile/graph";
import { targetName } from "../compile/graph";
import { CompileError } from "../errors";
import type { Plan } from "../plan/plan";
import { isUnparsable } from "../translate/translate";

export async function refuseSyntaxErrors(plan: Plan, graph: CompiledGraph, projectDir: string): Promise<void> {
  const suspects = plan.actions.filter((a) => isUnparsable(a.error));
  if (suspects.length === 0) return;
  const { ZetaSqlClient, isAnalysisError } = await import("../validate/zetasql-client");
  const { ValidationUnavailableError } = await import("../validate/zetasql-server");
  const { SourceMapper, lineColumn, offsetOfZetaSqlPosition, splitZetaSqlMessage } = await import("../validate/source-map");
  const { unknownToZetaSql } = await import("../validate/exceptions");
  const client = new ZetaSqlClient();
  const mapper = new SourceMapper(projectDir);
  const problems: { file: string; line?: number; message: string }[] = [];
  try {
    for (const action of suspects) {
      const source = sourceOf(graph, action.name);
      for (const text of compiledTexts(source)) {
        try {
          await client.parseScript(text);
          continue;
        } catch (e) {
          if (!isAnalysisError(e)) throw e;
          const { message, line, column } = splitZetaSqlMessage(e.details);
          const offset = line !== undefined ? offsetOfZetaSqlPosition(text, line, column!) : 0;
          // Syntax newer than the bundled ZetaSQL (pipes, GROUP BY ALL): BigQuery may well run it.
          if (unknownToZetaSql(message, text.slice(offset, offset + 40))) continue;
          const at = mapper.locate({ fileName: source?.fileName, sources: [text] }, text, offset);
          const file = at?.file ?? source?.fileName ?? action.name;
          const where = at ? (at.exact ? `${file}:${at.line}:${at.column}` : `${file}:${at.line}`) : `${file}:${lineColumn(text, offset).line}`;
          problems.push({ file, line: at?.line, message: `${where}: ${message}` });
          break;
        }
      }
    }
  } catch (e) {
    // Without BigQuery's parser the translator's own message stands (it names the file).
    if (e instanceof ValidationUnavailableError) return;
    throw e;
  } finally {
    await client.close();
  }
  if (problems.length) throw new CompileError(["SQL syntax error, nothing ran:", ...problems.map((p) => `  ${p.message}`)].join("\n"), problems);
}

function sourceOf(graph: CompiledGraph, name: string): Table | Operation | Assertion | undefined {
  return [...(graph.tables ?? []), ...(graph.operations ?? []), ...(graph.assertions ?? [])].find((a) => targetName(a.target) === name);
}

/** The statements an action's definition compiles to, each once (query and incrementalQuery are often the same text). */
function compiledTexts(source: Table | Operation | Assertion | undefined): string[] {
  if (!source) return [];
  const t = source as Table & Operation;
  const texts = [t.query, t.incrementalQuery, ...(t.queries ?? []), ...(t.preOps ?? []), ...(t.postOps ?? []), ...(t.incrementalPreOps ?? []), ...(t.incrementalPostOps ?? [])];
  return [...new Set(texts.filter((s): s is string => typeof s === "string" && s.trim() !== ""))];
}
