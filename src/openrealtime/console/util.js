// Small helpers: DOM building, base64 audio, display of events.

export const WIRE_RATE = 24000;

// el("div", {class: "x", dataset: {id: 1}}, "text", child) builds an element.
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "dataset") Object.assign(node.dataset, value);
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (value !== false && value !== null && value !== undefined)
      node.setAttribute(name, value === true ? "" : value);
  }
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
}

export function bytesToBase64(bytes) {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(text);
}

export function base64ToBytes(text) {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

// PCM16 little-endian bytes to float samples in [-1, 1).
export function pcm16ToFloat(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const samples = new Float32Array(bytes.byteLength >> 1);
  for (let i = 0; i < samples.length; i++) samples[i] = view.getInt16(2 * i, true) / 0x8000;
  return samples;
}

const AUDIO_FIELDS = new Set(["audio", "delta"]);
const AUDIO_EVENTS = new Set(["input_audio_buffer.append", "response.output_audio.delta"]);

export function isAudioChunk(type) {
  return AUDIO_EVENTS.has(type);
}

// An event as shown in the log: base64 audio replaced by its length.
export function forDisplay(event) {
  return JSON.stringify(
    event,
    (key, value) => {
      const audio =
        AUDIO_FIELDS.has(key) && typeof value === "string" && (key === "audio" || isAudioChunk(event.type));
      return audio && value.length > 64 ? `<${value.length} base64 chars>` : value;
    },
    2,
  );
}

export function samplesToMs(samples) {
  return Math.floor((samples * 1000) / WIRE_RATE);
}
