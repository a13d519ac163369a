// Audio worklets: the microphone's capture and the reply's playback, on the audio thread.
//
// Both resample between the AudioContext's own rate (44.1 or 48 kHz) and the 24 kHz of
// the Realtime API with a windowed-sinc resampler. The player counts the 24 kHz samples it
// has output per item: that count is the played position the page truncates at.

const WIRE_RATE = 24000;
const FRAME = 480; // 20 ms at 24 kHz: one input_audio_buffer.append
const HALF = 16; // kernel taps on each side of its centre
const PHASES = 256; // fractional offsets tabulated
const PREROLL = 1200; // 50 ms buffered before playback starts (or restarts after a gap)
const REPORT_EVERY = 4; // render quanta between position reports (about 11 ms)

function kernelTable(cutoff) {
  // One row per fractional offset; each row sums to 1, so silence and DC pass unchanged.
  const table = new Float32Array((PHASES + 1) * 2 * HALF);
  for (let phase = 0; phase <= PHASES; phase++) {
    const row = phase * 2 * HALF;
    let sum = 0;
    for (let k = 0; k < 2 * HALF; k++) {
      const x = k - HALF + 1 - phase / PHASES;
      const arg = Math.PI * cutoff * x;
      const sinc = x === 0 ? 1 : Math.sin(arg) / arg;
      const w = (x / HALF + 1) / 2; // Blackman window over [-HALF, HALF]
      const window = 0.42 - 0.5 * Math.cos(2 * Math.PI * w) + 0.08 * Math.cos(4 * Math.PI * w);
      table[row + k] = sinc * window;
      sum += table[row + k];
    }
    for (let k = 0; k < 2 * HALF; k++) table[row + k] /= sum;
  }
  return table;
}

// A streaming resampler. `time` is the input position (in input samples from the start of
// the stream) of the next output sample's centre.
class Resampler {
  constructor(fromRate, toRate) {
    this.step = fromRate / toRate;
    this.table = kernelTable(Math.min(1, toRate / fromRate) * 0.92);
    this.buffer = new Float32Array(8192);
    this.base = 1 - HALF; // input index of buffer[0]; the stream starts after HALF - 1 zeros
    this.length = HALF - 1;
    this.time = 0;
  }

  push(samples) {
    const keep = Math.floor(this.time) - HALF + 1 - this.base;
    if (keep > 0) {
      this.buffer.copyWithin(0, keep, this.length);
      this.base += keep;
      this.length -= keep;
    }
    if (this.length + samples.length > this.buffer.length) {
      const grown = new Float32Array(2 * (this.length + samples.length));
      grown.set(this.buffer.subarray(0, this.length));
      this.buffer = grown;
    }
    this.buffer.set(samples, this.length);
    this.length += samples.length;
  }

  // How many output samples the input pushed so far can make.
  available() {
    const last = this.base + this.length - HALF - 1; // the last centre with a full kernel
    return last < this.time ? 0 : Math.floor((last - this.time) / this.step) + 1;
  }

  // Writes up to `count` output samples into `out` from `offset`; returns how many.
  pull(out, offset, count) {
    const n = Math.min(count, this.available());
    const { buffer, table } = this;
    for (let i = 0; i < n; i++) {
      const whole = Math.floor(this.time);
      const row = Math.round((this.time - whole) * PHASES) * 2 * HALF;
      const start = whole - HALF + 1 - this.base;
      let sum = 0;
      for (let k = 0; k < 2 * HALF; k++) sum += buffer[start + k] * table[row + k];
      out[offset + i] = sum;
      this.time += this.step;
    }
    return n;
  }
}

// Microphone: context-rate float samples in, 20 ms frames of 24 kHz PCM16 out.
class CaptureProcessor extends AudioWorkletProcessor {
  constructor() {
    super();
    this.resampler = new Resampler(sampleRate, WIRE_RATE);
    this.frame = new Float32Array(FRAME);
    this.filled = 0;
  }

  process(inputs) {
    const channel = inputs[0] && inputs[0][0];
    if (!channel) return true;
    this.resampler.push(channel);
    for (;;) {
      this.filled += this.resampler.pull(this.frame, this.filled, FRAME - this.filled);
      if (this.filled < FRAME) return true;
      const pcm = new Int16Array(FRAME);
      let energy = 0;
      for (let i = 0; i < FRAME; i++) {
        const s = Math.max(-1, Math.min(1, this.frame[i]));
        pcm[i] = s < 0 ? s * 0x8000 : s * 0x7fff;
        energy += s * s;
      }
      this.port.postMessage({ pcm: pcm.buffer, level: Math.sqrt(energy / FRAME) }, [pcm.buffer]);
      this.filled = 0;
    }
  }
}

