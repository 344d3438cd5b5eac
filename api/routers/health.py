from __future__ import annotations

from fastapi import APIRouter, Request

from api.errors import problems
from api.use_cases import use_cases

router = APIRouter(tags=["health"])


@router.get("/health/live", operation_id="health_live", summary="The process is up")
async def live() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/health/ready",
    operation_id="health_ready",
    summary="The database answers",
    responses=problems("SERVICE_UNAVAILABLE"),
)
async def ready(request: Request) -> dict[str, str]:
    await use_cases(request).check_database()
    return {"status": "ok"}
