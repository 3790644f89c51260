// The one map of components every course page passes to its MDX.
import { Children, isValidElement, type ComponentType, type ReactNode } from "react";
import { Callout } from "./Callout";
import { BetterMove, Choice, Scenario, Step, useChoiceOrder } from "./Scenario";
import { Figure, Video } from "./Media";
import type { COURSE_COMPONENT_NAMES } from "./course-component-names";

/** Choices written on consecutive lines parse as one Markdown paragraph; a paragraph cannot
 * hold forms, so such a paragraph becomes a plain group. */
function Paragraph({ children }: { children?: ReactNode }) {
  const parts = Children.toArray(children);
  const onlyChoices =
    parts.some((p) => isValidElement(p) && p.type === Choice) &&
    parts.every((p) => (typeof p === "string" && p.trim() === "") || (isValidElement(p) && p.type === Choice));
  const ordered = useChoiceOrder(children);
  return onlyChoices ? <div className="choices">{ordered}</div> : <p>{children}</p>;
}

export const courseComponents: Record<(typeof COURSE_COMPONENT_NAMES)[number] | "p", ComponentType<any>> = {
  Callout,
  Scenario,
  Step,
  Choice,
  BetterMove,
  Figure,
  Video,
  p: Paragraph,
};
