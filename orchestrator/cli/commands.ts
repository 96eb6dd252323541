import type { Cli } from "./context";
import * as backfill from "./backfill";
import * as check from "./check";
import * as cloud from "./cloud";
import * as compile from "./compile";
import * as deploy from "./deploy";
import * as diff from "./diff";
import * as explain from "./explain";
import * as fetch from "./fetch";
import * as generate from "./generate";
import * as lineage from "./lineage";
import * as load from "./load";
import * as query from "./query";
import * as render from "./render";
import * as run from "./run";
import * as runs from "./runs";
import * as seed from "./seed";
import * as serve from "./serve";
import * as start from "./start";
import * as sync from "./sync";
import * as test from "./test";
import * as ui from "./ui";
import * as validate from "./validate";

/** Every subcommand registers itself here; one file per command, one line each (in --help order). */
export const commands: ((cli: Cli) => void)[] = [
  compile.register,
  run.register,
  backfill.register,
  runs.register,
  explain.register,
  load.register,
  fetch.register,
  generate.register,
  start.register,
  sync.register,
  seed.register,
  serve.register,
  ui.register,
  validate.register,
  check.register,
  query.register,
  test.register,
  deploy.register,
  cloud.register,
  diff.register,
  render.register,
  lineage.register,
];
