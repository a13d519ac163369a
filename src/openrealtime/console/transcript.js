// The live transcript: both sides, a response's text streaming in as it arrives.

import { el } from "./util.js";

const NAMES = { user: "You", assistant: "Assistant", tool: "Tool call", error: "Error" };

export class Transcript {
  constructor(root) {
    this.root = root;
    this.bubbles = new Map();
  }

  bubble(id, role) {
    let bubble = this.bubbles.get(id);
    if (!bubble) {
      const text = el("p", { class: "text" });
      const meta = el("span", { class: "meta" });
      const node = el(
        "div",
        { class: `bubble ${role}`, dataset: { itemId: id, role } },
        el("span", { class: "who" }, NAMES[role]),
        text,
        meta,
      );
      bubble = { node, text, meta };
      this.bubbles.set(id, bubble);
      this.append(node);
    }
    return bubble;
  }

  append(node) {
    const follow = this.root.scrollTop + this.root.clientHeight >= this.root.scrollHeight - 8;
    this.root.append(node);
    if (follow) this.root.scrollTop = this.root.scrollHeight;
  }

  // Sets (or, with `streaming`, extends) the text of an item's bubble.
  write(id, role, text, { streaming = false, pending = false } = {}) {
    const bubble = this.bubble(id, role);
    bubble.text.textContent = streaming ? bubble.text.textContent + text : text;
    bubble.node.classList.toggle("pending", pending);
  }

  // The user's audio item, before its transcript arrives.
  heard(id) {
    this.write(id, "user", "…", { pending: true });
  }

  audio(id, playedMs, receivedMs) {
    const bubble = this.bubble(id, "assistant");
    bubble.node.dataset.playedMs = Math.round(playedMs);
    bubble.node.dataset.receivedMs = Math.round(receivedMs);
    const cut = bubble.node.dataset.truncatedMs;
    bubble.meta.textContent = cut
      ? `interrupted at ${(cut / 1000).toFixed(2)} s of ${(receivedMs / 1000).toFixed(2)} s`
      : `audio ${(playedMs / 1000).toFixed(2)} / ${(receivedMs / 1000).toFixed(2)} s`;
  }

  truncated(id, audioEndMs, receivedMs) {
    const bubble = this.bubble(id, "assistant");
    bubble.node.dataset.truncatedMs = audioEndMs;
    bubble.node.classList.add("interrupted");
    this.audio(id, audioEndMs, receivedMs);
  }

  toolCall(id, name, args) {
    this.write(id, "tool", `${name}(${args})`);
  }

  // An error in words, with the server's code.
  error(message, code = null) {
    const text = el("p", { class: "text" }, code ? el("code", {}, code) : null, code ? " " : null, message);
    const node = el(
      "div",
      { class: "bubble error", dataset: { role: "error" } },
      el("span", { class: "who" }, NAMES.error),
      text,
    );
    this.append(node);
  }

  clear() {
    this.root.replaceChildren();
    this.bubbles.clear();
  }
}
