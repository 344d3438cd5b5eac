"""An organization's webhook endpoints (Standard Webhooks), managed by its administrators."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response, status

from api.auth import WebhooksManager
from api.errors import problems
from api.organization_access import admins_or_client
from api.pagination import PageOut, Paging
from api.routers import ADMIN_PROBLEMS as ADMIN
from api.routers import API_PREFIX, CLIENT_PROBLEMS
from api.schemas.webhooks import (
    CreatedWebhookEndpointOut,
    CreateWebhookEndpointRequest,
    UpdateWebhookEndpointRequest,
    WebhookDeliveryOut,
    WebhookEndpointOut,
    WebhookTestOut,
)
from api.use_cases import use_case
from domain.api_clients.entities import Scope
from domain.webhooks.create_webhook_endpoint import CreateWebhookEndpoint, CreateWebhookEndpointCommand
from domain.webhooks.delete_webhook_endpoint import DeleteWebhookEndpoint
from domain.webhooks.entities import EndpointStatus
from domain.webhooks.list_webhook_deliveries import ListWebhookDeliveries
from domain.webhooks.list_webhook_endpoints import ListWebhookEndpoints
from domain.webhooks.send_test_webhook import SendTestWebhook
from domain.webhooks.update_webhook_endpoint import UpdateWebhookEndpoint, UpdateWebhookEndpointCommand

router = APIRouter(
    prefix=f"{API_PREFIX}/organizations/{{org_id}}/webhook-endpoints",
    tags=["webhooks"],
    dependencies=[admins_or_client(Scope.WEBHOOKS_MANAGE)],
)

DELIVERY = (
    'A delivery is `POST url` with the body `{"type", "timestamp", "data": {"organization_id", …}}` '
    "(ids only) and the Standard Webhooks headers `webhook-id`, `webhook-timestamp` and "
    "`webhook-signature` (`v1,` + base64 of HMAC-SHA256 over `{id}.{timestamp}.{body}`, keyed by the "
    "base64-decoded part of the secret after `whsec_`). A 2xx answer within `WEBHOOK_TIMEOUT_SECONDS` "
    "delivers it; otherwise it is retried with exponential backoff (30 s doubling, at most an hour) for "
    "three days; redirects are not followed. An endpoint failing for three days is `DISABLED` and the "
    "administrators are e-mailed. At least once: deduplicate with `webhook-id`."
)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    operation_id="create_webhook_endpoint",
    summary="Register a webhook endpoint",
    description=(
        "The `secret` is shown in this answer only (it is stored encrypted). 422 `INVALID_WEBHOOK_URL` "
        "(`meta.reason`: `MALFORMED`, `NOT_HTTPS`, `TOO_LONG`, `UNRESOLVABLE`, `NON_PUBLIC_ADDRESS`) "
        "for a URL that is not `https`, or whose host resolves to a loopback, private, link-local or "
        "otherwise non-public address (unless `WEBHOOK_ALLOW_PRIVATE_ADDRESSES=true`); the address is "
        "checked again at every delivery. At most 10 endpoints per organization (409 "
        "`TOO_MANY_WEBHOOK_ENDPOINTS`). " + DELIVERY
    ),
    responses=problems(
        *ADMIN, *CLIENT_PROBLEMS, "INVALID_WEBHOOK_URL", "TOO_MANY_WEBHOOK_ENDPOINTS", "VALIDATION_ERROR"
    ),
)
async def create_webhook_endpoint(
    create: Annotated[CreateWebhookEndpoint, Depends(use_case(CreateWebhookEndpoint))],
    org_id: int,
    body: CreateWebhookEndpointRequest,
    caller: WebhooksManager,
) -> CreatedWebhookEndpointOut:
    created = await create(
        caller,
        CreateWebhookEndpointCommand(
            organization_id=org_id,
            url=body.url,
            events=tuple(body.events),
            description=body.description,
        ),
    )
    return CreatedWebhookEndpointOut.created(created)


@router.get(
    "",
    operation_id="list_webhook_endpoints",
    summary="Webhook endpoints of the organization (never their secrets)",
    responses=problems(*ADMIN, *CLIENT_PROBLEMS, "VALIDATION_ERROR"),
)
async def list_webhook_endpoints(
    list_endpoints: Annotated[ListWebhookEndpoints, Depends(use_case(ListWebhookEndpoints))],
    org_id: int,
    caller: WebhooksManager,
    paging: Paging,
) -> PageOut[WebhookEndpointOut]:
    return PageOut.of(await list_endpoints(caller, org_id, paging), WebhookEndpointOut.of)


@router.patch(
    "/{endpoint_id}",
    operation_id="update_webhook_endpoint",
    summary="Change a webhook endpoint's events, or disable or enable it",
    description=(
        "Enabling it again forgets its failures; its pending deliveries then go out. A disabled "
        "endpoint receives nothing."
    ),
    responses=problems(*ADMIN, *CLIENT_PROBLEMS, "WEBHOOK_ENDPOINT_NOT_FOUND", "VALIDATION_ERROR"),
)
async def update_webhook_endpoint(
    update: Annotated[UpdateWebhookEndpoint, Depends(use_case(UpdateWebhookEndpoint))],
    org_id: int,
    endpoint_id: int,
    body: UpdateWebhookEndpointRequest,
    caller: WebhooksManager,
) -> WebhookEndpointOut:
    updated = await update(
        caller,
        UpdateWebhookEndpointCommand(
            organization_id=org_id,
            endpoint_id=endpoint_id,
            events=tuple(body.events) if body.events is not None else None,
            status=EndpointStatus(body.status) if body.status is not None else None,
        ),
    )
    return WebhookEndpointOut.of(updated)


@router.delete(
    "/{endpoint_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="delete_webhook_endpoint",
    summary="Delete a webhook endpoint (its pending deliveries are dropped)",
    responses=problems(*ADMIN, *CLIENT_PROBLEMS, "WEBHOOK_ENDPOINT_NOT_FOUND"),
)
async def delete_webhook_endpoint(
    delete: Annotated[DeleteWebhookEndpoint, Depends(use_case(DeleteWebhookEndpoint))],
    org_id: int,
    endpoint_id: int,
    caller: WebhooksManager,
) -> Response:
    await delete(caller, org_id, endpoint_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{endpoint_id}/test",
    status_code=status.HTTP_202_ACCEPTED,
    operation_id="send_test_webhook",
    summary="Send a webhook.test event to the endpoint",
    description="Queued like any event: its delivery shows in the endpoint's deliveries.",
    responses=problems(*ADMIN, *CLIENT_PROBLEMS, "WEBHOOK_ENDPOINT_NOT_FOUND", "WEBHOOK_ENDPOINT_DISABLED"),
)
async def send_test_webhook(
    send_test: Annotated[SendTestWebhook, Depends(use_case(SendTestWebhook))],
    org_id: int,
    endpoint_id: int,
    caller: WebhooksManager,
) -> WebhookTestOut:
    return WebhookTestOut(event_id=await send_test(caller, org_id, endpoint_id))


@router.get(
    "/{endpoint_id}/deliveries",
    operation_id="list_webhook_deliveries",
    summary="Deliveries of a webhook endpoint, newest first",
    responses=problems(*ADMIN, *CLIENT_PROBLEMS, "WEBHOOK_ENDPOINT_NOT_FOUND", "VALIDATION_ERROR"),
)
async def list_webhook_deliveries(
    list_deliveries: Annotated[ListWebhookDeliveries, Depends(use_case(ListWebhookDeliveries))],
    org_id: int,
    endpoint_id: int,
    caller: WebhooksManager,
    paging: Paging,
) -> PageOut[WebhookDeliveryOut]:
    return PageOut.of(await list_deliveries(caller, org_id, endpoint_id, paging), WebhookDeliveryOut.of)
