"""Who is calling, when the token is an API client's: read on every request, so that a revocation
takes effect at once, and counted against the client's request rate."""

from __future__ import annotations

from typing import Protocol

from domain.access import ClientCaller
from domain.api_clients.ports import ClientTokens
from domain.errors import Unauthenticated
from domain.rate_limits import Limit, RateLimiter, acquire_all
from domain.unit_of_work import HasApiClients, Reads, UnitOfWorkFactory


class AuthenticateClientPorts(Reads, HasApiClients, Protocol): ...


class AuthenticateClient:
    """None when the token is a person's (``Authenticate`` reads those); the client when its token
    is valid and the client not revoked (401 ``UNAUTHENTICATED`` otherwise); 429 past
    ``API_CLIENT_REQUESTS_PER_CLIENT``."""

    def __init__(
        self, uow: UnitOfWorkFactory[AuthenticateClientPorts], tokens: ClientTokens, limiter: RateLimiter
    ) -> None:
        self._uow = uow
        self._tokens = tokens
        self._limiter = limiter

    async def __call__(self, access_token: str) -> ClientCaller | None:
        claims = self._tokens.read_client(access_token)
        if claims is None:
            return None
        async with self._uow() as uow:
            client = await uow.api_clients.get(claims.api_client_id)
        if client is None or not client.is_live or client.organization_id != claims.organization_id:
            raise Unauthenticated()
        await acquire_all(self._limiter, [(Limit.API_CLIENT_REQUESTS, (str(client.id),))])
        return ClientCaller(client.id, client.organization_id, claims.scopes & client.scopes)
