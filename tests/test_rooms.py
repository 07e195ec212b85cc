"""Each concern in a room of its own, and no circle between rooms: a room imports only rooms
below it (README, Layout). Read from the source, so an import inside a function or under
TYPE_CHECKING counts as much as one at the top.

A test rather than import-linter contracts: those would state the layers and the forbidden
libraries as well, but not that every top-level package has its place in the order, which would
still need a test here; one place says all of it, with no tool to install."""

from __future__ import annotations

import ast
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Lowest first. Rooms on one rung do not import each other.
ORDER: tuple[tuple[str, ...], ...] = (
    ("domain",), ("workflows",), ("store",), ("activities",), ("audit",), ("app",),
    ("cli", "web"), ("devstack",), ("workers",),
)
RANK = {room: rank for rank, rung in enumerate(ORDER) for room in rung}
DOORS = {"cli", "web"}
# A door reaches the use cases only, and the domain's types where it cannot do without them.
DOORS_MAY_IMPORT = {"app", "domain"}
# The local development stack starts servers and keeps files; what runs on it is composed in
# workers/, the one room above it. Its Temporal server registers the workflows' search attributes.
DEVSTACK_MAY_IMPORT = {"workflows"}
# Libraries that do I/O, or orchestrate it, and the rooms that must not reach for them.
FORBIDDEN_LIBRARIES = {
    "domain": {"temporalio", "asyncpg", "httpx", "structlog"},
    "cli": {"temporalio", "asyncpg"},
    "web": {"temporalio", "asyncpg"},
}


def modules() -> Iterator[tuple[str, Path]]:
    for room in RANK:
        for path in sorted((ROOT / room).rglob("*.py")):
            yield room, path


def imported(path: Path) -> Iterator[tuple[int, str]]:
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: from inside the same package, or a parent of it
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                yield node.lineno, f"{base}.{node.module}" if node.module else base
            elif node.module:
                yield node.lineno, node.module


def test_a_room_imports_only_rooms_below_it() -> None:
    wrong = []
    for room, path in modules():
        for line, name in imported(path):
            top = name.split(".")[0]
            where = f"{path.relative_to(ROOT)}:{line} imports {name}"
            if top in RANK and top != room:
                if RANK[top] >= RANK[room]:
                    wrong.append(f"{where} (a room above or beside {room}/)")
                elif room in DOORS and top not in DOORS_MAY_IMPORT:
                    wrong.append(f"{where} (a door imports only app/ and domain/)")
                elif room == "devstack" and top not in DEVSTACK_MAY_IMPORT:
                    wrong.append(f"{where} (devstack/ imports only workflows/)")
            if top in FORBIDDEN_LIBRARIES.get(room, ()):
                wrong.append(f"{where} ({room}/ does not use {top})")
    assert not wrong, "\n".join(wrong)


def test_every_room_is_placed() -> None:
    """A new top-level package must take its place in ORDER (bench/ and tests/ stand beside)."""
    beside = {"bench", "tests", "deploy", "examples"}
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")}
    assert packages - beside <= set(RANK), packages - beside - set(RANK)


def readme_layout() -> str:
    readme = (ROOT / "README.md").read_text()
    return readme.split("\n## Layout\n", 1)[1].split("\n## ", 1)[0]


def test_the_readme_draws_the_rooms_in_their_order() -> None:
    drawing = readme_layout().split("```")[1]
    # Each rung's line starts with its rooms' names, then says what they hold.
    rungs = [tuple(re.findall(r"(\w+)/", rooms[0])) for line in drawing.splitlines()
             if (rooms := re.match(r"(?: +\w+/)+", line))]

    assert rungs == list(reversed(ORDER))


def test_the_readme_layout_names_every_folder() -> None:
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.split()
    folders = {name.split("/", 1)[0] for name in tracked if "/" in name}
    described = {row.split("|")[1] for row in readme_layout().splitlines() if row.startswith("| `")}

    assert set(re.findall(r"`([^`/]+)/`", "".join(described))) == folders
