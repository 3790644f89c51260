// Environment, validated once at boot. A bad value stops the process with a clear message.
import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { z } from "zod";
import { DEFAULT_DATABASE_URL } from "../db/connection";

const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default("127.0.0.1"),
  DATABASE_URL: z.string().default(DEFAULT_DATABASE_URL),
  /** The app's public origin, e.g. https://confidant.example.com. Cookies are Secure when it is https. */
  APP_ORIGIN: z.string().url().optional(),
  /** Signs short-lived form tokens; set the same value on every instance. */
  APP_SECRET: z.string().min(32).optional(),
  COURSES_DIR: z.string().default("courses"),
  DATA_DIR: z.string().default("data"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  TRUST_PROXY: z.enum(["true", "false"]).default("false"),
  /** smtp://user:pass@host:port (or smtps://). Unset: mail is written as .eml files under DATA_DIR/outbox. */
  SMTP_URL: z.string().url().optional(),
  MAIL_FROM: z.string().default("Confidant <confidant@localhost>"),
  /** Scheduler: run in-process every this many minutes; 0 turns it off (run `npm run scheduler` instead). */
  SCHEDULER_EVERY_MINUTES: z.coerce.number().min(0).max(1440).default(5),
  /** Mail delivery: look for due mail in-process every this many seconds; 0 turns it off (run `npm run mail` instead). */
  MAIL_EVERY_SECONDS: z.coerce.number().min(0).max(3600).default(10),
  /** Messages sent at once by one instance, which is also its number of pooled SMTP connections. */
  MAIL_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(8),
  /** Messages sent over one pooled SMTP connection before it is replaced. */
  MAIL_MAX_MESSAGES_PER_CONNECTION: z.coerce.number().int().min(1).max(100_000).default(100),
  /** Per recipient domain, e.g. `example.com:50/s,default:20/s` (per second or `/m` per minute); unset: no limit. */
  MAIL_RATE_PER_DOMAIN: z
    .string()
    .default("")
    .refine((v) => parseDomainRates(v) !== null, "write domain:N/s or domain:N/m, comma-separated (domain may be `default`)"),
  /** SMTP timeouts. RFC 5321 §4.5.3.2: 5 minutes for the greeting, 10 minutes for the reply to the end of DATA. */
  MAIL_CONNECT_TIMEOUT_SECONDS: z.coerce.number().min(0.1).max(600).default(30),
  MAIL_GREETING_TIMEOUT_SECONDS: z.coerce.number().min(0.1).max(600).default(300),
  MAIL_DATA_TIMEOUT_SECONDS: z.coerce.number().min(0.1).max(3600).default(600),
  REMIND_DAYS_BEFORE_DUE: z.coerce.number().int().min(1).max(60).default(3),
  OVERDUE_REMINDER_EVERY_DAYS: z.coerce.number().int().min(1).max(60).default(7),
  ESCALATE_AFTER_DAYS_OVERDUE: z.coerce.number().int().min(0).max(365).default(7),
  HR_DIGEST_EVERY_DAYS: z.coerce.number().int().min(1).max(31).default(7),
  /** PostgreSQL: connections per instance, and the limits that keep one stuck query from stalling every page. */
  DB_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  DB_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).default(60_000),
  DB_LOCK_TIMEOUT_MS: z.coerce.number().int().min(0).default(10_000),
  DB_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).default(5_000),
  /** At start, keep trying to reach the database this long before giving up with the reason. */
  DB_START_TIMEOUT_SECONDS: z.coerce.number().min(0).max(3600).default(30),
  /** SQLite: run PRAGMA quick_check at start and refuse a damaged file. */
  DB_QUICK_CHECK: z.enum(["true", "false"]).default("true"),
  /** The V8 heap limit `npm start` gives the server (--max-old-space-size), in MB. Without a limit
   * V8 sizes the heap from the machine's memory and lets it grow long before collecting. */
  NODE_HEAP_MB: z.coerce.number().int().min(128).max(65536).default(512),
  /** The instance's Ed25519 signing key (PKCS#8 PEM), inline or in a file; unset: generated into DATA_DIR. */
  INSTANCE_KEY_PEM: z.string().optional(),
  INSTANCE_KEY_FILE: z.string().optional(),
  /** The audit log's name in its checkpoints (C2SP origin); default: APP_ORIGIN's host + "/audit-log". */
  AUDIT_LOG_ORIGIN: z.string().regex(/^[^\s\u2014]+$/, "one word, no spaces (e.g. confidant.example.com/audit-log)").optional(),
  /** Append-only file of signed checkpoints and timestamp tokens, for the operator to ship elsewhere. */
  AUDIT_ANCHOR_FILE: z.string().optional(),
  /** RFC 3161 Time-Stamp Authority (HTTP application/timestamp-query); unset: checkpoints are signed only. */
  TSA_URL: z.string().url().optional(),
  /** PEM certificate(s) the TSA's certificate must chain to; audit:verify checks tokens against it. */
  TSA_CA_FILE: z.string().optional(),
  /** The PDF signing key (ECDSA P-256, PKCS#8 PEM) and its certificate (PEM); unset: a self-signed one generated into DATA_DIR. */
  PDF_SIGNING_KEY_FILE: z.string().optional(),
  PDF_SIGNING_CERT_FILE: z.string().optional(),
  /** OpenID Connect single sign-on: the provider's issuer URL (discovery from its
   * /.well-known/openid-configuration), this app's client id and secret, and the scopes asked. */
  OIDC_ISSUER: z.string().url().optional(),
  OIDC_CLIENT_ID: z.string().min(1).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  OIDC_SCOPES: z.string().regex(/(^|\s)openid(\s|$)/, "must include openid").default("openid email profile"),
  /** true: a verified email that is not on the roster makes a new person; false: refused. */
  OIDC_CREATE_PEOPLE: z.enum(["true", "false"]).default("false"),
  /** on: anyone may sign in with a password; off: nobody; break-glass: only the HR admins in BREAK_GLASS_EMAILS. */
  PASSWORD_SIGNIN: z.enum(["on", "off", "break-glass"]).default("on"),
  /** Comma-separated emails of the HR admins who may still sign in with a password when PASSWORD_SIGNIN=break-glass. */
  BREAK_GLASS_EMAILS: z.string().default(""),
}).refine((e) => !e.OIDC_ISSUER === !e.OIDC_CLIENT_ID, {
  message: "give OIDC_CLIENT_ID with OIDC_ISSUER",
  path: ["OIDC_CLIENT_ID"],
}).refine((e) => e.PASSWORD_SIGNIN === "on" || Boolean(e.OIDC_ISSUER), {
  message: "turning password sign-in off needs single sign-on (OIDC_ISSUER)",
  path: ["PASSWORD_SIGNIN"],
}).refine((e) => !e.PDF_SIGNING_KEY_FILE === !e.PDF_SIGNING_CERT_FILE, {
  message: "give both PDF_SIGNING_KEY_FILE and PDF_SIGNING_CERT_FILE, or neither",
  path: ["PDF_SIGNING_CERT_FILE"],
});

