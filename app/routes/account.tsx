import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { notFound, readForm, requireViewer } from "~/http/guards.server";
import { getOwnProfile } from "~/people/profile.server";
import { boardVisibilitySchema, isShownOnBoards, setShownOnBoards } from "~/recognition/opt-out.server";
import { formatDate } from "~/components/format";
import { PERSON_TYPE_LABEL } from "~/labels";

export const meta: MetaFunction = () => [{ title: "Your details · Confidant" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = requireViewer(request, context);
  const profile = await getOwnProfile(context.db, viewer.id);
  if (!profile) throw notFound();
  return {
    ...profile,
    shownOnBoards: await isShownOnBoards(context.db, viewer.id),
  };
}

// The one thing a person changes here themselves: whether they appear on compliance boards.
export async function action({ request, context }: ActionFunctionArgs) {
  const viewer = requireViewer(request, context);
  const parsed = boardVisibilitySchema.safeParse(Object.fromEntries(await readForm(request)));
  if (!parsed.success)
    return data(
      {
        saved: false as const,
        error: "That choice could not be read. Reload the page and try again.",
      },
      { status: 400 },
    );
  const shown = parsed.data.show === "on";
  await setShownOnBoards(context.db, { userId: viewer.id, show: shown }, context.clock);
  return { saved: true as const, shown, error: null };
}


function BoardVisibility({ shown }: { shown: boolean }) {
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  return (
    <>
      <h2 id="boards-h">Compliance boards</h2>
      <Form method="post" className="panel" aria-labelledby="boards-h">
        <p className="muted">
          Managers see a board of their team's top compliers, and HR one for the whole company. You always see your own score and badges on your home
          page; nobody else's. If you would rather not be listed, untick the box: you will still count in HR's overall figures.
        </p>
        {result?.error ? (
          <p className="form-error" role="alert">
            {result.error}
          </p>
        ) : null}
        {result?.saved ? (
          <p className="notice" role="status">
            Saved. {result.shown ? "You are shown on compliance boards." : "You are no longer shown on compliance boards."}
          </p>
        ) : null}
        <input type="hidden" name="intent" value="board-visibility" />
        <div className="field check">
          <input id="show-on-boards" name="show" type="checkbox" defaultChecked={shown} key={String(shown)} />
          <label htmlFor="show-on-boards">Show me on compliance boards</label>
        </div>
        <button type="submit" className="button secondary" disabled={busy}>
          {busy ? "Saving…" : "Save"}
        </button>
      </Form>
    </>
  );
}

export default function AccountPage() {
  const p = useLoaderData<typeof loader>();
  const notRecorded = <span className="muted">Not recorded</span>;
  return (
    <>
      <h1 id="details">Your details</h1>
      <p className="muted">
        This is how you appear on your training records and on the agreements you sign. If something is wrong, ask HR
        to correct it before you sign.
      </p>
      <div className="panel">
        <dl className="facts" aria-labelledby="details">
          <dt>Name</dt>
          <dd>{p.name}</dd>
          <dt>Work email</dt>
          <dd>{p.email}</dd>
          <dt>Department</dt>
          <dd>{p.department ?? notRecorded}</dd>
          <dt>Job title</dt>
          <dd>{p.title ?? notRecorded}</dd>
          <dt>Employee ID</dt>
          <dd>{p.employeeId ?? notRecorded}</dd>
          <dt>Type</dt>
          <dd>{PERSON_TYPE_LABEL[p.type]}</dd>
          <dt>Start date</dt>
          <dd>{formatDate(p.startDate)}</dd>
          <dt>Manager</dt>
          <dd>{p.managerName ?? <span className="muted">None</span>}</dd>
        </dl>
      </div>
      <BoardVisibility shown={p.shownOnBoards} />
      <p>
        <Link to="/">Back to my training</Link>
      </p>
    </>
  );
}
