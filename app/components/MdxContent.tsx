import { Component, Suspense, type ComponentType, type ReactNode } from "react";
import { useRouteLoaderData } from "@remix-run/react";
import { getMdx, mdxModuleUrl } from "./mdx-registry";
import { MediaContext } from "./Media";

/** Renders compiled course MDX. The link tells entry.client which modules to load before
 * hydrating; the server has them already. Content that does not compile (`failure`) or whose
 * component throws while rendering never fails the page: HR sees what went wrong, learners
 * "temporarily unavailable". */
export function MdxContent({
  hash,
  components,
  failure = null,
  media = {},
}: {
  hash: string;
  components: Record<string, ComponentType<any>>;
  failure?: string | null;
  /** URLs of the course's figures and videos, by path in the course folder. */
  media?: Record<string, string>;
}) {
  if (failure) return <ContentUnavailable detail={failure} />;
  const Content = getMdx(hash);
  return (
    <>
      <link rel="modulepreload" href={mdxModuleUrl(hash)} data-mdx={hash} />
      <MediaContext.Provider value={media}>
        <ContentBoundary>
          {/* On the server an error inside Suspense renders the fallback instead of failing the
            page; the browser then renders the content again, inside ContentBoundary. */}
          <Suspense fallback={<ContentUnavailable detail={null} />}>
            {Content ? (
              <Content components={components} />
            ) : (
              <p role="status">Loading…</p>
            )}
          </Suspense>
        </ContentBoundary>
      </MediaContext.Provider>
    </>
  );
}

class ContentBoundary extends Component<
  { children: ReactNode },
  { error: string | null }
> {
  state = { error: null as string | null };
  static getDerivedStateFromError(error: unknown) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
  render() {
    return this.state.error !== null ? (
      <ContentUnavailable detail={this.state.error} />
    ) : (
      this.props.children
    );
  }
}

function useIsHr(): boolean {
  const root = useRouteLoaderData<{ viewer?: { isHr?: boolean } | null }>(
    "root"
  );
  return Boolean(root?.viewer?.isHr);
}

export function ContentUnavailable({ detail }: { detail: string | null }) {
  const isHr = useIsHr();
  if (!isHr) {
    return (
      <p className="notice" role="status">
        This module is temporarily unavailable. Your progress is kept; please
        come back later.
      </p>
    );
  }
  return (
    <div className="form-error" role="alert">
      <p>
        <strong>This content cannot be shown.</strong> Learners see “This module
        is temporarily unavailable”.
      </p>
      {detail ? (
        <p>
          What went wrong: <code>{detail}</code>
        </p>
      ) : null}
      <p>
        Run <code>npm run courses:check</code> to see the file and line.
      </p>
    </div>
  );
}
