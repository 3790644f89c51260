import { RemixBrowser } from "@remix-run/react";
import { startTransition, StrictMode } from "react";
import { hydrateRoot } from "react-dom/client";
import { loadMdx } from "./components/mdx-registry";

// Course content the server rendered must be loaded before hydration, or React would see a
// different tree. The page lists it in <link rel="modulepreload" data-mdx="hash">.
const hashes = Array.from(document.querySelectorAll<HTMLLinkElement>("link[data-mdx]"), (l) => l.dataset.mdx!);

Promise.all(hashes.map(loadMdx)).finally(() => {
  startTransition(() => {
    hydrateRoot(
      document,
      <StrictMode>
        <RemixBrowser />
      </StrictMode>,
    );
  });
});
