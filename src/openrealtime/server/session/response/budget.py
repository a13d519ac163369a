"""One response's output tokens: what was produced, and what ``max_output_tokens`` allows.

The rule is :mod:`openrealtime.engines.tokens`: text by its tokens, audio at one token
per 50 ms counted over the response's whole audio. Speech counts from the moment the
response accepts it, even while the output encoder still holds its tail. A responder
that reports :class:`~openrealtime.engines.Usage` replaces the text counts (input and
output) in the wire ``usage``; the limit is still enforced on the rule's count, as
output streams.
"""

from __future__ import annotations

from ....engines import Usage
from ....engines.tokens import audio_tokens, count_tokens, split_tokens
from ....protocol import ga

__all__ = ["TokenBudget"]


class TokenBudget:
    """Counts output and refuses what would pass the limit (``None``: no limit)."""

    def __init__(self, limit: int | None) -> None:
        self.limit = limit
        self.text = 0
        self.audio_ms = 0.0
        """Audio sent."""
        self.accepted_ms = 0.0
        """Audio accepted: sent, or still in the encoder."""
        self.exhausted = False
        """Set once something did not fit: the response ends ``incomplete``."""
        self.reported: Usage | None = None
        """The responder's own counts, when it reported them."""

    @property
    def audio(self) -> int:
        """Audio tokens sent."""
        return audio_tokens(self.audio_ms)

    @property
    def total(self) -> int:
        """Output tokens sent."""
        return self.text + self.audio

    def remaining(self) -> int | None:
        """Tokens left, counting accepted speech as spent."""
        if self.limit is None:
            return None
        return self.limit - self.text - audio_tokens(self.accepted_ms)

    def admit(self, cost: int) -> bool:
        """Whether ``cost`` more tokens fit; marks the budget exhausted when not."""
        remaining = self.remaining()
        if remaining is not None and cost > remaining:
            self.exhausted = True
            return False
        return True

    def take_text(self, delta: str) -> list[str]:
        """The token-sized pieces of ``delta`` that fit, counted as sent."""
        kept: list[str] = []
        for piece in split_tokens(delta) or [delta]:
            cost = count_tokens(piece)
            if not self.admit(cost):
                break
            self.text += cost
            kept.append(piece)
        return kept

    def speech_cost(self, pieces: list[str], chunk_ms: float) -> int:
        """What a chunk of speech and its transcript pieces would cost."""
        audio = audio_tokens(self.accepted_ms + chunk_ms) - audio_tokens(self.accepted_ms)
        return sum(count_tokens(piece) for piece in pieces) + audio

    def usage(self, input_text: int, input_audio: int) -> ga.Usage:
        """The wire ``usage``: input as given, output as sent; text as the engine counted it."""
        reported = self.reported
        output_text = self.text if reported is None else reported.output_tokens
        cached = 0 if reported is None else reported.cached_tokens
        if reported is not None:
            input_text = reported.input_tokens
        details_in = ga.InputTokenDetails(
            text_tokens=input_text,
            audio_tokens=input_audio,
            image_tokens=0,
            cached_tokens=cached,
            cached_tokens_details=ga.CachedTokensDetails(
                text_tokens=cached, audio_tokens=0, image_tokens=0
            ),
        )
        details_out = ga.OutputTokenDetails(text_tokens=output_text, audio_tokens=self.audio)
        output = output_text + self.audio
        return ga.Usage(
            total_tokens=input_text + input_audio + output,
            input_tokens=input_text + input_audio,
            output_tokens=output,
            input_token_details=details_in,
            output_token_details=details_out,
        )
