// The page's state (connecting, listening, thinking, speaking, error, closed) and each
// turn's latency as the page sees it: from the end of the user's speech (or the text being
// sent) to the transcript, and to the first audio (or text) of the reply.

import { el } from "./util.js";

const LABELS = {
  connecting: "Connecting…",
  listening: "Listening",
  thinking: "Thinking…",
  speaking: "Speaking",
  error: "Error",
  closed: "Disconnected",
};

export class Turns {
  constructor(badge, table) {
    this.badge = badge;
    this.table = table;
    this.state = null;
    this.current = null;
    this.count = 0;
    this.started = performance.now();
  }

  set(state) {
    this.state = state;
    this.badge.dataset.state = state;
    this.badge.textContent = LABELS[state];
  }

  // When the current turn began (for the event log), else when the page loaded.
  since() {
    return this.current ? this.current.began : this.started;
  }

  begin(kind) {
    const now = performance.now();
    const row = el(
      "tr",
      { dataset: { kind } },
      el("td", {}, String(++this.count)),
      el("td", {}, kind),
      el("td", { class: "transcript" }, "–"),
      el("td", { class: "reply" }, "–"),
    );
    this.table.append(row);
    this.current = {
      kind,
      began: now,
      end: kind === "text" ? now : null,
      transcript: null,
      reply: null,
      row,
    };
    return this.current;
  }

  // The user stopped speaking: latencies count from here.
  speechEnded() {
    if (!this.current || this.current.kind !== "voice") this.begin("voice");
    this.current.end = performance.now();
  }

  transcribed() {
    this.mark("transcript");
  }

  replied() {
    this.mark("reply");
  }

  mark(what) {
    const turn = this.current;
    if (!turn || turn.end === null || turn[what] !== null) return;
    turn[what] = performance.now() - turn.end;
    const cell = turn.row.querySelector(`.${what}`);
    cell.textContent = `${Math.round(turn[what])} ms`;
    cell.dataset.ms = Math.round(turn[what]);
  }
}
