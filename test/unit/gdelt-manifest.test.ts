import { describe, expect, it } from "vitest";
import { parseManifest } from "../../orchestrator/load/manifest";

// GDELT's masterfilelist.txt and lastupdate.txt: "size md5 url" per line.

describe("parseManifest", () => {
  it("keys each line by the base name of its URL, with size, MD5 and line number", () => {
    const text =
      "150383 297a16b493de7cf6ca809a7cc31d0b93 http://data.gdeltproject.org/gdeltv2/20150218230000.export.CSV.zip\r\n" +
      "318084 bb27f78ba45f69a17ea6ed7755e9f8ff http://data.gdeltproject.org/gdeltv2/20150218230000.mentions.CSV.zip\r\n" +
      "\r\n" +
      "10768507 EA8DDE0BEB0BA98810A92DB068C0CE99 http://data.gdeltproject.org/gdeltv2/20150218230000.gkg.csv.zip\r\n";
    const m = parseManifest(text, "lastupdate.txt");
    expect([...m.entries.keys()]).toEqual(["20150218230000.export.CSV.zip", "20150218230000.mentions.CSV.zip", "20150218230000.gkg.csv.zip"]);
    expect(m.entries.get("20150218230000.mentions.CSV.zip")).toEqual({
      size: 318084,
      md5: "bb27f78ba45f69a17ea6ed7755e9f8ff",
      url: "http://data.gdeltproject.org/gdeltv2/20150218230000.mentions.CSV.zip",
      line: 2,
    });
    expect(m.entries.get("20150218230000.gkg.csv.zip")?.md5).toBe("ea8dde0beb0ba98810a92db068c0ce99");
    expect(m.skipped).toEqual([]);
  });

  it("sets aside lines that are not `size md5 url`, with their line numbers", () => {
    const m = parseManifest(
      "12 0123456789abcdef0123456789abcdef http://x/a.export.CSV.zip\n" +
        " http://x/b.export.CSV.zip\n" +
        "12 nothex http://x/c.export.CSV.zip\n" +
        "-1 0123456789abcdef0123456789abcdef http://x/d.export.CSV.zip\n",
      "masterfilelist.txt",
    );
    expect([...m.entries.keys()]).toEqual(["a.export.CSV.zip"]);
    expect(m.skipped.map((s) => s.line)).toEqual([2, 3, 4]);
  });
});
