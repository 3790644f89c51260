// The journey of "content versions never strand anyone", on whichever database it is given: a
// live course, learners at various points, the folder edited (a step renamed, a question added,
// a module removed), a restart, a publication, then a publication that restarts in-progress
// learners. Returns what the tests assert.
import { expect } from "vitest";
import type { Db } from "../../db/connection";
import type { Assignment } from "../../db/schema";
import { fixedClock } from "../../app/clock";
import { assign, makePerson, workThroughCourse } from "../../app/demo/factories.server";
import { completeModule, getCourseState, recordScenarioChoice } from "../../app/learning/progress.server";
import { findCourseAccess } from "../../app/learning/access.server";
import { modulePage } from "../../app/learning/module-page.server";
import { liveCatalog } from "../../app/courses/live.server";
import { compiledModule } from "../../app/courses/compiled-store.server";
import { catalogSources, compileMdx } from "../../app/courses/mdx.server";
import { publishCourse, recordBaseline } from "../../app/scheduler/publishing.server";
import { readConfig } from "../../app/config.server";
import { coursesCopy, editLiveCourse, RENAMED_FROM, RENAMED_TO } from "./publishing";

const COURSE = "protecting-trade-secrets";
const rules = readConfig({ NODE_ENV: "test", APP_SECRET: "x".repeat(32) }).reminders;

