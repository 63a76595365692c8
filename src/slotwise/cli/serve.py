"""Production ASGI server: granian by default (measured faster here), uvicorn as an option."""

from typing import Any, Literal

from slotwise.kit.clientaddr import parse_networks

APP_FACTORY = "slotwise.app:create_app_from_env"


def uvicorn_proxy_options(trusted_proxies: str) -> dict[str, Any]:
    """uvicorn's forwarded-header options from SLOTWISE_TRUSTED_PROXIES.

    Left to itself uvicorn believes `X-Forwarded-For` from localhost, and the client address the
    limits count would be whatever a local caller wrote there. Headers are believed only from
    the configured proxies; with none configured, from nobody.
    """
    networks = parse_networks(trusted_proxies)
    return {
        "proxy_headers": bool(networks),
        "forwarded_allow_ips": [str(network) for network in networks],
    }


def serve(
    host: str,
    port: int,
    workers: int,
    server: Literal["granian", "uvicorn"],
    *,
    trusted_proxies: str = "",
    shutdown_timeout: int = 25,
) -> None:
    """Serve until SIGTERM or SIGINT; then stop accepting connections, let the requests in
    flight finish for up to `shutdown_timeout` seconds, and exit."""
    if server == "uvicorn":
        import uvicorn

        uvicorn.run(
            APP_FACTORY,
            factory=True,
            host=host,
            port=port,
            workers=workers,
            access_log=False,
            timeout_graceful_shutdown=shutdown_timeout,
            **uvicorn_proxy_options(trusted_proxies),
        )
        return
    from granian import Granian
    from granian.constants import Interfaces

    # granian reads no forwarded headers (the app reads X-Forwarded-For by the same setting)
    Granian(
        APP_FACTORY,
        address=host,
        port=port,
        workers=workers,
        interface=Interfaces.ASGI,
        factory=True,
        # a worker still busy after this long is killed (granian waits forever otherwise)
        workers_kill_timeout=shutdown_timeout,
    ).serve()
