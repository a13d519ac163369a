"""A spoken turn, then the user talks over the reply: the client cuts it where playback was.

Speech here is the scripted engine's tone code (``speak``), which its transcriber decodes,
so the whole turn runs offline. A real app reports what its speaker has played with
``rt.playback.played(item_id, ms)`` (``openrealtime.client.devices.Speaker`` does it).
"""

import asyncio

from openrealtime.client import RealtimeClient
from openrealtime.engines.scripted import speak
from openrealtime.server import ModelRegistry, ServerConfig, running


def utterance(text: str) -> bytes:
    speech, _words = speak(text)
    return bytes(4800) + speech + bytes(24000)  # 100 ms quiet, speech, 500 ms quiet


async def main() -> None:
    config = ServerConfig(models=ModelRegistry.default(options={"pace": 0}))
    async with (
        running(config) as url,
        RealtimeClient.connect(str(url), model="gpt-realtime") as rt,
    ):
        await rt.update_session(audio={"input": {"transcription": {"model": "whisper-1"}}})
        reply = rt.events("response.done")
        await rt.send_audio(utterance("tell me a story"), realtime=False)
        await anext(reply)
        item = rt.conversation.items[-1]
        print("user said:", rt.conversation.items[0].transcript)
        print(f"assistant: {item.transcript!r}, {len(item.audio) / 48:.0f} ms of audio")

        rt.playback.played(item.id, 840)  # the listener has heard 840 ms of it
        cut = rt.events("conversation.item.truncated")
        fetched = rt.events("conversation.item.retrieved")
        await rt.send_audio(utterance("stop"), realtime=False)
        truncated = await anext(cut)
        await anext(fetched)  # the client asks the server for the item's new transcript
        print(f"cut at {truncated.audio_end_ms} ms; the assistant said: {item.transcript!r}")
    assert truncated.audio_end_ms == 840
    assert len(item.audio) == 840 * 48
    assert item.transcript == "You said: tell"


if __name__ == "__main__":
    asyncio.run(main())
