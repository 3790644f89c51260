// Kudos as cards: the message, who sent it, when, and the badge if any. No server imports.
import { formatDate } from "~/components/format";

export interface KudosItem {
  id: string;
  fromName: string;
  toName: string;
  message: string;
  badgeLabel: string | null;
  createdAt: string;
}

export function KudosList({ items, labelledBy, show = "from" }: { items: KudosItem[]; labelledBy: string; show?: "from" | "to" }) {
  return (
    <ul className="kudos-list" aria-labelledby={labelledBy}>
      {items.map((k) => (
        <li key={k.id} className="kudos">
          <p className="from">
            {show === "from" ? (
              <>
                From <strong>{k.fromName}</strong>
              </>
            ) : (
              <>
                To <strong>{k.toName}</strong>
              </>
            )}
            , {formatDate(k.createdAt)}
          </p>
          <blockquote>{k.message}</blockquote>
          {k.badgeLabel ? (
            <ul className="awards" aria-label="Badge">
              <li className="award">{k.badgeLabel}</li>
            </ul>
          ) : null}
        </li>
      ))}
    </ul>
  );
}
