"""Microphone and speaker through ``sounddevice`` (``pip install 'openrealtime[voice]'``).

:class:`Microphone` yields PCM16 blocks as they are recorded; pass it to
:meth:`~openrealtime.client.RealtimeClient.send_audio`. :class:`Speaker` plays the
assistant's audio as it arrives and reports what has been heard to
:attr:`~openrealtime.client.RealtimeClient.playback`: the samples handed to the device,
less the device's output latency. When the user interrupts, it drops what is queued.
The queueing and position accounting (:class:`PlaybackBuffer`) needs no device.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

from ..extras import import_extra
from .conversation import AudioChunk
from .playback import Truncation

if TYPE_CHECKING:
    from .client import RealtimeClient

__all__ = ["Microphone", "PlaybackBuffer", "Played", "Speaker"]

_WIDTH = 2


def _sounddevice(what: str) -> Any:
    return import_extra("sounddevice", "voice", what)


class Microphone:
    """Live PCM16 mono from an input device, in blocks of ``block_ms``.

    ``async for block in Microphone():`` records until the loop stops.
    """

    def __init__(
        self, *, sample_rate: int = 24000, block_ms: float = 20.0, device: int | str | None = None
    ) -> None:
        self.sample_rate = sample_rate
        self.block_ms = block_ms
        self.device = device

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._blocks()

    async def _blocks(self) -> AsyncIterator[bytes]:
        sounddevice = _sounddevice("the microphone")
        loop = asyncio.get_running_loop()
        blocks: asyncio.Queue[bytes] = asyncio.Queue()

        def recorded(data: Any, _frames: int, _time: Any, _status: Any) -> None:
            loop.call_soon_threadsafe(blocks.put_nowait, bytes(data))

        stream = sounddevice.RawInputStream(
            samplerate=self.sample_rate,
            channels=1,
            dtype="int16",
            blocksize=round(self.sample_rate * self.block_ms / 1000),
            device=self.device,
            callback=recorded,
        )
        with stream:
            while True:
                yield await blocks.get()


@dataclass(frozen=True)
class Played:
    """How far an item has been handed to the device: ``ms`` from its start."""

    item_id: str
    ms: float


class PlaybackBuffer:
    """Audio waiting for the device, and how much of each item the listener has heard.

    The device takes audio in blocks; what it takes reaches the listener ``latency_ms``
    later. So the heard position of an item is what the device has taken of it, less
    the part still on its way: while the item streams, ``latency_ms`` behind; once it
    is all taken, catching up block by block until the end. :meth:`fill` is called from
    the device's thread, :meth:`push` and :meth:`clear` from the client's.
    """

    def __init__(self, sample_rate: int) -> None:
        self.sample_rate = sample_rate
        self._queue: deque[tuple[str, bytes]] = deque()
        self._taken: dict[str, int] = {}
        self._ends: dict[str, float] = {}
        self._clock_ms = 0.0
        self._lock = threading.Lock()

    def _ms(self, num_bytes: int) -> float:
        return num_bytes / _WIDTH * 1000 / self.sample_rate

    def push(self, item_id: str, pcm: bytes) -> None:
        """Queue PCM16 of an item."""
        with self._lock:
            self._queue.append((item_id, pcm))

    def clear(self) -> None:
        """Drop everything queued and stop reporting (the user interrupted)."""
        with self._lock:
            self._queue.clear()
            self._ends.clear()

    def fill(self, out: memoryview | bytearray, latency_ms: float) -> list[Played]:
        """Fill ``out`` with queued audio, silence after it; the heard positions."""
        with self._lock:
            start, written = self._clock_ms, 0
            while written < len(out) and self._queue:
                item_id, pcm = self._queue[0]
                take = min(len(pcm), len(out) - written)
                out[written : written + take] = pcm[:take]
                written += take
                if take == len(pcm):
                    self._queue.popleft()
                else:
                    self._queue[0] = (item_id, pcm[take:])
                self._taken[item_id] = self._taken.get(item_id, 0) + take
                self._ends[item_id] = start + self._ms(written)
            out[written:] = bytes(len(out) - written)
            self._clock_ms = start + self._ms(len(out))
            heard = []
            for item_id, end in list(self._ends.items()):
                on_the_way = max(0.0, end + latency_ms - self._clock_ms)
                heard.append(Played(item_id, max(0.0, self._ms(self._taken[item_id]) - on_the_way)))
                if on_the_way == 0:
                    del self._ends[item_id]
            return heard


class Speaker:
    """Plays a client's output audio and reports the heard position to its playback tracker.

    ``async with Speaker(rt):`` plays until the block ends.
    """

    def __init__(
        self, client: RealtimeClient, *, block_ms: float = 20.0, device: int | str | None = None
    ) -> None:
        self._client = client
        self._block_ms = block_ms
        self._device = device
        self._buffer = PlaybackBuffer(client.conversation.output_format.sample_rate)
        self._stream: Any = None
        self._unsubscribe: list[Callable[[], None]] = []

    async def __aenter__(self) -> Self:
        sounddevice = _sounddevice("the speaker")
        loop = asyncio.get_running_loop()
        rate = self._buffer.sample_rate
        playback = self._client.playback

        def report(heard: list[Played]) -> None:
            for played in heard:
                playback.played(played.item_id, played.ms)

        def play(out: Any, _frames: int, _time: Any, _status: Any) -> None:
            latency_ms = float(self._stream.latency) * 1000 if self._stream is not None else 0.0
            heard = self._buffer.fill(memoryview(out).cast("B"), latency_ms)
            if heard:
                loop.call_soon_threadsafe(report, heard)

        self._stream = sounddevice.RawOutputStream(
            samplerate=rate,
            channels=1,
            dtype="int16",
            blocksize=round(rate * self._block_ms / 1000),
            device=self._device,
            callback=play,
        )
        self._unsubscribe = [
            self._client.conversation.on_audio(self._queue_chunk),
            playback.on_interrupt(self._interrupted),
        ]
        self._stream.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        if self._stream is not None:
            self._stream.stop()
            self._stream.close()

    def _queue_chunk(self, chunk: AudioChunk) -> None:
        self._buffer.push(chunk.item_id, chunk.pcm)

    def _interrupted(self, _cut: Truncation) -> None:
        self._buffer.clear()
