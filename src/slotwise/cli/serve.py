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
) -> None:
    if server == "uvicorn":
        import uvicorn

        uvicorn.run(
            APP_FACTORY,
            factory=True,
            host=host,
            port=port,
            workers=workers,
            access_log=False,
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
    ).serve()
