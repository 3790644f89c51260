// For downloads that must be asked for with a POST (they write an audit entry): a GET gets a
// plain 405 saying what to do instead.
export function postOnly(): Response {
  return new Response("Use the download button on the page: this file is produced on request, and each request is recorded.", {
    status: 405,
    headers: { Allow: "POST", "Content-Type": "text/plain; charset=utf-8" },
  });
}
