// Compiled MDX components by content hash. The server fills it when it compiles; the browser
// fills it by importing /mdx/<hash>.js (a same-origin module, so the CSP needs no eval).
import type { ComponentType } from "react";
import * as React from "react";
import * as ReactDOM from "react-dom";
import * as jsxRuntime from "react/jsx-runtime";

export type MdxComponent = ComponentType<{ components?: Record<string, ComponentType<any>> }>;

const registry = new Map<string, MdxComponent>();

export function registerMdx(hash: string, component: MdxComponent): void {
  registry.set(hash, component);
}

export function getMdx(hash: string): MdxComponent | undefined {
  return registry.get(hash);
}

export function mdxModuleUrl(hash: string): string {
  return `/mdx/${hash}.js`;
}

/** Browser only: fetches and evaluates the module for `hash` unless it is already loaded. */
export async function loadMdx(hash: string): Promise<void> {
  if (registry.has(hash)) return;
  const mod = await import(/* @vite-ignore */ mdxModuleUrl(hash));
  const exported = mod.default(React, ReactDOM, jsxRuntime) as { default: MdxComponent };
  registry.set(hash, exported.default);
}

/** For a route's clientLoader on pages that render course MDX: on client-side navigation, load
 * the page's module before rendering it. */
export async function withMdxLoaded<T>(serverLoader: () => Promise<T>): Promise<T> {
  const loaded = await serverLoader();
  const { mdxHash, mdxFailure } = loaded as { mdxHash: string; mdxFailure?: string | null };
  // Content that did not compile has no module to load; the page says so instead.
  if (!mdxFailure) await loadMdx(mdxHash);
  return loaded;
}
