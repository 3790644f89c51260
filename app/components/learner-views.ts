// What the learner's pages show of a quiz and a scenario: the shapes the domain (progress,
// quiz) produces and the components render. Pure types, shared by both sides.

export interface ScenarioProgress {
  /** Step ids visited in the current run, starting with the first step. */
  path: string[];
  /** Has any run of this scenario reached an ending? */
  completed: boolean;
  /** How many runs have been started (a run starts with a choice at the first step). */
  runs: number;
}

export interface QuizQuestionView {
  id: string;
  prompt: string;
  select: "one" | "many";
  options: Array<{ id: string; text: string }>;
}

export interface QuizResultQuestion {
  id: string;
  prompt: string;
  select: "one" | "many";
  /** Null after a failed attempt: its questions are not marked right or wrong. */
  right: boolean | null;
  /** Null after a failed attempt (the ideas are given per module to revisit instead). */
  explanation: string | null;
  options: Array<{ id: string; text: string; chosen: boolean; correct: boolean; why: string | null }>;
}

/** A module a failed attempt names to revisit, with the ideas behind its questions. */
export interface QuizRevisitModule {
  slug: string;
  title: string;
  ideas: string[];
}
