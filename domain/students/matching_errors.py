"""Errors of identity matching (kept apart from the SIECLE import errors of ``errors.py``)."""

from __future__ import annotations

from typing import ClassVar, Literal

from domain.errors import Invalid

TypedNameField = Literal["first_name", "last_name"]


class EmptyName(Invalid):
    """A typed name normalises to nothing (only spaces, punctuation or invisible characters).

    Rejected before any comparison: an empty value would divide by zero, and matching on the other
    name alone would loosen the rule.
    """

    code: ClassVar[str] = "VALIDATION_ERROR"

    def __init__(self, field: TypedNameField) -> None:
        super().__init__(meta={"field": field})
        self.field: TypedNameField = field
