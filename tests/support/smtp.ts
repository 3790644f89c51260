// A real SMTP server on a loopback port, for tests that send mail. It keeps every message it
// accepts and can be told to refuse messages, temporarily or for good.
import type { AddressInfo } from "node:net";
import { SMTPServer, type SMTPServerError } from "smtp-server";

export interface ReceivedMail {
  /** Envelope sender and recipients, as given in MAIL FROM / RCPT TO. */
  from: string | null;
  to: string[];
  raw: string;
  /** Header names in lower case; folded lines unfolded; encoded words left as they are. */
  headers: Map<string, string>;
  /** The body with the transfer encoding undone (7bit or quoted-printable text). */
  text: string;
  messageId: string | null;
  subject: string | null;
}

export interface TestSmtp {
  port: number;
  url: string;
  received: ReceivedMail[];
  /** Refuse the next `count` messages with an SMTP error (default 451: try again later). */
  refuseNext: (count: number, reply?: { code: number; message: string }) => void;
  /** Refuse every message until told otherwise (refuseNext(0) clears it). */
  refuseAll: (reply?: { code: number; message: string }) => void;
  /** Messages refused so far. */
  refused: () => number;
  close: () => Promise<void>;
}

const TRY_LATER = { code: 451, message: "Mailbox temporarily unavailable, try again later" };

export async function startSmtp(): Promise<TestSmtp> {
  const received: ReceivedMail[] = [];
  let toRefuse = 0;
  let refuseForever = false;
  let reply = TRY_LATER;
  let refusedCount = 0;

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    // Pooled clients keep their connections open; closing the server ends them after this long.
    closeTimeout: 200,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        if (refuseForever || toRefuse > 0) {
          if (!refuseForever) toRefuse--;
          refusedCount++;
          const err: SMTPServerError = Object.assign(new Error(reply.message), { responseCode: reply.code });
          return callback(err);
        }
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : null;
        received.push(parseMail(Buffer.concat(chunks).toString("utf8"), from, session.envelope.rcptTo.map((r) => r.address)));
        callback(null);
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    received,
    refuseNext(count, r = TRY_LATER) {
      toRefuse = count;
      refuseForever = false;
      reply = r;
    },
    refuseAll(r = TRY_LATER) {
      refuseForever = true;
      reply = r;
    },
    refused: () => refusedCount,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Just enough RFC 5322 to check what we send: single-part text mail. */
export function parseMail(raw: string, from: string | null = null, to: string[] = []): ReceivedMail {
  const split = raw.search(/\r?\n\r?\n/);
  const head = split === -1 ? raw : raw.slice(0, split);
  const rest = split === -1 ? "" : raw.slice(split).replace(/^\r?\n\r?\n/, "");
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r?\n[ \t]+/g, " ").split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const encoding = (headers.get("content-transfer-encoding") ?? "7bit").toLowerCase();
  const text = encoding === "quoted-printable" ? decodeQuotedPrintable(rest) : encoding === "base64" ? Buffer.from(rest, "base64").toString("utf8") : rest;
  return {
    from,
    to,
    raw,
    headers,
    text: text.replace(/\r\n/g, "\n").replace(/\n$/, ""),
    messageId: headers.get("message-id") ?? null,
    subject: headers.get("subject") ?? null,
  };
}

function decodeQuotedPrintable(s: string): string {
  // Literal % first, so only the =XX escapes become %XX; decodeURIComponent then joins the
  // bytes of multi-byte UTF-8 characters.
  const escaped = s.replace(/=\r?\n/g, "").replace(/%/g, "%25").replace(/=([0-9A-F]{2})/gi, (_, h: string) => `%${h}`);
  return decodeURIComponent(escaped);
}
