// The top-compliers board, the badges, and the plain-words explanation of the score. Shared by
// the manager's board, HR's board and the home page. No server imports: pages pass the data in.
import { Link } from "@remix-run/react";
import { EARLY_BIRD_DAYS, MAX_CYCLE_POINTS, MAX_STREAK_BONUS, MIN_COMPLETED_CYCLES, POINTS, YEARS_ON_TIME } from "./score";

export interface AwardView {
  key: string;
  label: string;
  reason: string;
}

export interface BoardRowView {
  id: string;
  name: string;
  title: string | null;
  managerName?: string | null;
  rank: number;
  score: number;
  average: number;
  streak: number;
  streakBonus: number;
  counted: number;
  onTime: number;
  firstTry: number;
  badges: AwardView[];
}

export function formatScore(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

function Star() {
  // Decorative: the label says what the badge is.
  return (
    <svg width="14" height="14" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path d="M12 2.5l2.9 6.1 6.6.8-4.9 4.6 1.3 6.6L12 17.3l-5.9 3.3 1.3-6.6L2.5 9.4l6.6-.8z" fill="#d4a017" stroke="#7a4a00" strokeWidth="1" />
    </svg>
  );
}

/** Badges as chips; the reason is the tooltip and, for screen readers, part of the text. */
export function Awards({ badges, large, label }: { badges: AwardView[]; large?: boolean; label?: string }) {
  if (badges.length === 0) return null;
  return (
    <ul className={`awards${large ? " large" : ""}`} aria-label={label ?? "Badges"}>
      {badges.map((b) => (
        <li key={b.key} className="award" title={b.reason}>
          <Star />
          {b.label}
          <span className="visually-hidden">: {b.reason}</span>
        </li>
      ))}
    </ul>
  );
}

/** 1st, 2nd, 3rd, 4th … 11th, 12th, 13th, 21st. */
export function ordinal(n: number) {
  const s = n % 100 >= 11 && n % 100 <= 13 ? "th" : n % 10 === 1 ? "st" : n % 10 === 2 ? "nd" : n % 10 === 3 ? "rd" : "th";
  return `${n}${s}`;
}

export function BoardTable({
  rows,
  labelledBy,
  describedBy,
  personHref,
  kudosHref,
  showManager,
}: {
  rows: BoardRowView[];
  labelledBy: string;
  describedBy?: string;
  personHref?: (id: string) => string;
  kudosHref?: (id: string) => string;
  showManager?: boolean;
}) {
  const ties = new Map<number, number>();
  for (const r of rows) ties.set(r.rank, (ties.get(r.rank) ?? 0) + 1);
  return (
    <div className="table-wrap">
      <table className="board stack" aria-labelledby={labelledBy} aria-describedby={describedBy}>
        <thead>
          <tr>
            <th scope="col">Rank</th>
            <th scope="col">Person</th>
            <th scope="col">Score</th>
            <th scope="col">How it adds up</th>
            <th scope="col">On time</th>
            <th scope="col">Badges</th>
            {kudosHref ? (
              <th scope="col">
                <span className="visually-hidden">Recognise</span>
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id} className={r.rank === 1 ? "top" : undefined} data-person={r.id}>
              <td className="rank" data-label="Rank">
                {r.rank}
                {(ties.get(r.rank) ?? 0) > 1 ? <span className="tied">tied</span> : null}
              </td>
              <th scope="row">
                {personHref ? (
                  <Link className="person-link" to={personHref(r.id)}>
                    {r.name}
                  </Link>
                ) : (
                  <span className="person-link">{r.name}</span>
                )}
                {r.title || (showManager && r.managerName) ? (
                  <span className="sub">
                    {r.title}
                    {showManager && r.managerName ? `${r.title ? " · " : ""}reports to ${r.managerName}` : ""}
                  </span>
                ) : null}
              </th>
              <td className="score" data-label="Score">
                {formatScore(r.score)}
              </td>
              <td data-label="How it adds up">
                <span className="score-parts">
                  {formatScore(r.average)} per course + {r.streakBonus} streak
                </span>
              </td>
              <td className="nowrap" data-label="On time">
                {r.onTime} of {r.counted}
                {r.streak > 1 ? <span className="sub">{r.streak} in a row</span> : null}
              </td>
              <td data-label="Badges">
                <Awards badges={r.badges} label={`Badges of ${r.name}`} />
              </td>
              {kudosHref ? (
                <td>
                  <Link className="kudos-link" to={kudosHref(r.id)}>
                    Send kudos
                    <span className="visually-hidden"> to {r.name}</span>
                  </Link>
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The formula in plain words, from the same constants the score uses. */
export function ScoreExplainer({ open }: { open?: boolean }) {
  return (
    <details className="explain panel" open={open}>
      <summary>How the score works</summary>
      <p>Each course cycle a person completes earns points:</p>
      <ul>
        <li>
          <strong>{POINTS.onTime} points</strong> for completing it on or before the due date;
        </li>
        <li>
          <strong>{POINTS.perDayEarly} point</strong> for each full day it was done early, up to {POINTS.maxEarly} (on-time cycles only);
        </li>
        <li>
          <strong>{POINTS.firstTry} points</strong> for passing the quiz at the first attempt (a cycle with no quiz, such as signing a new policy
          version, counts as passed).
        </li>
      </ul>
      <p>
        The score is the <strong>average per cycle</strong> (at most {MAX_CYCLE_POINTS}) plus <strong>1 point for each on-time cycle in a row</strong>
        , most recent first, up to {MAX_STREAK_BONUS}. Averaging means someone who joined recently with one perfect course is not buried under people
        with longer histories.
      </p>
      <ul>
        <li>A late completion scores no time points and ends the streak. A course still open after its due date counts as late.</li>
        <li>Exempt and cancelled cycles neither count nor end a streak. Time on leave is paused: nothing goes overdue while someone is away.</li>
        <li>
          People appear once they have completed {MIN_COMPLETED_CYCLES === 1 ? "a course" : `${MIN_COMPLETED_CYCLES} courses`}. Equal scores share a
          rank (1, 2, 2, 4) and are listed by name.
        </li>
        <li>Anyone can choose not to appear on boards from their account page; they still count in HR's overall figures.</li>
      </ul>
      <p>Badges come from the same records:</p>
      <ul>
        <li>
          <strong>First-time pass</strong>: passed a quiz at the first attempt.
        </li>
        <li>
          <strong>Early bird</strong>: completed a course at least {EARLY_BIRD_DAYS} days before it was due.
        </li>
        <li>
          <strong>On-time streak</strong>: the last two or more courses all on time.
        </li>
        <li>
          <strong>Three years on time</strong>: yearly training on time in {YEARS_ON_TIME} different years, with nothing late since.
        </li>
      </ul>
    </details>
  );
}