export interface AppConfig {
  env: "development" | "production" | "test";
  /** The heap limit `npm start` asks for (NODE_HEAP_MB), in MB. */
  heapMb: number;
  port: number;
  host: string;
  databaseUrl: string;
  origin: string;
  secureCookies: boolean;
  secret: string;
  coursesDir: string;
  dataDir: string;
  logLevel: string;
  trustProxy: boolean;
  smtpUrl: string | null;
  mailFrom: string;
  schedulerEveryMinutes: number;
  mail: MailSettings;
  reminders: ReminderRules;
  instanceKey: { pem: string | null; file: string | null };
  database: { poolMax: number; statementTimeoutMs: number; lockTimeoutMs: number; connectTimeoutMs: number; startTimeoutMs: number; quickCheck: boolean };
  pdfSigning: { keyFile: string | null; certFile: string | null };
  audit: AuditAnchorConfig;
  /** Single sign-on; null when OIDC_ISSUER is not set. */
  oidc: OidcConfig | null;
  passwordSignIn: { mode: "on" | "off" | "break-glass"; breakGlass: string[] };
}

export interface OidcConfig {
  issuer: string;
  clientId: string;
  clientSecret: string | null;
  scopes: string;
  createPeople: boolean;
}

/** Where the audit log is anchored outside the database. */
export interface AuditAnchorConfig {
  origin: string;
  anchorFile: string;
  tsaUrl: string | null;
  tsaCaFile: string | null;
}

/** How the outbox is delivered (see app/notifications/mail-loop.server.ts). */
export interface MailSettings {
  everySeconds: number;
  concurrency: number;
  maxMessagesPerConnection: number;
  /** From MAIL_RATE_PER_DOMAIN: messages per second for each domain named, and for every other one. */
  rates: DomainRates;
  connectTimeoutMs: number;
  greetingTimeoutMs: number;
  dataTimeoutMs: number;
}

export const DEFAULT_MAIL: MailSettings = {
  everySeconds: 10,
  concurrency: 8,
  maxMessagesPerConnection: 100,
  rates: { perDomain: {}, fallback: null },
  connectTimeoutMs: 30_000,
  greetingTimeoutMs: 300_000,
  dataTimeoutMs: 600_000,
};

/** Messages per second; `fallback` applies to every domain not named (null: no limit). */
export interface DomainRates {
  perDomain: Record<string, number>;
  fallback: number | null;
}

/** `example.com:50/s,default:20/m` → per-second rates; null when the text is not of that form. */
export function parseDomainRates(text: string): DomainRates | null {
  const rates: DomainRates = { perDomain: {}, fallback: null };
  for (const part of text.split(",").map((p) => p.trim()).filter(Boolean)) {
    const m = /^([a-z0-9.-]+):(\d+(?:\.\d+)?)\/(s|m)$/i.exec(part);
    if (!m || Number(m[2]) <= 0) return null;
    const perSecond = Number(m[2]) / (m[3].toLowerCase() === "m" ? 60 : 1);
    if (m[1].toLowerCase() === "default") rates.fallback = perSecond;
    else rates.perDomain[m[1].toLowerCase()] = perSecond;
  }
  return rates;
}

