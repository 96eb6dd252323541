import * as fs from "fs";
import * as path from "path";
import * as protobuf from "protobufjs";
import { NodeVM } from "vm2";
import { CompileError } from "../errors";
import type { CompiledGraph } from "./graph";

/**
 * Compiles the Dataform project in-process with the project's own @dataform/core, the way the
 * official CLI's compile worker does: a vm2 NodeVM whose require hook runs core's `compiler` on
 * .sqlx/.sql/.js files, then core's `main` on a base64 CoreExecutionRequest.
 */
export interface CompileOptions {
  projectDir: string;
  /** Overrides for workflow_settings.yaml (vars, defaultProject, …), as the CLI's --vars does. */
  projectConfigOverride?: { vars?: Record<string, string> } & Record<string, unknown>;
}

let protoRoot: { root: protobuf.Root; coreDir: string } | undefined;

function coreProto(coreDir: string): protobuf.Root {
  if (protoRoot?.coreDir !== coreDir) {
    const root = new protobuf.Root();
    root.resolvePath = (_origin, target) => path.join(coreDir, path.basename(target));
    root.loadSync(path.join(coreDir, "core.proto"), { keepCase: false });
    protoRoot = { root, coreDir };
  }
  return protoRoot.root;
}

/** Every file the official CLI lists: `!(node_modules)/**\/*.*` relative to the project. */
export function listProjectFiles(projectDir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(projectDir, rel), { withFileTypes: true })) {
      if (entry.name.startsWith(".")) continue;
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (!rel && entry.name === "node_modules") continue;
        walk(child);
      } else if (rel && entry.name.includes(".")) {
        out.push(child);
      }
    }
  };
  walk("");
  return out.sort();
}

function requireOptionsFor(projectDir: string) {
  return { builtin: ["path"], context: "sandbox" as const, external: true, root: projectDir };
}

type SqlxCompiler = (code: string, file: string) => string;

const compilers = new Map<string, SqlxCompiler>();

/**
 * Core's SQLX → JavaScript compiler, a pure function of its input: loaded once per project and
 * process (vm2 parses core's 650 KB bundle with acorn on every load, ~0.1 s).
 */
function coreCompiler(projectDir: string): SqlxCompiler {
  let compiler = compilers.get(projectDir);
  if (!compiler) {
    compiler = new NodeVM({ wrapper: "none", require: requireOptionsFor(projectDir) }).run(
      'return require("@dataform/core").compiler',
      path.join(projectDir, "index.js"),
    ) as SqlxCompiler;
    compilers.set(projectDir, compiler);
  }
  return compiler;
}

/**
 * The line in the source file of a compile error. Core reports lines of the JavaScript it
 * generates from SQLX; map one back by finding the same text in the source.
 */
export function sourceLine(projectDir: string, fileName: string, stack: string): number | undefined {
  const escaped = fileName.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const m = new RegExp(`${escaped}:(\\d+)`).exec(stack);
  const file = path.join(projectDir, fileName);
  if (!m || !fs.existsSync(file)) return undefined;
  const source = fs.readFileSync(file, "utf8");
  if (!fileName.endsWith(".sqlx")) return Number(m[1]);
  const generated = coreCompiler(path.resolve(projectDir))(source, file).split("\n")[Number(m[1]) - 1]?.trim();
  if (!generated) return undefined;
  const index = source.split("\n").findIndex((line) => line.trim() === generated);
  return index >= 0 ? index + 1 : undefined;
}

export function compileProject(options: CompileOptions): CompiledGraph {
  const projectDir = path.resolve(options.projectDir);
  const coreDir = path.join(projectDir, "node_modules", "@dataform", "core");
  if (!fs.existsSync(path.join(coreDir, "bundle.js"))) {
    throw new CompileError(`@dataform/core is not installed in ${projectDir}; run npm ci first`);
  }
  const indexFile = path.join(projectDir, "index.js");
  const requireOptions = requireOptionsFor(projectDir);
  const compiler = coreCompiler(projectDir);
  const userVm = new NodeVM({
    wrapper: "none",
    require: {
      ...requireOptions,
      resolve: (moduleName: string, parentDir: string) =>
        path.join(parentDir, path.relative(parentDir, projectDir), moduleName),
    },
    sourceExtensions: ["js", "sql", "sqlx", "yaml", "yml"],
    compiler,
  });

  const root = coreProto(coreDir);
  const Request = root.lookupType("dataform.CoreExecutionRequest");
  const Response = root.lookupType("dataform.CoreExecutionResponse");
  const request = Request.encode(
    Request.fromObject({
      compile: {
        compileConfig: {
          projectDir,
          filePaths: listProjectFiles(projectDir),
          projectConfigOverride: options.projectConfigOverride ?? {},
        },
      },
    }),
  ).finish();
  const encoded = protobuf.util.base64.encode(request, 0, request.length);

  let result: string;
  try {
    result = userVm.run(`return require("@dataform/core").main("${encoded}")`, indexFile);
  } catch (e) {
    throw new CompileError(`compilation failed: ${(e as Error).message}`, [
      { file: "workflow_settings.yaml", message: (e as Error).message },
    ]);
  }
  const bytes = new Uint8Array(protobuf.util.base64.length(result));
  protobuf.util.base64.decode(result, bytes, 0);
  const response = Response.decode(bytes) as unknown as { compile: { compiledGraph: protobuf.Message } };
  return response.compile.compiledGraph.toJSON() as CompiledGraph;
}
