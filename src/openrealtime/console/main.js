// The console: wires the connection, audio, transcript, event log, session panel and turns.

import { AudioIO } from "./audio.js";
import { Connection, connectionInfo } from "./connection.js";
import { EventLog } from "./log.js";
import { Playback } from "./playback.js";
import { SessionPanel } from "./session-panel.js";
import { Transcript } from "./transcript.js";
import { Turns } from "./turns.js";
import { WIRE_RATE, base64ToBytes, bytesToBase64, el, samplesToMs } from "./util.js";

const $ = (selector) => document.querySelector(selector);
const DEFAULT_TRANSCRIPTION = { model: "whisper-1" };

const token = new URLSearchParams(location.search).get("token");
const audio = new AudioIO();
const playback = new Playback(audio);
const turns = new Turns($("#state"), $("#latency tbody"));
const log = new EventLog($("#events"), () => turns.since());
const transcript = new Transcript($("#transcript"));
const panel = new SessionPanel($("#session-form"));

let connection = null;
let session = null;
let responding = false; // a response is in progress
let audioFailed = false;
const sentUpdates = new Set(); // event_ids of our session.update events

function showError(message, code = null) {
  const bar = $("#error");
  bar.replaceChildren(code ? el("code", {}, code) : "", code ? " " : "", message);
  bar.hidden = false;
  transcript.error(message, code);
}

function send(event) {
  return connection ? connection.send(event) : null;
}

async function connect() {
  if (connection) connection.close();
  playback.reset();
  session = null;
  responding = false;
  turns.set("connecting");
  $("#connect").textContent = "Disconnect";
  let info;
  try {
    info = await connectionInfo(token);
  } catch (error) {
    turns.set("error");
    $("#connect").textContent = "Connect";
    showError(error.message, error.code);
    return;
  }
  const models = $("#model");
  if (!models.options.length) {
    for (const name of info.models) models.append(el("option", { value: name }, name));
    models.value = info.model;
  }
  const opened = new Connection({
    open: () => log.add("local", { type: "console.connected", note: models.value }),
    event: receive,
    sent: (event) => log.add("out", event),
    close: (code, reason) => {
      if (connection !== opened) return;
      connection = null;
      playback.reset();
      $("#connect").textContent = "Connect";
      log.add("local", { type: "console.closed", code, reason, note: `${code} ${reason}` });
      if (code === 1000) {
        turns.set("closed");
      } else {
        turns.set("error");
        showError(
          `The connection closed (${code}${reason ? `: ${reason}` : ""}).`,
          reason || `close_${code}`,
        );
      }
    },
  });
  connection = opened;
  opened.open(models.value, info.client_secret && info.client_secret.value);
}

function disconnect() {
  const closing = connection;
  connection = null;
  playback.reset();
  if (closing) closing.close();
  turns.set("closed");
  $("#connect").textContent = "Connect";
}

async function bargeIn() {
  const cut = await playback.interrupt();
  if (!cut) return;
  const { played_ms, received_ms, stop_delay_ms, ...truncate } = cut;
  log.add("local", {
    type: "console.playback.stopped",
    item_id: cut.item_id,
    audio_end_ms: cut.audio_end_ms,
    played_ms,
    received_ms,
    stop_delay_ms,
    note: `${played_ms.toFixed(1)} ms of ${received_ms.toFixed(1)} ms heard`,
  });
  send({ type: "conversation.item.truncate", ...truncate });
}

function settle() {
  if (!connection) return;
  if (playback.playing) turns.set("speaking");
  else if (responding) turns.set("thinking");
  else turns.set("listening");
}

