/// <reference types="@remix-run/dev" />
/// <reference types="@remix-run/node" />

// Type loader data for single fetch (v3_singleFetch): data() and raw objects.
declare module "@remix-run/server-runtime" {
  interface Future {
    v3_singleFetch: true;
  }
}

export {};
