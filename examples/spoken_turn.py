"""A spoken turn, offline: scripted speech in, server VAD, transcription, spoken reply.

The scripted engine's speech is a tone code its transcriber decodes exactly, so a voice
turn runs end to end with no model weights and no network.
"""

import asyncio
import base64

from openai import AsyncOpenAI

from openrealtime.engines.scripted import decode, speak
from openrealtime.server import ModelRegistry, ServerConfig, running

CHUNK = 960  # 20 ms of PCM16 at 24 kHz


async def main() -> None:
    config = ServerConfig(models=ModelRegistry.default(options={"pace": 0}))
    async with running(config) as url:
        client = AsyncOpenAI(api_key="local", base_url=url.http, websocket_base_url=str(url))
        async with client.realtime.connect(model="gpt-realtime") as conn:
            await conn.session.update(
                session={
                    "type": "realtime",
                    "audio": {"input": {"transcription": {"model": "whisper-1"}}},
                }
            )
            speech, _words = speak("what time is it")
            audio = bytes(4800) + speech + bytes(24000)  # silence, speech, then 500 ms quiet
            for start in range(0, len(audio), CHUNK):
                chunk = base64.b64encode(audio[start : start + CHUNK]).decode()
                await conn.input_audio_buffer.append(audio=chunk)
            heard, reply, transcript = "", bytearray(), ""
            async for event in conn:
                if event.type == "conversation.item.input_audio_transcription.completed":
                    heard = event.transcript
                elif event.type == "response.output_audio.delta":
                    reply += base64.b64decode(event.delta)
                elif event.type == "response.output_audio_transcript.done":
                    transcript = event.transcript
                elif event.type == "response.done":
                    break
    print("heard:", heard)
    print("replied:", transcript, f"({len(reply) / 48:.0f} ms of audio)")
    print("the reply audio decodes to:", decode(bytes(reply), 24000))
    assert heard == "what time is it"
    assert transcript == "You said: what time is it"


if __name__ == "__main__":
    asyncio.run(main())
