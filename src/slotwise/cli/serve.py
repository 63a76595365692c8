"""Production ASGI server: granian by default (measured faster here), uvicorn as an option."""

from typing import Literal

APP_FACTORY = "slotwise.app:create_app_from_env"


def serve(host: str, port: int, workers: int, server: Literal["granian", "uvicorn"]) -> None:
    if server == "uvicorn":
        import uvicorn

        uvicorn.run(
            APP_FACTORY, factory=True, host=host, port=port, workers=workers, access_log=False
        )
        return
    from granian import Granian
    from granian.constants import Interfaces

    Granian(
        APP_FACTORY,
        address=host,
        port=port,
        workers=workers,
        interface=Interfaces.ASGI,
        factory=True,
    ).serve()