function receive(event) {
  if (event.type === "input_audio_buffer.speech_started") turns.begin("voice");
  log.add("in", event);
  switch (event.type) {
    case "session.created": {
      session = event.session;
      panel.show(session, "session.created");
      const input = (session.audio && session.audio.input) || {};
      if (session.type === "realtime" && !input.transcription) {
        // The page shows the user's words: input transcription is on unless turned off.
        const update = send({
          type: "session.update",
          session: { type: "realtime", audio: { input: { transcription: DEFAULT_TRANSCRIPTION } } },
        });
        if (update) sentUpdates.add(update.event_id);
      }
      turns.set("listening");
      break;
    }
    case "session.updated":
      session = event.session;
      panel.show(session, "session.updated");
      panel.showError("");
      break;
    case "input_audio_buffer.speech_started":
      turns.set("listening");
      bargeIn();
      break;
    case "input_audio_buffer.speech_stopped":
      turns.speechEnded();
      turns.set("thinking");
      break;
    case "conversation.item.added":
    case "conversation.item.created": {
      const item = event.item;
      if (item.type === "message" && item.role === "user") {
        const part = (item.content || [])[0] || {};
        if (part.type === "input_text") transcript.write(item.id, "user", part.text);
        else if (part.type === "input_audio") transcript.heard(item.id);
      }
      break;
    }
    case "conversation.item.input_audio_transcription.delta":
      transcript.write(event.item_id, "user", event.delta, {
        streaming: !$(`[data-item-id="${event.item_id}"].pending`),
      });
      break;
    case "conversation.item.input_audio_transcription.completed":
      transcript.write(event.item_id, "user", event.transcript);
      turns.transcribed();
      break;
    case "conversation.item.input_audio_transcription.failed":
      transcript.write(event.item_id, "user", "(not transcribed)");
      showError(event.error.message, event.error.code);
      break;
    case "response.created":
      responding = true;
      settle();
      break;
    case "response.output_item.added":
      if (event.item.type === "message") transcript.write(event.item.id, "assistant", "", { pending: true });
      break;
    case "response.output_audio.delta":
      playback.push(event.item_id, event.content_index, base64ToBytes(event.delta));
      turns.replied();
      transcript.audio(
        event.item_id,
        samplesToMs(playback.item(event.item_id).played),
        samplesToMs(playback.item(event.item_id).received),
      );
      break;
    case "response.output_audio.done":
      playback.done(event.item_id);
      break;
    case "response.output_audio_transcript.delta":
    case "response.output_text.delta":
      transcript.write(event.item_id, "assistant", event.delta, { streaming: true });
      if (event.type === "response.output_text.delta") {
        turns.replied();
        turns.set("speaking");
      }
      break;
    case "response.output_item.done":
      if (event.item.type === "function_call")
        transcript.toolCall(event.item.id, event.item.name, event.item.arguments);
      if (event.item.type === "message") playback.done(event.item.id);
      break;
    case "response.done": {
      responding = false;
      const details = event.response.status_details;
      if (event.response.status === "failed" && details && details.error)
        showError(details.error.message, details.error.code || details.error.type);
      settle();
      break;
    }
    case "conversation.item.truncated": {
      const received = playback.items.has(event.item_id)
        ? samplesToMs(playback.item(event.item_id).received)
        : event.audio_end_ms;
      transcript.truncated(event.item_id, event.audio_end_ms, received);
      send({ type: "conversation.item.retrieve", item_id: event.item_id });
      break;
    }
    case "conversation.item.retrieved": {
      const part = (event.item.content || []).find((each) => typeof each.transcript === "string");
      if (event.item.role === "assistant" && part)
        transcript.write(event.item.id, "assistant", part.transcript);
      break;
    }
    case "error": {
      const { message, code, type, event_id } = event.error;
      showError(message, code || type);
      if (event_id && sentUpdates.has(event_id)) panel.showError(`${code || type}: ${message}`);
      break;
    }
    default:
      break;
  }
}

playback.on("change", settle);
playback.on("position", (item) =>
  transcript.audio(item.id, samplesToMs(item.played), samplesToMs(item.received)),
);

// Starts audio (on a click or a key: browsers allow it then); says once why it cannot.
async function startAudio() {
  try {
    await audio.start();
    return true;
  } catch (error) {
    if (!audioFailed) showError(`No audio: ${error.message}.`, error.name);
    audioFailed = true;
    return false;
  }
}

async function sendText(text) {
  await startAudio();
  await bargeIn();
  if (responding) send({ type: "response.cancel" });
  turns.begin("text");
  send({
    type: "conversation.item.create",
    item: { type: "message", role: "user", content: [{ type: "input_text", text }] },
  });
  send({ type: "response.create" });
  turns.set("thinking");
}

async function toggleMicrophone() {
  const button = $("#mic");
  if (audio.microphone) {
    audio.stopMicrophone();
    button.setAttribute("aria-pressed", "false");
    $("#level").value = 0;
    if (session && !session.audio.input.turn_detection && connection) {
      // Without turn detection the button is push-to-talk: releasing it ends the turn.
      turns.speechEnded();
      send({ type: "input_audio_buffer.commit" });
      send({ type: "response.create" });
    }
    return;
  }
  if (session && !session.audio.input.turn_detection) {
    // Push to talk: pressing it is the user taking the turn.
    await bargeIn();
    if (responding) send({ type: "response.cancel" });
  }
  try {
    await audio.startMicrophone(
      (pcm, level) => {
        $("#level").value = Math.min(1, level * 4);
        send({ type: "input_audio_buffer.append", audio: bytesToBase64(new Uint8Array(pcm)) });
      },
      { echoCancellation: $("#echo").checked },
    );
    button.setAttribute("aria-pressed", "true");
    log.add("local", {
      type: "console.microphone",
      note: `${audio.sampleRate} Hz, resampled to ${WIRE_RATE} Hz`,
    });
  } catch (error) {
    showError(`The microphone could not start: ${error.message}`, error.name);
  }
}

$("#connect").addEventListener("click", () => (connection ? disconnect() : connect()));
$("#model").addEventListener("change", () => connect());
$("#mic").addEventListener("click", toggleMicrophone);
$("#composer").addEventListener("submit", (submit) => {
  submit.preventDefault();
  const input = $("#text");
  const text = input.value.trim();
  if (!text || !connection) return;
  input.value = "";
  sendText(text);
});
$("#session-form").addEventListener("submit", (submit) => {
  submit.preventDefault();
  let update;
  try {
    update = panel.read();
  } catch (error) {
    panel.showError(error.message);
    return;
  }
  panel.showError("");
  const sent = send({ type: "session.update", session: update });
  if (sent) sentUpdates.add(sent.event_id);
  else panel.showError("Not connected.");
});
$("#error").addEventListener("click", () => {
  $("#error").hidden = true;
});
document.addEventListener("click", startAudio, { once: true });

connect();
