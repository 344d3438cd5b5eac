"""The OAuth2 client credentials grant (RFC 6749 §4.4): a client trades its id and secret for a
short access token."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from domain.api_clients.decisions import granted_scopes, secret_accepted
from domain.api_clients.entities import ClientClaims, ClientToken
from domain.api_clients.errors import InvalidClient
from domain.api_clients.ports import ClientTokens
from domain.clock import Clock
from domain.rate_limits import Limit, LimitKey, RateLimiter, acquire_all, record_all, refuse_when_reached
from domain.secrets import hash_secret
from domain.unit_of_work import HasApiClients, UnitOfWorkFactory, Writes

LAST_USED_PRECISION_SECONDS = 60
"""``last_used_at`` is written at most once a minute per client."""


@dataclass(frozen=True)
class IssueClientTokenCommand:
    client_id: str
    client_secret: str
    scope: str | None
    client_address: str


class IssueClientTokenPorts(Writes, HasApiClients, Protocol): ...


class IssueClientToken:
    """The secret is compared by its SHA-256 in constant time (the current one, or the previous one
    for 24 hours after a rotation); a revoked client is refused like an unknown one. Failures are
    counted per address (429 once the limit is reached, right secret or not); tokens are counted per
    client. ``last_used_at`` is updated here, at most once a minute. No refresh token: a client asks
    again, with its secret."""

    def __init__(
        self,
        uow: UnitOfWorkFactory[IssueClientTokenPorts],
        tokens: ClientTokens,
        limiter: RateLimiter,
        clock: Clock,
    ) -> None:
        self._uow = uow
        self._tokens = tokens
        self._limiter = limiter
        self._clock = clock

    async def __call__(self, command: IssueClientTokenCommand) -> ClientToken:
        failures: list[LimitKey] = [(Limit.API_CLIENT_TOKEN_FAILURES_PER_ADDRESS, (command.client_address,))]
        await refuse_when_reached(self._limiter, failures)
        now = self._clock.now()
        async with self._uow() as uow:
            client = await uow.api_clients.find_by_client_id(command.client_id) if command.client_id else None
            if client is None or not secret_accepted(client, hash_secret(command.client_secret), now):
                await record_all(self._limiter, failures)
                raise InvalidClient()
            scopes = granted_scopes(client.scopes, command.scope)
            await acquire_all(self._limiter, [(Limit.API_CLIENT_TOKENS, (str(client.id),))])
            await uow.api_clients.mark_used(client.id, now, precision_seconds=LAST_USED_PRECISION_SECONDS)
            await uow.commit()
        token, expires_in = self._tokens.issue_client(ClientClaims(client.id, client.organization_id, scopes))
        return ClientToken(token, expires_in, scopes)
