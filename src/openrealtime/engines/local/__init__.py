"""The embedded offline engines: every model ships in a pip package, nothing downloads.

- :class:`.silero_vad.SileroVad`: Silero v6 voice activity (onnxruntime), off the event loop.
- :class:`.whisper.WhisperTranscriber`: faster-whisper, Whisper tiny.en by default.
- :class:`.llama.LlamaResponder`: a GGUF chat model in-process with llama.cpp
  (xllamacpp), SmolLM2-135M-Instruct by default.
- :class:`.piper.PiperSynthesizer`: Piper text to speech, the en_US joe voice by default.
- :class:`.turn_scorer.LlamaTurnScorer`: end-of-turn probability for ``semantic_vad``.

The ``local`` engine kind (:mod:`openrealtime.engines.local_kind`) builds them from
registry options. This package imports nothing itself, so that
:func:`.threads.limit_math_threads` can run before numpy loads; the engine modules
need numpy (the ``server`` extra) and import their own packages (the ``local`` extra)
when they start.
"""