/** When people and their managers hear about an assignment. */
export interface ReminderRules {
  daysBeforeDue: number;
  overdueEveryDays: number;
  escalateAfterDaysOverdue: number;
  hrDigestEveryDays: number;
}

export const DEFAULT_REMINDERS: ReminderRules = { daysBeforeDue: 3, overdueEveryDays: 7, escalateAfterDaysOverdue: 7, hrDigestEveryDays: 7 };

export function readConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  const origin = (e.APP_ORIGIN ?? `http://localhost:${e.PORT}`).replace(/\/$/, "");
  return {
    env: e.NODE_ENV,
    heapMb: e.NODE_HEAP_MB,
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    origin,
    secureCookies: origin.startsWith("https://"),
    secret: e.APP_SECRET ?? localSecret(e.DATA_DIR),
    coursesDir: path.resolve(e.COURSES_DIR),
    dataDir: path.resolve(e.DATA_DIR),
    logLevel: e.LOG_LEVEL,
    trustProxy: e.TRUST_PROXY === "true",
    smtpUrl: e.SMTP_URL ?? null,
    mailFrom: e.MAIL_FROM,
    schedulerEveryMinutes: e.SCHEDULER_EVERY_MINUTES,
    mail: {
      everySeconds: e.MAIL_EVERY_SECONDS,
      concurrency: e.MAIL_CONCURRENCY,
      maxMessagesPerConnection: e.MAIL_MAX_MESSAGES_PER_CONNECTION,
      rates: parseDomainRates(e.MAIL_RATE_PER_DOMAIN)!,
      connectTimeoutMs: e.MAIL_CONNECT_TIMEOUT_SECONDS * 1000,
      greetingTimeoutMs: e.MAIL_GREETING_TIMEOUT_SECONDS * 1000,
      dataTimeoutMs: e.MAIL_DATA_TIMEOUT_SECONDS * 1000,
    },
    reminders: {
      daysBeforeDue: e.REMIND_DAYS_BEFORE_DUE,
      overdueEveryDays: e.OVERDUE_REMINDER_EVERY_DAYS,
      escalateAfterDaysOverdue: e.ESCALATE_AFTER_DAYS_OVERDUE,
      hrDigestEveryDays: e.HR_DIGEST_EVERY_DAYS,
    },
    database: {
      poolMax: e.DB_POOL_MAX,
      statementTimeoutMs: e.DB_STATEMENT_TIMEOUT_MS,
      lockTimeoutMs: e.DB_LOCK_TIMEOUT_MS,
      connectTimeoutMs: e.DB_CONNECT_TIMEOUT_MS,
      startTimeoutMs: e.DB_START_TIMEOUT_SECONDS * 1000,
      quickCheck: e.DB_QUICK_CHECK === "true",
    },
    instanceKey: { pem: e.INSTANCE_KEY_PEM ?? null, file: e.INSTANCE_KEY_FILE ? path.resolve(e.INSTANCE_KEY_FILE) : null },
    pdfSigning: {
      keyFile: e.PDF_SIGNING_KEY_FILE ? path.resolve(e.PDF_SIGNING_KEY_FILE) : null,
      certFile: e.PDF_SIGNING_CERT_FILE ? path.resolve(e.PDF_SIGNING_CERT_FILE) : null,
    },
    audit: {
      origin: e.AUDIT_LOG_ORIGIN ?? `${new URL(origin).host}/audit-log`,
      anchorFile: path.resolve(e.AUDIT_ANCHOR_FILE ?? path.join(e.DATA_DIR, "audit-anchors.jsonl")),
      tsaUrl: e.TSA_URL ?? null,
      tsaCaFile: e.TSA_CA_FILE ? path.resolve(e.TSA_CA_FILE) : null,
    },
    oidc: e.OIDC_ISSUER
      ? { issuer: e.OIDC_ISSUER, clientId: e.OIDC_CLIENT_ID!, clientSecret: e.OIDC_CLIENT_SECRET ?? null, scopes: e.OIDC_SCOPES, createPeople: e.OIDC_CREATE_PEOPLE === "true" }
      : null,
    passwordSignIn: {
      mode: e.PASSWORD_SIGNIN,
      breakGlass: e.BREAK_GLASS_EMAILS.split(",").map((x) => x.trim().toLowerCase()).filter(Boolean),
    },
  };
}

/** Without APP_SECRET, a single instance keeps a generated secret in its data folder. */
function localSecret(dataDir: string): string {
  const file = path.resolve(dataDir, "app-secret");
  try {
    return fs.readFileSync(file, "utf8").trim();
  } catch {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const secret = randomBytes(32).toString("hex");
    fs.writeFileSync(file, secret, { mode: 0o600, flag: "wx" });
    return secret;
  }
}
