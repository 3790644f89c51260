// npm run db:seed — seeds the demo organisation into an empty database (and does nothing to a
// database that already has people). Demo accounts exist only here.
import { pathToFileURL } from "node:url";
import type { Db } from "../db/connection";
import { addDays, fixedClock, systemClock, type Clock } from "../app/clock";
import type { Catalog, Course } from "../app/courses/catalog.server";
import { hashPassword } from "../app/auth/password.server";
import { assign, makePerson, workThroughCourse } from "../app/demo/factories.server";

export const DEMO_PASSWORD = "copper kettle harbour dawn";
export const DEMO_ACCOUNTS = [
  { email: "hr@example.com", role: "HR admin" },
  { email: "manager@example.com", role: "manager" },
  { email: "employee@example.com", role: "employee" },
];

type Fate = "new" | "not_started" | "in_progress" | "overdue" | "overdue_started" | "on_time" | "late";

interface DemoPerson {
  key: string;
  email: string;
  name: string;
  title: string;
  department: string;
  manager?: string;
  type?: "employee" | "contractor";
  hr?: boolean;
  startedDaysAgo: number;
  fate: Fate;
}

// A reporting tree: Hannah (HR); Marcus leads Engineering (with Priya as a team lead below him);
// Sofia leads Sales. A realistic mix of where people stand.
const PEOPLE: DemoPerson[] = [
  { key: "hr", email: "hr@example.com", name: "Hannah Reyes", title: "Head of People", department: "People", hr: true, startedDaysAgo: 900, fate: "on_time" },
  { key: "manager", email: "manager@example.com", name: "Marcus Lee", title: "Engineering Manager", department: "Engineering", startedDaysAgo: 700, fate: "on_time" },
  { key: "sofia", email: "sofia.alvarez@example.com", name: "Sofia Alvarez", title: "Sales Director", department: "Sales", startedDaysAgo: 650, fate: "late" },
  { key: "employee", email: "employee@example.com", name: "Erin Walsh", title: "Software Engineer", department: "Engineering", manager: "manager", startedDaysAgo: 0, fate: "new" },
  { key: "priya", email: "priya.shah@example.com", name: "Priya Shah", title: "Team Lead, Platform", department: "Engineering", manager: "manager", startedDaysAgo: 420, fate: "on_time" },
  { key: "tom", email: "tom.becker@example.com", name: "Tom Becker", title: "Software Engineer", department: "Engineering", manager: "manager", startedDaysAgo: 50, fate: "overdue" },
  { key: "aisha", email: "aisha.khan@example.com", name: "Aisha Khan", title: "QA Engineer", department: "Engineering", manager: "manager", startedDaysAgo: 12, fate: "in_progress" },
  { key: "li", email: "li.wei@example.com", name: "Li Wei", title: "Data Engineer", department: "Engineering", manager: "manager", startedDaysAgo: 200, fate: "on_time" },
  { key: "jonas", email: "jonas.berg@example.com", name: "Jonas Berg", title: "Security Consultant", department: "Engineering", manager: "manager", type: "contractor", startedDaysAgo: 40, fate: "overdue_started" },
  { key: "noah", email: "noah.kim@example.com", name: "Noah Kim", title: "Platform Engineer", department: "Engineering", manager: "priya", startedDaysAgo: 5, fate: "not_started" },
  { key: "olivia", email: "olivia.brown@example.com", name: "Olivia Brown", title: "Site Reliability Engineer", department: "Engineering", manager: "priya", startedDaysAgo: 150, fate: "late" },
  { key: "mateo", email: "mateo.rossi@example.com", name: "Mateo Rossi", title: "Contract Developer", department: "Engineering", manager: "priya", type: "contractor", startedDaysAgo: 20, fate: "in_progress" },
  { key: "grace", email: "grace.okafor@example.com", name: "Grace Okafor", title: "Account Executive", department: "Sales", manager: "sofia", startedDaysAgo: 300, fate: "on_time" },
  { key: "daniel", email: "daniel.novak@example.com", name: "Daniel Novak", title: "Account Executive", department: "Sales", manager: "sofia", startedDaysAgo: 60, fate: "overdue" },
  { key: "chloe", email: "chloe.martin@example.com", name: "Chloé Martin", title: "Sales Engineer", department: "Sales", manager: "sofia", startedDaysAgo: 9, fate: "not_started" },
  { key: "ravi", email: "ravi.patel@example.com", name: "Ravi Patel", title: "Customer Success Manager", department: "Sales", manager: "sofia", startedDaysAgo: 250, fate: "on_time" },
  { key: "emma", email: "emma.johansson@example.com", name: "Emma Johansson", title: "Sales Development Rep", department: "Sales", manager: "sofia", startedDaysAgo: 35, fate: "overdue_started" },
  { key: "lucas", email: "lucas.silva@example.com", name: "Lucas Silva", title: "Lead Generation Contractor", department: "Sales", manager: "sofia", type: "contractor", startedDaysAgo: 100, fate: "on_time" },
  { key: "fatima", email: "fatima.haddad@example.com", name: "Fatima Haddad", title: "Partner Manager", department: "Sales", manager: "sofia", startedDaysAgo: 18, fate: "in_progress" },
  { key: "ben", email: "ben.carter@example.com", name: "Ben Carter", title: "Payroll Specialist", department: "People", manager: "hr", startedDaysAgo: 75, fate: "late" },
  { key: "yuki", email: "yuki.tanaka@example.com", name: "Yuki Tanaka", title: "Recruiter", department: "People", manager: "hr", startedDaysAgo: 22, fate: "in_progress" },
];

