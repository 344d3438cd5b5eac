"""The interactive docs work without internet access: headless Chromium loads ``/docs`` from the
live server, with every host but the server unresolvable, and Swagger UI lists the operations."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.support.live_server import LiveServer

CHROMIUM = "/usr/bin/chromium"
EXPECTED_OPERATIONS = ("/api/v1/users", "/api/v1/auth/token")
# Namespace names, never fetched.
XML_NAMESPACES = ("http://www.w3.org/",)
URL = re.compile(r"""https?://[^\s"'<>()`]+""", re.IGNORECASE)


def chromium() -> str:
    path = shutil.which("chromium") or (CHROMIUM if Path(CHROMIUM).exists() else None)
    if path is None:
        pytest.fail(
            "Chromium is missing: `make chromium` (or `apt-get install -y chromium`) installs "
            "Debian's package, which this test drives headless"
        )
    return path


def dump_dom(url: str, profile: Path) -> str:
    """The DOM once the page has settled, as Chromium renders it."""
    command = [
        chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--disable-default-apps",
        # No internet: any host but the loopback fails to resolve, so a CDN asset could not load.
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        "--proxy-server=direct://",
        f"--user-data-dir={profile}",
        "--virtual-time-budget=10000",
        "--dump-dom",
        url,
    ]
    try:
        completed = subprocess.run(command, capture_output=True, text=True, timeout=90, check=False)
    except subprocess.TimeoutExpired as error:
        pytest.fail(f"Chromium did not render {url} within 90 s: {error}")
    assert completed.returncode == 0, f"Chromium failed ({completed.returncode}): {completed.stderr[-2000:]}"
    return completed.stdout


def foreign_urls(html: str, own: str) -> list[str]:
    return sorted(
        {url for url in URL.findall(html) if not url.startswith((own, *XML_NAMESPACES))},
    )


def test_docs_page_lists_the_operations_without_internet(server: LiveServer, tmp_path: Path) -> None:
    served = httpx.get(f"{server.url}/docs", timeout=10)
    assert served.status_code == 200, served.text
    assert served.headers["content-type"].startswith("text/html")
    assert foreign_urls(served.text, server.url) == [], "the docs page references another host"
    assets = re.findall(r"""(?:src|href)=["'](/[^"']+)["']""", served.text)
    assert any(a.endswith(".js") for a in assets), f"no script served by the app in {assets}"
    for asset in assets:
        response = httpx.get(f"{server.url}{asset}", timeout=10)
        assert response.status_code == 200, f"{asset} answers {response.status_code}"

    dom = dump_dom(f"{server.url}/docs", tmp_path / "chromium-profile")

    blocks = re.findall(r'class="opblock opblock-[a-z]+[^"]*"', dom)
    paths = set(re.findall(r'class="opblock-summary-path"[^>]*data-path="([^"]+)"', dom))
    assert blocks, f"Swagger UI rendered no operation: the page is\n{dom[:3000]}"
    for operation in EXPECTED_OPERATIONS:
        assert operation in paths, f"{operation} is not listed on /docs; listed: {sorted(paths)}"
    resources = re.findall(r"""<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)=["']([^"']+)["']""", dom)
    external = [r for r in resources if URL.match(r) and not r.startswith(server.url)]
    assert external == [], f"the rendered page loads resources from other hosts: {external}"
