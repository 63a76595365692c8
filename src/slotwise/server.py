"""Production ASGI server: granian by default (measured faster here), uvicorn as an option."""

from typing import Literal

APP_FACTORY = "slotwise.app:create_app_from_env"


def serve(host: str, port: int, workers: int, server: Literal["granian", "uvicorn"]) -> None:
    if server == "uvicorn":
        import uvicorn  # noqa: PLC0415

        uvicorn.run(
            APP_FACTORY, factory=True, host=host, port=port, workers=workers, access_log=False
        )
        return
    from granian import Granian  # noqa: PLC0415
    from granian.constants import Interfaces  # noqa: PLC0415

    Granian(
        APP_FACTORY,
        address=host,
        port=port,
        workers=workers,
        interface=Interfaces.ASGI,
        factory=True,
    ).serve()