export const ONBOARDING_COURSE = "protecting-trade-secrets";
/** The demo company started using Confidant this long ago: everyone hired before then was
 * assigned the onboarding course on that day. */
const ROLLOUT_DAYS_AGO = 200;
export const MANAGER_COURSE = "leading-a-culture-of-confidentiality";

export async function seedDemo(db: Db, { catalog, secret, clock = systemClock }: { catalog: Catalog; secret: string; clock?: Clock }) {
  const existing = await db.selectFrom("users").select("id").limit(1).executeTakeFirst();
  if (existing) return { seeded: false as const };
  const onboarding = catalog.courses.get(ONBOARDING_COURSE);
  if (!onboarding) throw new Error(`The demo needs the course '${ONBOARDING_COURSE}' in courses/.`);
  const managerCourse = catalog.courses.get(MANAGER_COURSE);
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const now = clock().toISOString();
  const ids = new Map<string, string>();
  let people = 0;
  let signed = 0;

  for (const p of PEOPLE) {
    const started = addDays(now, -p.startedDaysAgo);
    const person = await makePerson(
      db,
      {
        email: p.email,
        name: p.name,
        title: p.title,
        department: p.department,
        type: p.type ?? "employee",
        isHr: p.hr,
        managerId: p.manager ? ids.get(p.manager) : null,
        startDate: started.slice(0, 10),
        employeeId: p.type === "contractor" ? null : `E${String(1000 + people).padStart(5, "0")}`,
        passwordHash,
      },
      fixedClock(started),
    );
    ids.set(p.key, person.id);
    people++;
    const user = { id: person.id, name: person.name, email: person.email };
    const assignedFrom = addDays(now, -Math.min(p.startedDaysAgo, ROLLOUT_DAYS_AGO));
    signed += await playOut(db, { user, course: onboarding, fate: p.fate, started: assignedFrom, catalog, secret, clock });
  }
  // Managers also take the leadership course.
  if (managerCourse) {
    for (const key of ["manager", "sofia", "priya"]) {
      const p = PEOPLE.find((x) => x.key === key)!;
      const user = { id: ids.get(key)!, name: p.name, email: p.email };
      const started = addDays(now, -Math.min(p.startedDaysAgo, 20));
      signed += await playOut(db, { user, course: managerCourse, fate: key === "manager" ? "in_progress" : key === "sofia" ? "overdue" : "on_time", started, catalog, secret, clock });
    }
  }
  return { seeded: true as const, people, signed };
}

async function playOut(
  db: Db,
  o: { user: { id: string; name: string; email: string }; course: Course; fate: Fate; started: string; catalog: Catalog; secret: string; clock: Clock },
): Promise<number> {
  const assignment = await assign(db, { userId: o.user.id, course: o.course }, fixedClock(o.started));
  const due = assignment.due_at;
  const base = { user: o.user, assignment, course: o.course, catalog: o.catalog, password: DEMO_PASSWORD, secret: o.secret };
  switch (o.fate) {
    case "on_time":
      await workThroughCourse(db, { ...base, upTo: "attested", at: addDays(o.started, 6) }, o.clock);
      return 1;
    case "late":
      await workThroughCourse(db, { ...base, upTo: "attested", failQuizFirst: true, at: addDays(due, 4) }, o.clock);
      return 1;
    case "in_progress":
    case "overdue_started":
      await workThroughCourse(db, { ...base, upTo: "modules", modules: 2, at: addDays(o.started, 1) }, o.clock);
      return 0;
    default:
      return 0;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { boot } = await import("../app/boot.server");
  const { db, catalog, config } = await boot();
  const result = await seedDemo(db, { catalog, secret: config.secret });
  console.log(result.seeded ? `Seeded ${result.people} people (${result.signed} signed agreements).` : "The database already has people; nothing seeded.");
  await db.destroy();
}
