// The session panel: a form over the session's settings. Apply sends session.update; the
// form then shows the session as the server reports it (session.created / session.updated).

export class SessionPanel {
  constructor(form) {
    this.form = form;
    this.fields = form.elements;
    this.status = form.querySelector("#s-status");
    this.error = form.querySelector("#s-error");
    this.fields["s-turn"].addEventListener("change", () => this.showTurnSettings());
    this.fields["s-transcribe"].addEventListener("change", () => this.showTurnSettings());
    this.showTurnSettings();
  }

  showTurnSettings() {
    const turn = this.fields["s-turn"].value;
    this.form.querySelector("#server-vad").hidden = turn !== "server_vad";
    this.form.querySelector("#semantic-vad").hidden = turn !== "semantic_vad";
    this.form.querySelector("#vad-common").hidden = turn === "none";
    this.form.querySelector("#transcription-settings").hidden = !this.fields["s-transcribe"].checked;
  }

  // Fills the form from a session as the server reports it.
  show(session, source) {
    const f = this.fields;
    const input = (session.audio && session.audio.input) || {};
    const output = (session.audio && session.audio.output) || {};
    f["s-instructions"].value = session.instructions ?? "";
    f["s-voice"].value =
      typeof output.voice === "object" && output.voice ? output.voice.id : (output.voice ?? "");
    f["s-modality"].value = (session.output_modalities || ["audio"]).includes("audio") ? "audio" : "text";
    const turn = input.turn_detection;
    f["s-turn"].value = turn ? turn.type : "none";
    if (turn) {
      f["s-create"].checked = turn.create_response ?? true;
      f["s-interrupt"].checked = turn.interrupt_response ?? true;
      if (turn.type === "server_vad") {
        f["s-threshold"].value = turn.threshold ?? 0.5;
        f["s-prefix"].value = turn.prefix_padding_ms ?? 300;
        f["s-silence"].value = turn.silence_duration_ms ?? 200;
      } else {
        f["s-eagerness"].value = turn.eagerness ?? "auto";
      }
    }
    const transcription = input.transcription;
    f["s-transcribe"].checked = Boolean(transcription);
    if (transcription) {
      f["s-transcribe-model"].value = transcription.model ?? "whisper-1";
      f["s-language"].value = transcription.language ?? "";
    }
    f["s-tools"].value = JSON.stringify(session.tools ?? [], null, 2);
    this.showTurnSettings();
    this.status.textContent = `as the server reported it (${source}, ${new Date().toLocaleTimeString()})`;
    this.form.dataset.model = session.model ?? "";
  }

  // The session.update's session; throws an Error whose message says what is wrong.
  read() {
    const f = this.fields;
    let tools;
    try {
      tools = JSON.parse(f["s-tools"].value.trim() || "[]");
    } catch (error) {
      throw new Error(`Tools: not valid JSON (${error.message})`);
    }
    if (!Array.isArray(tools)) throw new Error("Tools: expected a JSON array of tools");
    const turnType = f["s-turn"].value;
    let turn = null;
    if (turnType !== "none") {
      turn = {
        type: turnType,
        create_response: f["s-create"].checked,
        interrupt_response: f["s-interrupt"].checked,
      };
      if (turnType === "server_vad") {
        turn.threshold = Number(f["s-threshold"].value);
        turn.prefix_padding_ms = Math.round(Number(f["s-prefix"].value));
        turn.silence_duration_ms = Math.round(Number(f["s-silence"].value));
      } else {
        turn.eagerness = f["s-eagerness"].value;
      }
    }
    let transcription = null;
    if (f["s-transcribe"].checked) {
      transcription = { model: f["s-transcribe-model"].value };
      const language = f["s-language"].value.trim();
      if (language) transcription.language = language;
    }
    const output = {};
    const voice = f["s-voice"].value.trim();
    if (voice) output.voice = voice;
    return {
      type: "realtime",
      instructions: f["s-instructions"].value,
      output_modalities: [f["s-modality"].value],
      audio: { input: { transcription, turn_detection: turn }, output },
      tools,
    };
  }

  showError(message) {
    this.error.textContent = message;
    this.error.hidden = !message;
  }
}
