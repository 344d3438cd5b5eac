"""Concurrency, faults and several processes, on PostgreSQL only (deselected on the
SQLite leg): each test runs the service as deployed (``pix-orga serve`` and ``pix-orga worker``
as processes, or the app in a thread) and breaks it at a point it waits for, never after a sleep.

- ``test_concurrent_imports``: two imports of one organization at once;
- ``test_database_outage``: the database stops (or stops answering) during an import, a sign-up
  and an invitation, through a TCP proxy of the test (``tests/support/tcp_proxy.py``), since the
  PostgreSQL server is shared and must never be stopped;
- ``test_worker_killed``: an outbox worker killed with SIGKILL in the middle of a batch;
- ``test_graceful_shutdown``: SIGTERM to ``pix-orga serve`` during an import;
- ``test_several_processes``: two APIs and two workers on one database, counters in Redis.

Helpers: ``tests/support/processes.py`` (the processes), ``tests/support/gates.py`` (holding a
request inside its transaction), ``tests/support/tcp_proxy.py`` (the database going away).
"""
