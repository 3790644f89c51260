import type { ComponentType } from "react";
import { getMdx, mdxModuleUrl } from "./mdx-registry";

/** Renders compiled course MDX. The link tells entry.client which modules to load before
 * hydrating; the server has them already. */
export function MdxContent({ hash, components }: { hash: string; components: Record<string, ComponentType<any>> }) {
  const Content = getMdx(hash);
  return (
    <>
      <link rel="modulepreload" href={mdxModuleUrl(hash)} data-mdx={hash} />
      {Content ? <Content components={components} /> : <p role="status">Loading…</p>}
    </>
  );
}
