"""The last value wins: a widget skips drawing a value that a newer one already replaces.

A slider dragged in the page sends a value on every pointer move (60 a second). When the
kernel cannot draw them all as fast, the values wait in its message queue, and every one of
them used to be drawn and sent in turn: the picture of the value the student stopped at
came last, after all the others. :class:`LatestOnly` wraps a widget's drawing: when more
messages from the page are already waiting for the kernel, it draws nothing now and tries
again once they are handled, so only the newest state is drawn. Outside a running kernel
(tests, scripts) or with a kernel it cannot look into, it draws at once, every time.
"""

from __future__ import annotations

import asyncio

_RETRY_S = 0.002  # look at the queue again after this long
_MAX_WAIT_S = 0.25  # draw anyway after this long: a steady stream never starves the picture


def _main_socket():
    """The socket the kernel's main thread reads page messages from, or None."""
    try:
        from ipykernel.kernelbase import Kernel

        if not Kernel.initialized():
            return None
        kernel = Kernel.instance()
        thread = getattr(kernel, "shell_channel_thread", None)
        if thread:  # ipykernel 7: a thread forwards shell messages to the main thread
            return thread.manager._shell_channel_to_main.to_socket
        stream = getattr(kernel, "shell_stream", None)
        return stream.socket if stream is not None else None
    except Exception:  # another kernel, another version: no look inside
        return None


def newer_messages_waiting() -> bool:
    """True when messages from the page wait for the kernel's main thread."""
    socket = _main_socket()
    if socket is None:
        return False
    try:
        import zmq

        return bool(socket.get(zmq.EVENTS) & zmq.POLLIN)
    except Exception:
        return False


class LatestOnly:
    """Call ``draw()`` for the newest state only: now, or when waiting messages are handled.

    Examples
    --------
    >>> drawn = []
    >>> redraw = LatestOnly(lambda: drawn.append(len(drawn)))
    >>> redraw(); redraw()  # no kernel here: each call draws at once
    >>> drawn
    [0, 1]
    """

    def __init__(self, draw):
        self._draw = draw
        self._due = False  # a draw was skipped and not yet made up for
        self._since = 0.0

    def __call__(self) -> None:
        if not newer_messages_waiting():
            self._due = False
            self._draw()
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self._due = False
            self._draw()
            return
        if not self._due:
            self._due, self._since = True, loop.time()
            loop.call_later(_RETRY_S, self._retry, loop)

    def _retry(self, loop) -> None:
        if not self._due:  # a newer call has drawn already
            return
        if newer_messages_waiting() and loop.time() - self._since < _MAX_WAIT_S:
            loop.call_later(_RETRY_S, self._retry, loop)
            return
        self._due = False
        self._draw()
