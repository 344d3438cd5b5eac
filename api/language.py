"""The language of a response: French unless ``Accept-Language`` prefers English."""

from __future__ import annotations

from starlette.requests import Request

SUPPORTED = ("fr", "en")


def request_language(request: Request) -> str:
    """ "fr" or "en", for the request's ``Accept-Language``."""
    return negotiate_language(request.headers.get("accept-language"))


def negotiate_language(accept_language: str | None) -> str:
    best, best_quality = "fr", 0.0
    for part in (accept_language or "").split(","):
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        if primary not in SUPPORTED:
            continue
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > best_quality:
            best, best_quality = primary, quality
    return best
