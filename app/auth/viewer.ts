// Who is asking: the signed-in person as every loader, action and scoped query sees them.
// Types only, so route modules, domain modules and the HTTP layer can all name it.
export interface Viewer {
  id: string;
  email: string;
  name: string;
  is_hr: number;
  type: string;
  status: string;
  manager_id: string | null;
  department: string | null;
  /** A confirmed authenticator app or at least one passkey (HR admins must have one). */
  has_second_factor: boolean;
  /** The OpenID provider the session was signed in with (absent or null: password or passkey). */
  sso_issuer?: string | null;
}
