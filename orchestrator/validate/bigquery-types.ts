/**
 * BigQuery type names (INT64, ARRAY<STRUCT<a STRING>>, …) and ZetaSQL's TypeProto, both ways.
 * Parsing is strict: a catalog built from a wrong type name must fail here with the name, not
 * crash the ZetaSQL server or validate against a guess. Simple names come from sql/types.ts.
 */
import { bigqueryNameOfKind, zetasqlKind } from "../sql/types";

/** zetasql.TypeProto as @grpc/proto-loader gives it (camelCase fields, enum names as strings). */
export interface TypeProto {
  typeKind: string;
  arrayType?: { elementType: TypeProto };
  structType?: { field: { fieldName?: string; fieldType: TypeProto }[] };
  rangeType?: { elementType: TypeProto };
}

export class TypeNameError extends Error {}

/** A BigQuery type name as a TypeProto; throws TypeNameError naming what it could not read. */
export function parseBigQueryType(text: string): TypeProto {
  const tokens = text.match(/`[^`]*`|[A-Za-z_][A-Za-z_0-9]*|\d+|[<>(),]|\S/g) ?? [];
  let i = 0;
  const fail = (why: string): never => {
    throw new TypeNameError(`not a BigQuery type: "${text}" (${why})`);
  };
  const peek = () => tokens[i];
  const take = (expected?: string) => {
    const t = tokens[i++];
    if (t === undefined || (expected && t.toUpperCase() !== expected)) fail(expected ? `expected ${expected}` : "unexpected end");
    return t;
  };
  const type = (): TypeProto => {
    const name = take().toUpperCase();
    if (name === "ARRAY") {
      take("<");
      const element = type();
      take(">");
      if (element.typeKind === "TYPE_ARRAY") fail("an ARRAY cannot hold an ARRAY");
      return { typeKind: "TYPE_ARRAY", arrayType: { elementType: element } };
    }
    if (name === "RANGE") {
      take("<");
      const element = type();
      take(">");
      if (!["TYPE_DATE", "TYPE_DATETIME", "TYPE_TIMESTAMP"].includes(element.typeKind)) fail("RANGE holds DATE, DATETIME or TIMESTAMP");
      return { typeKind: "TYPE_RANGE", rangeType: { elementType: element } };
    }
    if (name === "STRUCT") {
      take("<");
      const field: { fieldName?: string; fieldType: TypeProto }[] = [];
      while (peek() !== ">") {
        const next = tokens[i + 1];
        // `STRUCT<a INT64>` names its fields; `STRUCT<INT64>` does not.
        const named = next !== undefined && next !== "," && next !== ">" && next !== "<" && next !== "(";
        const fieldName = named ? take().replace(/^`|`$/g, "") : undefined;
        field.push({ ...(fieldName ? { fieldName } : {}), fieldType: type() });
        if (peek() === ",") take(",");
        else if (peek() !== ">") fail("expected , or >");
      }
      take(">");
      return { typeKind: "TYPE_STRUCT", structType: { field } };
    }
    const kind = zetasqlKind(name) ?? fail(`unknown type ${name}`);
    // Parameterized types (STRING(10), NUMERIC(10, 2)) analyze as their base type.
    if (peek() === "(") {
      while (tokens[i] !== undefined && tokens[i] !== ")") i++;
      take(")");
    }
    return { typeKind: kind };
  };
  const result = type();
  if (i !== tokens.length) fail(`unexpected "${tokens[i]}"`);
  return result;
}

/** A TypeProto in BigQuery's spelling, e.g. ARRAY<STRUCT<a INT64, b STRING>>. */
export function bigQueryTypeName(t: TypeProto): string {
  switch (t.typeKind) {
    case "TYPE_ARRAY":
      return `ARRAY<${bigQueryTypeName(t.arrayType!.elementType)}>`;
    case "TYPE_RANGE":
      return `RANGE<${bigQueryTypeName(t.rangeType!.elementType)}>`;
    case "TYPE_STRUCT":
      return `STRUCT<${(t.structType?.field ?? []).map((f) => (f.fieldName ? `${f.fieldName} ` : "") + bigQueryTypeName(f.fieldType)).join(", ")}>`;
    default:
      return bigqueryNameOfKind(t.typeKind) ?? t.typeKind.replace(/^TYPE_/, "");
  }
}
