"use strict";
// Preloaded (NODE_OPTIONS=--require) into the processes `npm start` runs, by bench/npm-start.ts:
// appends a line to $VWATCH_BENCH_PG_STARTS each time a process spawns the embedded PostgreSQL
// server binary, so the benchmark counts server starts without reading any log.
const childProcess = require("child_process");
const fs = require("fs");

const file = process.env.VWATCH_BENCH_PG_STARTS;
if (file) {
  const spawn = childProcess.spawn;
  childProcess.spawn = function (command, ...rest) {
    if (typeof command === "string" && /[\\/]bin[\\/]postgres$/.test(command)) fs.appendFileSync(file, `${process.pid}\n`);
    return spawn.call(this, command, ...rest);
  };
}
