// The event log: every event both ways (and the page's own notes), filterable by type,
// each expandable to its JSON, stamped with the time since its turn began.

import { el, forDisplay, isAudioChunk } from "./util.js";

// Audio chunks (50 appends a second while the microphone is on) have a budget of their
// own, so that they never push the other events out.
const MAX_ROWS = { chunk: 1000, event: 3000 };
const ARROWS = { out: "↑", in: "↓", local: "•" };

function brief(event) {
  if (event.note) return event.note;
  if (event.error) return `${event.error.code ?? event.error.type}: ${event.error.message}`;
  if (typeof event.delta === "string" && !isAudioChunk(event.type)) return JSON.stringify(event.delta);
  if (typeof event.transcript === "string") return JSON.stringify(event.transcript);
  if (event.type === "conversation.item.truncate") return `${event.item_id} at ${event.audio_end_ms} ms`;
  if (event.item) return [event.item.type, event.item.role, event.item.id].filter(Boolean).join(" ");
  if (event.response) return `${event.response.id} ${event.response.status}`;
  if (typeof event.audio_end_ms === "number") return `${event.audio_end_ms} ms`;
  if (typeof event.audio_start_ms === "number") return `${event.audio_start_ms} ms`;
  return "";
}

export class EventLog {
  constructor(root, turnStart) {
    this.list = root.querySelector("#event-list");
    this.filter = root.querySelector("#event-filter");
    this.chunks = root.querySelector("#show-chunks");
    this.count = root.querySelector("#event-count");
    this.turnStart = turnStart;
    this.total = 0;
    this.rows = { chunk: [], event: [] };
    this.filter.addEventListener("input", () => this.applyFilter());
    this.chunks.addEventListener("change", () =>
      this.list.classList.toggle("hide-chunks", !this.chunks.checked),
    );
    this.list.classList.toggle("hide-chunks", !this.chunks.checked);
    root.querySelector("#clear-log").addEventListener("click", () => this.clear());
  }

  // direction: "out" (sent), "in" (received) or "local" (the page's own note).
  add(direction, event) {
    const since = performance.now() - this.turnStart();
    const chunk = isAudioChunk(event.type);
    // Audio chunks are kept as display text only: their base64 would fill the memory.
    const json = chunk ? forDisplay(event) : event;
    const details = el(
      "details",
      {
        ontoggle: () => {
          if (details.open && !details.querySelector("pre")) {
            details.append(el("pre", {}, typeof json === "string" ? json : forDisplay(json)));
          }
        },
      },
      el(
        "summary",
        {},
        el("span", { class: "dir", title: direction }, ARROWS[direction]),
        el("span", { class: "since" }, `+${Math.round(since)} ms`),
        el("span", { class: "type" }, event.type),
        el("span", { class: "brief" }, brief(event)),
      ),
    );
    const row = el(
      "li",
      { class: `event ${direction}${chunk ? " chunk" : ""}`, dataset: { type: event.type, dir: direction } },
      details,
    );
    row.hidden = !this.matches(event.type);
    const follow = this.list.scrollTop + this.list.clientHeight >= this.list.scrollHeight - 8;
    this.list.append(row);
    const kept = this.rows[chunk ? "chunk" : "event"];
    kept.push(row);
    if (kept.length > MAX_ROWS[chunk ? "chunk" : "event"]) kept.shift().remove();
    if (follow) this.list.scrollTop = this.list.scrollHeight;
    this.total += 1;
    this.count.textContent = `${this.total} events`;
  }

  // Space-separated terms: a type shows when it contains any term and no "!term".
  matches(type) {
    const terms = this.filter.value.trim().split(/\s+/).filter(Boolean);
    const wanted = terms.filter((term) => !term.startsWith("!"));
    const unwanted = terms.filter((term) => term.startsWith("!")).map((term) => term.slice(1));
    if (unwanted.some((term) => term && type.includes(term))) return false;
    return !wanted.length || wanted.some((term) => type.includes(term));
  }

  applyFilter() {
    for (const row of this.list.children) row.hidden = !this.matches(row.dataset.type);
  }

  clear() {
    this.list.replaceChildren();
    this.rows = { chunk: [], event: [] };
    this.total = 0;
    this.count.textContent = "";
  }
}
