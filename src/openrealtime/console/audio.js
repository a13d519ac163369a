// The AudioContext, the microphone and the player node (see worklets.js).

import { pcm16ToFloat } from "./util.js";

export class AudioIO {
  constructor() {
    this.context = null;
    this.player = null;
    this.microphone = null;
    this.ready = null;
    this.onPlayer = () => {};
  }

  // Creates the context on the first call (from a click: browsers start audio on a gesture).
  start() {
    if (!this.ready) this.ready = this.create();
    return this.ready;
  }

  async create() {
    if (!window.isSecureContext) {
      throw new Error("browsers give audio worklets and microphones only to https pages and localhost");
    }
    const context = new AudioContext({ latencyHint: "interactive" });
    await context.audioWorklet.addModule(new URL("./worklets.js", import.meta.url));
    const player = new AudioWorkletNode(context, "openrealtime-player", {
      numberOfInputs: 0,
      outputChannelCount: [2],
    });
    player.port.onmessage = (message) => this.onPlayer(message.data);
    player.connect(context.destination);
    this.context = context;
    this.player = player;
    if (context.state !== "running") await context.resume();
  }

  get sampleRate() {
    return this.context ? this.context.sampleRate : null;
  }

  play(itemId, pcmBytes) {
    const samples = pcm16ToFloat(pcmBytes);
    const count = samples.length; // the transfer below empties `samples`
    this.player.port.postMessage({ type: "push", item: itemId, samples }, [samples.buffer]);
    return count;
  }

  endItem(itemId) {
    this.player.port.postMessage({ type: "end", item: itemId });
  }

  stop() {
    this.player.port.postMessage({
      type: "stop",
      requested: Math.round(this.context.currentTime * this.context.sampleRate),
    });
  }

  // Starts the microphone; onFrame(pcm16 ArrayBuffer, level) gets 20 ms of 24 kHz audio.
  async startMicrophone(onFrame, { echoCancellation = true } = {}) {
    await this.start();
    const stream = await navigator.mediaDevices.getUserMedia({
      // The voice goes to a server that decides what is speech: no gain games or noise gate.
      audio: { channelCount: 1, echoCancellation, noiseSuppression: false, autoGainControl: false },
    });
    const source = this.context.createMediaStreamSource(stream);
    const capture = new AudioWorkletNode(this.context, "openrealtime-capture", { numberOfOutputs: 0 });
    capture.port.onmessage = (message) => onFrame(message.data.pcm, message.data.level);
    source.connect(capture);
    this.microphone = { stream, source, capture };
  }

  stopMicrophone() {
    if (!this.microphone) return;
    const { stream, source, capture } = this.microphone;
    source.disconnect();
    capture.port.onmessage = null;
    for (const track of stream.getTracks()) track.stop();
    this.microphone = null;
  }
}
