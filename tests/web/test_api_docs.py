"""The API explorer at /api/docs, without a server: its page names no other host, and every file
it makes the browser fetch is served by Baton itself, from the installed package, with its type."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

import fastapi_offline
import httpx
import pytest

from web.app import create_app
from web.config import WebConfig
from web.services import WebServices

HOST = "baton.example"
# Where the package keeps Swagger UI's files: what the page loads must be these, byte for byte.
PACKAGED = Path(fastapi_offline.__file__).parent / "static"
ABSOLUTE_URL = re.compile(r"""\b(?:https?:)?//[^\s'"<>)]+""")
# What each kind of file must be sent as: browsers refuse a script or stylesheet of another
# type when the response says nosniff, and show nothing for an icon that is not an image.
CONTENT_TYPES = {"script": ("text/javascript", "application/javascript"),
                 "stylesheet": ("text/css",), "icon": ("image/",), "img": ("image/",)}


class FetchedFiles(HTMLParser):
    """What a browser fetches on its own while loading the page: (kind, url) of each script,
    stylesheet, icon and image."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag in ("script", "img") and named.get("src"):
            self.found.append((tag, named["src"] or ""))
        elif tag == "link" and named.get("href"):
            rel = (named.get("rel") or "").split()
            self.found.append(("icon" if "icon" in rel else " ".join(rel), named["href"] or ""))


def fetched_files(html: str) -> list[tuple[str, str]]:
    parser = FetchedFiles()
    parser.feed(html)
    parser.close()
    return parser.found


def _never_opened() -> AbstractAsyncContextManager[WebServices]:
    raise AssertionError("the docs need no use case: nothing here runs the app's lifespan")


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(WebConfig(session_secret="s" * 32), _never_opened)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url=f"http://{HOST}") as client:
        yield client


async def docs_page(http: httpx.AsyncClient) -> str:
    answer = await http.get("/api/docs")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    return answer.text


async def test_the_docs_page_names_no_other_host(http: httpx.AsyncClient) -> None:
    html = await docs_page(http)
    files = fetched_files(html)
    assert {kind for kind, _ in files} == {"script", "stylesheet", "icon"}
    for kind, url in files:
        parts = urlsplit(url)
        assert (parts.scheme, parts.netloc) == ("", ""), f"{kind} from elsewhere: {url}"
        assert url.startswith("/api/docs/"), url
    # Nor does its inline script, which starts Swagger UI, name any other address.
    assert [url for url in ABSOLUTE_URL.findall(html)
            if urlsplit(url).hostname != HOST] == []


async def test_every_file_the_docs_page_names_is_served_with_its_type(
        http: httpx.AsyncClient) -> None:
    for kind, url in fetched_files(await docs_page(http)):
        answer = await http.get(url)
        assert answer.status_code == 200, url
        assert answer.headers["content-type"].startswith(CONTENT_TYPES[kind]), (
            url, answer.headers["content-type"])
        assert answer.content == (PACKAGED / PurePosixPath(url).name).read_bytes(), url


async def test_the_docs_page_loads_the_openapi_document_beside_it(
        http: httpx.AsyncClient) -> None:
    started = re.search(r"SwaggerUIBundle\(\{\s*url: '([^']+)'", await docs_page(http))
    assert started is not None and started[1] == "/api/openapi.json"
    answer = await http.get(started[1])
    assert answer.status_code == 200
    assert "/api/v1/me" in answer.json()["paths"]
