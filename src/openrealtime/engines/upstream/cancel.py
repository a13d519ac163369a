"""Stopping an upstream stream the moment a response or transcription is cancelled."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable
from typing import Any, TypeVar

from ..base import CancelSignal

__all__ = ["unless_cancelled", "until_cancelled"]

Item = TypeVar("Item")


async def until_cancelled(items: AsyncIterator[Item], cancel: CancelSignal) -> AsyncIterator[Item]:
    """Yield from ``items`` until ``cancel`` is set.

    The signal also ends a wait for the next item: an upstream that has gone quiet is
    not waited on once nobody wants its answer. The caller closes the stream (``async
    with``), which closes the HTTP connection, so the upstream stops generating too.
    """
    waiter = asyncio.ensure_future(cancel.wait())
    step: asyncio.Future[Item] | None = None
    try:
        while not cancel.cancelled:
            step = asyncio.ensure_future(_next(items))
            await asyncio.wait((step, waiter), return_when=asyncio.FIRST_COMPLETED)
            if not step.done():
                return
            try:
                item = step.result()
            except StopAsyncIteration:
                return
            step = None
            yield item
    finally:
        _abandon(step, waiter)


async def unless_cancelled(work: Awaitable[Item], cancel: CancelSignal) -> Item | None:
    """The result of ``work``, or ``None`` once ``cancel`` is set first (``work`` is cancelled)."""
    waiter = asyncio.ensure_future(cancel.wait())
    task = asyncio.ensure_future(work)
    try:
        await asyncio.wait((task, waiter), return_when=asyncio.FIRST_COMPLETED)
        return task.result() if task.done() else None
    finally:
        _abandon(task, waiter)


async def _next(items: AsyncIterator[Item]) -> Item:
    return await anext(items)


def _abandon(*tasks: asyncio.Future[Any] | None) -> None:
    """Cancel what is still running, without awaiting it: awaiting here would swallow a
    cancellation of the caller's own task."""
    for task in tasks:
        if task is not None and not task.done():
            task.cancel()
            task.add_done_callback(_retrieve)


def _retrieve(task: asyncio.Future[Any]) -> None:
    if not task.cancelled():
        task.exception()
