import { afterEach, describe, expect, it, vi } from "vitest";
import { log } from "../../orchestrator/log";
import { logContext, withLogContext } from "../../orchestrator/log-context";

describe("the log context", () => {
  afterEach(() => vi.restoreAllMocks());

  it("puts the correlation id on every line written inside it, across awaits, and on none outside", async () => {
    const lines: string[] = [];
    vi.spyOn(process.stderr, "write").mockImplementation((chunk: unknown) => {
      lines.push(String(chunk));
      return true;
    });
    log.info("before");
    await withLogContext({ correlationId: "c-1" }, async () => {
      log.info("started");
      await new Promise((r) => setTimeout(r, 5));
      log.warn("slow");
      await Promise.all([
        withLogContext({ correlationId: "c-2" }, async () => log.error("nested")),
        (async () => log.summary("sibling"))(),
      ]);
      log.info("names c-1 already");
      expect(logContext()).toEqual({ correlationId: "c-1" });
    });
    log.info("after");
    expect(lines).toEqual([
      "before\n",
      "started [correlation c-1]\n",
      "warning: slow [correlation c-1]\n",
      "error: nested [correlation c-2]\n",
      "sibling [correlation c-1]\n",
      "names c-1 already\n",
      "after\n",
    ]);
    expect(logContext()).toBeUndefined();
  });
});
