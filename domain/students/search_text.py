"""Folding names for a search that ignores case and accents."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Lower case, no accents, spaces kept (``"Zoé D'Alembert"`` → ``"zoe d'alembert"``)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return (
        "".join(c for c in decomposed if not unicodedata.combining(c)).replace("œ", "oe").replace("æ", "ae")
    )


def student_search_text(*names: str | None) -> str:
    return " ".join(fold(name) for name in names if name)