export async function strandingJourney(db: Db) {
  const folder = coursesCopy();
  try {
    const clock = fixedClock("2027-03-01T09:00:00.000Z");
    // First start: the shipped courses are recorded as live.
    const drafts1 = folder.load();
    await recordBaseline(db, drafts1, clock());
    const live1 = await liveCatalog(db, drafts1);
    const v1 = live1.courses.get(COURSE)!;
    const person = (email: string, name: string) => makePerson(db, { email, name, startDate: "2027-02-01" }, clock);
    const [ann, ben, cal, dee] = await Promise.all([
      person("ann@test.example", "Ann Ames"),
      person("ben@test.example", "Ben Bates"),
      person("cal@test.example", "Cal Cole"),
      person("dee@test.example", "Dee Dunn"),
    ]);
    const asg: Record<string, Assignment> = {};
    for (const p of [ann, ben, cal, dee]) asg[p.email] = await assign(db, { userId: p.id, course: v1 }, clock);
    const viewer = (p: typeof ann) => ({ ...p, is_hr: 0 }) as never;
    // Ann is on the step that will be renamed; Ben finished two modules; Cal has not started;
    // Dee finished every module and passed the quiz (the signature is still to come).
    const blog = v1.modules[0].scenarios[0];
    await recordScenarioChoice(db, { assignment: asg[ann.email], course: v1, module: v1.modules[0].slug, scenarioId: blog.id, from: "start", to: RENAMED_FROM }, clock);
    await workThroughCourse(db, { user: ben, assignment: asg[ben.email], course: v1, catalog: live1, upTo: "modules", modules: 2, password: "", secret: "" }, clock);
    await workThroughCourse(db, { user: dee, assignment: asg[dee.email], course: v1, catalog: live1, upTo: "quiz", password: "", secret: "" }, clock);
    const finishedBefore = await db.selectFrom("module_progress").select(["assignment_id", "module", "content_hash", "completed_at"]).orderBy("assignment_id").orderBy("module").execute();
    const attemptsBefore = await db.selectFrom("quiz_attempts").select(["id", "content_hash", "passed"]).execute();

    // The author edits the live course, and the server restarts.
    editLiveCourse(folder.dir);
    const drafts2 = folder.load();
    const live2 = await liveCatalog(db, drafts2);
    expect(drafts2.courses.get(COURSE)!.contentHash).not.toBe(v1.contentHash);
    expect(live2.courses.get(COURSE)!.contentHash).toBe(v1.contentHash); // published stays live

    // Everyone continues on the version they are on: Ann's step is still there for her.
    const access = async (p: typeof ann, catalog = live2) => {
      const a = await findCourseAccess(db, catalog, viewer(p), COURSE);
      if (typeof a === "string") throw new Error(a);
      return a;
    };
    const annAccess = await access(ann);
    expect(annAccess.course.contentHash).toBe(v1.contentHash);
    const page = await modulePage(db, annAccess, v1.modules[0].slug);
    expect(page.kind).toBe("page");
    await recordScenarioChoice(db, { assignment: annAccess.assignment!, course: annAccess.course, module: v1.modules[0].slug, scenarioId: blog.id, from: RENAMED_FROM, to: "pull-details" }, clock);
    const afterPull = blog.steps.find((s) => s.id === "pull-details")!;
    let at = afterPull;
    while (!at.ending) {
      const next = at.choices[0].to;
      await recordScenarioChoice(db, { assignment: annAccess.assignment!, course: annAccess.course, module: v1.modules[0].slug, scenarioId: blog.id, from: at.id, to: next }, clock);
      at = blog.steps.find((s) => s.id === next)!;
    }
    for (const sc of v1.modules[0].scenarios.slice(1)) {
      // Any further scenario of the first module, to its end.
      let step = sc.steps[0];
      while (!step.ending) {
        await recordScenarioChoice(db, { assignment: annAccess.assignment!, course: annAccess.course, module: v1.modules[0].slug, scenarioId: sc.id, from: step.id, to: step.choices[0].to }, clock);
        step = sc.steps.find((s) => s.id === step.choices[0].to)!;
      }
    }
    await completeModule(db, { assignment: annAccess.assignment!, course: annAccess.course, module: v1.modules[0].slug, actorId: ann.id }, clock);
    // Ann starts module 2's scenario (it stays unfinished).
    const sc2 = v1.modules[1].scenarios[0];
    await recordScenarioChoice(db, { assignment: annAccess.assignment!, course: annAccess.course, module: v1.modules[1].slug, scenarioId: sc2.id, from: sc2.steps[0].id, to: sc2.steps[0].choices[0].to }, clock);
    // Each module Ann is on is still served by its hash, from what was kept.
    for (const m of v1.modules) {
      const { hash } = await compileMdx(m.source);
      expect(await compiledModule(db, hash, () => catalogSources(drafts2))).not.toBeNull();
    }
    for (const p of [ben, dee, cal]) expect((await access(p)).course.contentHash).toBe(v1.contentHash);

    // HR publishes the edit: Cal (not started) moves to it; the others stay on theirs.
    const opts = { catalogs: { live: live2, drafts: drafts2 }, courseId: COURSE, now: new Date("2027-03-02T09:00:00.000Z"), rules, origin: "http://confidant.test", actorId: null };
    const v2 = drafts2.courses.get(COURSE)!;
    const published = await publishCourse(db, { ...opts, restart: false, contentHash: v2.contentHash });
    if (typeof published === "string") throw new Error(published);
    expect(published.plan).toMatchObject({ notStarted: 1, inProgress: 3 });
    expect((await access(cal)).course.contentHash).toBe(v2.contentHash);
    for (const p of [ann, ben, dee]) expect((await access(p)).course.contentHash).toBe(v1.contentHash);

    // Then as "restart in-progress learners": unfinished modules start again on the new version.
    const restarted = await publishCourse(db, { ...opts, now: new Date("2027-03-03T09:00:00.000Z"), restart: true, contentHash: v2.contentHash });
    if (typeof restarted === "string") throw new Error(restarted);
    expect(restarted.plan.inProgress).toBe(3);
    const annNow = await access(ann);
    expect(annNow.course.contentHash).toBe(v2.contentHash);
    const annState = await getCourseState(db, annNow.assignment!, annNow.course);
    expect([...annState.completedModules]).toEqual([v1.modules[0].slug]); // finished stays finished
    expect(annState.scenarios[sc2.id]).toBeUndefined(); // the unfinished module starts again
    // Ann can go on through the new version, with its renamed step.
    const blog2 = v2.modules[0].scenarios[0];
    expect(blog2.steps.some((s) => s.id === RENAMED_TO)).toBe(true);
    const step2 = v2.modules[1].scenarios[0].steps[0];
    await recordScenarioChoice(db, { assignment: annNow.assignment!, course: annNow.course, module: v2.modules[1].slug, scenarioId: v2.modules[1].scenarios[0].id, from: step2.id, to: step2.choices[0].to }, clock);
    const deeNow = await access(dee);
    const deeState = await getCourseState(db, deeNow.assignment!, deeNow.course);
    expect(deeState.quiz.passedAttemptId).not.toBeNull();
    for (const m of v2.modules) expect(deeState.completedModules.has(m.slug)).toBe(true);

    // Nothing finished changed; the history names the version of each module and attempt.
    const finishedAfter = await db.selectFrom("module_progress").select(["assignment_id", "module", "content_hash", "completed_at"]).orderBy("assignment_id").orderBy("module").execute();
    for (const row of finishedBefore) expect(finishedAfter).toContainEqual(row);
    expect(finishedBefore.every((r) => r.content_hash === v1.contentHash)).toBe(true);
    expect(finishedAfter.find((r) => r.assignment_id === asg[ann.email].id && r.module === v1.modules[0].slug)?.content_hash).toBe(v1.contentHash);
    expect(await db.selectFrom("quiz_attempts").select(["id", "content_hash", "passed"]).execute()).toEqual(attemptsBefore);
    return { db, v1, v2, people: { ann, ben, cal, dee }, assignments: asg };
  } finally {
    folder.remove();
  }
}
