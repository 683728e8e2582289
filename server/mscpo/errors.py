"""Errors that reach a user: each says what went wrong, where, and how to fix it (never a stack trace)."""

from __future__ import annotations


class MscpoError(Exception):
    """An error the command line reports as one clear message and exit code 2."""

    exit_code = 2


class InputError(MscpoError):
    """A file or argument that cannot be read or parsed; ``where`` is ``file:line:column`` when known."""

    def __init__(self, message: str, where: str | None = None, hint: str | None = None) -> None:
        self.where = where
        self.hint = hint
        text = f"{where}: {message}" if where else message
        if hint:
            text = f"{text}\n  how to fix: {hint}"
        super().__init__(text)
