// @vitest-environment jsdom
// <Figure> and <Video> as a learner's page renders them: files by the URLs the page passes,
// captions on by default, a transcript link, and a plain notice when a file is not there.
import { afterEach, expect, test } from "vitest";
import { cleanup, render, screen } from "@testing-library/react";
import { Figure, MediaContext, Video } from "../../app/components/Media";

afterEach(cleanup);

const MEDIA = {
  "map.svg": "/media/c/aaaaaaaaaaaaaaaa/map.svg",
  "media/call.mp4": "/media/c/bbbbbbbbbbbbbbbb/media/call.mp4",
  "media/call.vtt": "/media/c/cccccccccccccccc/media/call.vtt",
  "media/call.txt": "/media/c/dddddddddddddddd/media/call.txt",
};

test("a figure shows its image with alt text and caption", () => {
  render(
    <MediaContext.Provider value={MEDIA}>
      <Figure src="map.svg" alt="The floor plan" caption="Where to take a call" />
    </MediaContext.Provider>,
  );
  const img = screen.getByRole("img", { name: "The floor plan" });
  expect(img.getAttribute("src")).toBe(MEDIA["map.svg"]);
  expect(screen.getByText("Where to take a call").tagName).toBe("FIGCAPTION");
});

test("a video has its captions track on by default and a link to the transcript", () => {
  const { container } = render(
    <MediaContext.Provider value={MEDIA}>
      <Video src="media/call.mp4" captions="media/call.vtt" transcript="media/call.txt" title="A call on the train" />
    </MediaContext.Provider>,
  );
  const video = container.querySelector("video")!;
  expect(video.getAttribute("src")).toBe(MEDIA["media/call.mp4"]);
  expect(video.hasAttribute("controls")).toBe(true);
  const track = container.querySelector("track")!;
  expect([track.getAttribute("kind"), track.getAttribute("src"), track.hasAttribute("default")]).toEqual(["captions", MEDIA["media/call.vtt"], true]);
  expect(screen.getByRole("link", { name: "Read the transcript" }).getAttribute("href")).toBe(MEDIA["media/call.txt"]);
});

test("a file the page does not have becomes a notice, never a broken element", () => {
  render(
    <MediaContext.Provider value={{}}>
      <Figure src="map.svg" alt="The floor plan" />
      <Video src="media/call.mp4" captions="media/call.vtt" transcript="media/call.txt" title="A call" />
    </MediaContext.Provider>,
  );
  expect(screen.getByText("The figure “The floor plan” is not available.")).toBeTruthy();
  expect(screen.getByText("The video “A call” is not available.")).toBeTruthy();
  expect(document.querySelector("img, video")).toBeNull();
});
