// A real RFC 3161 Time-Stamp Authority on 127.0.0.1: OpenSSL's own `openssl ts -reply` behind a
// small HTTP listener, with a throwaway CA and a TSA certificate (extendedKeyUsage critical
// timeStamping) made by openssl here. `mode` makes it misbehave the ways a real TSA can.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import type { AddressInfo } from "node:net";

export type TsaMode = "ok" | "slow" | "garbage" | "refuse";

export interface TestTsa {
  url: string;
  /** PEM of the throwaway CA: the trust anchor (TSA_CA_FILE). */
  caFile: string;
  /** PEM of a second CA that never signed anything: a wrong trust anchor. */
  otherCaFile: string;
  dir: string;
  mode: TsaMode;
  requests: number;
  stop: () => Promise<void>;
}

function openssl(args: string[], cwd: string) {
  execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
}

function makeCa(dir: string, name: string) {
  openssl(
    ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", `${name}.key`, "-out", `${name}.pem`, "-subj", `/O=Confidant tests/CN=${name}`, "-days", "3",
      "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"],
    dir,
  );
}

export async function startTsa(): Promise<TestTsa> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "confidant-tsa-"));
  makeCa(dir, "ca");
  makeCa(dir, "other-ca");
  openssl(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "tsa.key", "-out", "tsa.csr", "-subj", "/O=Confidant tests/CN=Test TSA"], dir);
  fs.writeFileSync(path.join(dir, "tsa-ext.cnf"), "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=critical,timeStamping\n");
  openssl(["x509", "-req", "-in", "tsa.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "tsa.pem", "-days", "3", "-extfile", "tsa-ext.cnf"], dir);
  fs.writeFileSync(path.join(dir, "serial"), "01\n");
  fs.writeFileSync(
    path.join(dir, "ts.cnf"),
    [
      "[ tsa ]",
      "default_tsa = tsa_config",
      "[ tsa_config ]",
      `dir = ${dir}`,
      "serial = $dir/serial",
      "crypto_device = builtin",
      "signer_cert = $dir/tsa.pem",
      "certs = $dir/ca.pem",
      "signer_key = $dir/tsa.key",
      "signer_digest = sha256",
      "default_policy = 1.3.6.1.4.1.99999.1",
      "digests = sha256, sha384, sha512",
      "accuracy = secs:1",
      "ordering = no",
      "tsa_name = yes",
      "ess_cert_id_alg = sha256",
      "",
    ].join("\n"),
  );
  let n = 0;
  const tsa: TestTsa = {
    url: "",
    caFile: path.join(dir, "ca.pem"),
    otherCaFile: path.join(dir, "other-ca.pem"),
    dir,
    mode: "ok",
    requests: 0,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      tsa.requests++;
      if (tsa.mode === "slow") return; // never answers; the client's timeout must cut it
      if (tsa.mode === "refuse") {
        res.writeHead(503).end("down for maintenance");
        return;
      }
      if (tsa.mode === "garbage") {
        res.writeHead(200, { "content-type": "application/timestamp-reply" }).end(Buffer.from("this is not DER at all"));
        return;
      }
      if (req.method !== "POST" || req.headers["content-type"] !== "application/timestamp-query") {
        res.writeHead(400).end("expected POST application/timestamp-query");
        return;
      }
      const id = ++n;
      const query = path.join(dir, `q${id}.tsq`);
      const reply = path.join(dir, `r${id}.tsr`);
      fs.writeFileSync(query, Buffer.concat(chunks));
      try {
        // On a loaded machine `openssl ts -reply` now and then answers "rejection: system error"
        // (status 2) for a well-formed query; a healthy TSA ("ok" mode) is meant to grant it, so
        // such a reply is made again, at most three times.
        for (let attempt = 1; ; attempt++) {
          openssl(["ts", "-reply", "-config", path.join(dir, "ts.cnf"), "-queryfile", query, "-out", reply], dir);
          const text = execFileSync("openssl", ["ts", "-reply", "-in", reply, "-text"], { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
          if (/Status: Granted/.test(text) || attempt === 3) break;
        }
        res.writeHead(200, { "content-type": "application/timestamp-reply" }).end(fs.readFileSync(reply));
      } catch (e) {
        res.writeHead(500).end(String(e));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  tsa.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/tsa`;
  return tsa;
}
