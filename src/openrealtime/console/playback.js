// What the listener has heard of each assistant audio item, and where to cut it.
//
// The rule is the Python client's (docs/client.md, "Playback and interruption"): when the
// server hears the user start speaking while an item plays, playback stops and the item
// is truncated at the played position, floored to whole ms and capped at the audio
// received; nothing is sent before its first whole ms of audio, nor once all of it was
// heard. The player stops on its next render quantum (under 3 ms) and reports exactly how
// many samples it had output: never an estimate from the wall clock.

import { WIRE_RATE, samplesToMs } from "./util.js";

export class Playback {
  constructor(audio) {
    this.audio = audio;
    this.items = new Map(); // id -> {id, contentIndex, received, played, done, finished}
    this.current = null; // the item being output
    this.active = null; // the latest item with audio not yet all heard
    this.waiting = null;
    this.listeners = { change: [], position: [] };
    audio.onPlayer = (message) => this.receive(message);
  }

  on(name, listener) {
    this.listeners[name].push(listener);
  }

  emit(name, value) {
    for (const listener of this.listeners[name]) listener(value);
  }

  item(id) {
    if (!this.items.has(id)) {
      this.items.set(id, { id, contentIndex: 0, received: 0, played: 0, done: false, finished: false });
    }
    return this.items.get(id);
  }

  // An audio delta of `id` (PCM16 bytes, in content part `contentIndex`) arrived.
  push(id, contentIndex, bytes) {
    const item = this.item(id);
    if (item.finished || !this.audio.player) return; // cut already, or no audio output
    item.contentIndex = contentIndex;
    item.received += this.audio.play(id, bytes);
    this.active = id;
  }

  // The server sent all of `id`'s audio.
  done(id) {
    const item = this.item(id);
    item.done = true;
    if (!item.finished) this.audio.endItem(id);
  }

  get playing() {
    return this.active !== null;
  }

  receive(message) {
    if (message.type === "stopped") {
      const resolve = this.waiting;
      this.waiting = null;
      if (resolve) resolve(message);
      return;
    }
    const item = this.item(message.item);
    item.played = message.played;
    if (message.type === "started") {
      this.current = item.id;
      this.emit("change", item);
    } else if (message.type === "drained") {
      item.finished = true;
      if (this.current === item.id) this.current = null;
      if (this.active === item.id) this.active = null;
      this.emit("change", item);
    }
    this.emit("position", item);
  }

  // Stops playback; resolves to the truncation to send ({item_id, content_index,
  // audio_end_ms, played_ms, received_ms, stop_delay_ms}), or null when there is nothing to cut.
  async interrupt() {
    if (this.active === null || !this.audio.player) return null;
    const stopped = new Promise((resolve) => {
      this.waiting = resolve;
    });
    this.audio.stop();
    const report = await stopped;
    const item = this.item(report.item ?? this.active);
    if (report.item !== null) item.played = report.played;
    for (const each of this.items.values()) each.finished = true;
    this.current = null;
    this.active = null;
    this.emit("change", item);
    const receivedMs = samplesToMs(item.received);
    if (receivedMs === 0 || (item.played >= item.received && item.done)) return null;
    return {
      item_id: item.id,
      content_index: item.contentIndex,
      audio_end_ms: Math.min(samplesToMs(item.played), receivedMs),
      played_ms: (item.played * 1000) / WIRE_RATE,
      received_ms: (item.received * 1000) / WIRE_RATE,
      stop_delay_ms: ((report.frame - report.requested) * 1000) / this.audio.sampleRate,
    };
  }

  // Forget everything (a new connection).
  reset() {
    if (this.active !== null && this.audio.player) this.audio.stop();
    this.items.clear();
    this.current = null;
    this.active = null;
  }
}