// Playback: a queue of 24 kHz chunks, each tagged with its item. Messages in:
// {type: "push", item, samples}, {type: "end", item} (no more audio for it), {type: "stop"}.
// Messages out: "started", "position" (while playing), "drained" (an ended item played
// to its end) and "stopped" (after a stop: where it stopped), each with the item and its
// played and received sample counts.
class PlayerProcessor extends AudioWorkletProcessor {
  constructor() {
    super();
    this.reset();
    this.port.onmessage = (message) => this.receive(message.data);
  }

  reset() {
    this.resampler = new Resampler(WIRE_RATE, sampleRate);
    this.queue = [];
    this.queued = 0; // samples waiting in the queue
    this.pushed = 0; // samples handed to the resampler, from the start of this stream
    this.items = []; // {id, start, received, ended, started}, in order
    this.playing = false;
    this.quanta = 0;
  }

  receive(data) {
    if (data.type === "push") {
      let item = this.items[this.items.length - 1];
      if (!item || item.id !== data.item) {
        item = { id: data.item, start: null, received: 0, ended: false, started: false, tailed: false };
        this.items.push(item);
      }
      item.received += data.samples.length;
      this.queue.push({ item, samples: data.samples });
      this.queued += data.samples.length;
    } else if (data.type === "end") {
      const item = this.items.find((each) => each.id === data.item);
      if (item) item.ended = true;
    } else if (data.type === "stop") {
      const item = this.current();
      this.port.postMessage({
        type: "stopped",
        item: item ? item.id : null,
        played: item ? this.played(item) : 0,
        received: item ? item.received : 0,
        requested: data.requested,
        frame: currentFrame,
      });
      this.reset();
    }
  }

  // The item whose samples are at the playing position.
  current() {
    const position = Math.floor(this.resampler.time);
    let found = null;
    for (const item of this.items) {
      if (item.start === null || item.start > position) break;
      found = item;
    }
    return found || this.items[0] || null;
  }

  played(item) {
    if (item.start === null) return 0;
    return Math.max(0, Math.min(item.received, Math.floor(this.resampler.time) - item.start));
  }

  feed(needed) {
    while (this.resampler.available() < needed && this.queue.length) {
      const chunk = this.queue.shift();
      if (chunk.item.start === null) chunk.item.start = this.pushed;
      this.resampler.push(chunk.samples);
      this.pushed += chunk.samples.length;
      this.queued -= chunk.samples.length;
    }
    const last = this.items[this.items.length - 1];
    if (this.resampler.available() < needed && !this.queue.length && last && last.ended && !last.tailed) {
      // The end of the audio: silence behind it carries the kernel past its last sample.
      const tail = new Float32Array(2 * HALF);
      this.resampler.push(tail);
      this.pushed += tail.length;
      last.tailed = true;
    }
  }

  report(type, item) {
    this.port.postMessage({ type, item: item.id, played: this.played(item), received: item.received });
  }

  process(_inputs, outputs) {
    const out = outputs[0][0];
    const last = this.items[this.items.length - 1];
    if (!this.playing && last) {
      const ready = this.queued + this.resampler.available() * this.resampler.step >= PREROLL;
      this.playing = ready || last.ended;
    }
    if (this.playing) {
      this.feed(out.length);
      const produced = this.resampler.pull(out, 0, out.length);
      out.fill(0, produced);
      const item = this.current();
      if (item && !item.started && this.played(item) > 0) {
        item.started = true;
        this.report("started", item);
      }
      if (produced < out.length) {
        this.playing = false;
        if (last.ended && last.tailed && !this.queue.length) {
          for (const each of this.items) this.report("drained", each);
          this.reset();
        }
      } else if (item && ++this.quanta % REPORT_EVERY === 0) {
        this.report("position", item);
      }
    } else {
      out.fill(0);
    }
    for (let c = 1; c < outputs[0].length; c++) outputs[0][c].set(out);
    return true;
  }
}

registerProcessor("openrealtime-capture", CaptureProcessor);
registerProcessor("openrealtime-player", PlayerProcessor);
