// Reading server-rendered pages in tests as a person reads them.

/** The words a reader sees: scripts and tags removed, React's text separators removed, entities
 * decoded, spaces collapsed. */
export function words(html: string) {
  return html
    .replace(/<script[\s\S]*?<\/script>/g, " ")
    .replace(/<!-- -->/g, "")
    .replace(/<[^>]+>/g, " ")
    .replace(/&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ");
}
