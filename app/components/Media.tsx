// Figures and videos in course content. Files live in the course folder; the page passes their
// URLs (each with the file's content hash) through MediaContext.
import { createContext, useContext } from "react";

/** Path inside the course folder → URL that serves it. */
export const MediaContext = createContext<Record<string, string>>({});

function Missing({ what }: { what: string }) {
  return (
    <p className="notice" role="status">
      {what} is not available.
    </p>
  );
}

export function Figure({ src, alt, caption }: { src?: string; alt?: string; caption?: string }) {
  const media = useContext(MediaContext);
  const url = src ? media[src] : undefined;
  if (!url) return <Missing what={`The figure “${alt ?? src ?? ""}”`} />;
  return (
    <figure className="course-figure">
      <img src={url} alt={alt ?? ""} loading="lazy" />
      {caption ? <figcaption>{caption}</figcaption> : null}
    </figure>
  );
}

export function Video({ src, captions, transcript, title }: { src?: string; captions?: string; transcript?: string; title?: string }) {
  const media = useContext(MediaContext);
  const [video, track, text] = [src, captions, transcript].map((f) => (f ? media[f] : undefined));
  if (!video || !track || !text) return <Missing what={`The video${title ? ` “${title}”` : ""}`} />;
  return (
    <figure className="course-video">
      <video controls preload="metadata" src={video} aria-label={title ?? "Course video"}>
        <track kind="captions" src={track} srcLang="en" label="English captions" default />
      </video>
      <figcaption>
        {title ? `${title} · ` : ""}
        <a href={text}>Read the transcript</a>
      </figcaption>
    </figure>
  );
}
