// A small organisation on a fresh database, with the real course catalog, for integration tests.
import path from "node:path";
import { fixedClock, type Clock } from "../../app/clock";
import { loadCatalog, type Catalog, type Course } from "../../app/courses/catalog.server";
import { hashPassword } from "../../app/auth/password.server";
import { assign, makePerson } from "../../app/demo/factories.server";
import type { User } from "../../db/schema";
import { freshDb, type TestDb } from "./db";
import { enrolSoftPasskey } from "./authenticator";

export const PASSWORD = "correct horse battery";
export const SECRET = "test-secret-0123456789abcdef0123456789abcdef";
export const COURSE_ID = "protecting-trade-secrets";

let catalogCache: Catalog | null = null;
export function realCatalog(): Catalog {
  catalogCache ??= loadCatalog(path.resolve("courses"));
  if (catalogCache.problems.length) throw new Error(`The shipped courses are broken: ${JSON.stringify(catalogCache.problems)}`);
  return catalogCache;
}

let hashCache: Promise<string> | null = null;
export function passwordHash() {
  hashCache ??= hashPassword(PASSWORD);
  return hashCache;
}

export interface World extends TestDb {
  catalog: Catalog;
  course: Course;
  clock: Clock;
  hr: User;
  manager: User;
  alice: User;
  bob: User;
}

export async function makeWorld(now = "2027-03-01T09:00:00.000Z"): Promise<World> {
  const t = await freshDb();
  const clock = fixedClock(now);
  const catalog = realCatalog();
  const course = catalog.courses.get(COURSE_ID)!;
  const hash = await passwordHash();
  const hr = await makePerson(t.db, { email: "hr@test.example", name: "Helen Harper", startDate: "2025-01-01", isHr: true, passwordHash: hash }, clock);
  // HR admins must have a second factor: this one has a passkey the sign-in helpers can use.
  await enrolSoftPasskey(t.db, hr, clock);
  const manager = await makePerson(t.db, { email: "manager@test.example", name: "Mark Mendes", startDate: "2025-01-01", passwordHash: hash }, clock);
  const alice = await makePerson(t.db, { email: "alice@test.example", name: "Alice Archer", startDate: "2027-02-20", managerId: manager.id, passwordHash: hash }, clock);
  const bob = await makePerson(t.db, { email: "bob@test.example", name: "Bob Baker", startDate: "2027-02-20", managerId: manager.id, passwordHash: hash }, clock);
  return { ...t, catalog, course, clock, hr, manager, alice, bob };
}

export async function assignCourse(w: World, user: User, course = w.course) {
  return assign(w.db, { userId: user.id, course }, w.clock);
}
