import * as net from "net";

/**
 * A TCP proxy on 127.0.0.1 in front of a server, which a test can cut (every connection dropped,
 * new ones refused: the server looks stopped) and bring back on the same port. `cutAfterBytes`
 * cuts once that many more bytes went from clients to the server (mid-statement, mid-COPY).
 */
export class TcpProxy {
  private server?: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private budget = Infinity;
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async start(): Promise<void> {
    const server = net.createServer((client) => {
      const upstream = net.connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on("close", () => this.sockets.delete(s));
        s.on("error", () => undefined);
      }
      client.on("data", (chunk: Buffer) => {
        this.budget -= chunk.length;
        if (this.budget < 0) {
          this.cut();
          return;
        }
        upstream.write(chunk);
      });
      upstream.pipe(client);
      client.on("close", () => upstream.destroy());
      upstream.on("close", () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, "127.0.0.1", () => resolve());
    });
    this.port = (server.address() as net.AddressInfo).port;
    this.server = server;
    this.budget = Infinity;
  }

  /** Cuts once `bytes` more bytes went to the server. */
  cutAfterBytes(bytes: number): void {
    this.budget = bytes;
  }

  /** Drops every connection and stops listening. */
  cut(): void {
    this.server?.close();
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  /** Resolves once the proxy was cut (by cutAfterBytes). */
  async waitCut(timeoutMs = 30_000): Promise<void> {
    const started = Date.now();
    while (this.server) {
      if (Date.now() - started > timeoutMs) throw new Error("the proxy was not cut in time");
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}
