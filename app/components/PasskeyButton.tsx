import { useRef, useState } from "react";
import { startAuthentication, startRegistration } from "@simplewebauthn/browser";

export type PasskeyAction = "register" | "sign-in" | "second-factor" | "signing";

/** Asks the server for a challenge, lets the browser's passkey dialog answer it, puts the
 * answer in the enclosing form's `field` input and submits that form. Plain script from the
 * app's bundle, so it runs under the page's Content-Security-Policy (no inline handlers). */
export function PasskeyButton({ purpose, label, field = "passkey", className = "button" }: { purpose: PasskeyAction; label: string; field?: string; className?: string }) {
  const button = useRef<HTMLButtonElement>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function run() {
    setProblem(null);
    setBusy(true);
    try {
      const res = await fetch("/passkeys/options", {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ purpose }).toString(),
      });
      if (!res.ok) throw new Error((await res.text()) || "The passkey request could not be started.");
      const optionsJSON = await res.json();
      const answer = purpose === "register" ? await startRegistration({ optionsJSON }) : await startAuthentication({ optionsJSON });
      const form = button.current?.form;
      const input = form?.elements.namedItem(field);
      if (!form || !(input instanceof HTMLInputElement)) throw new Error("The page is out of date. Reload it and try again.");
      input.value = JSON.stringify(answer);
      form.requestSubmit();
    } catch (e) {
      const name = (e as { name?: string }).name;
      setProblem(name === "NotAllowedError" ? "The passkey request was cancelled or timed out. Try again." : e instanceof Error ? e.message : "The passkey could not be used.");
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <input type="hidden" name={field} defaultValue="" />
      <button type="button" ref={button} className={className} onClick={() => void run()} disabled={busy}>
        {busy ? "Waiting for your passkey…" : label}
      </button>
      {problem ? (
        <p className="form-error" role="alert">
          {problem}
        </p>
      ) : null}
    </>
  );
}
