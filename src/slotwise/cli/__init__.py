"""The `slotwise` command: dev, serve, worker, migrate, openapi, company, user, secrets."""

import argparse
import json
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path

from slotwise.settings import Settings, SettingsError, load_settings, require_secret_keys

OPENAPI_PATH = Path("openapi/openapi.json")


def _require_services(settings: Settings) -> None:
    for name, value in (("DATABASE_URL", settings.database_url), ("REDIS_URL", settings.redis_url)):
        if not value:
            raise SettingsError(f"{name}: not set (`slotwise dev` starts embedded servers instead)")


@contextmanager
def _services(settings: Settings, *, start: bool = True) -> Iterator[Settings]:
    """The settings with working DATABASE_URL / REDIS_URL: as set, else `slotwise dev`'s."""
    from slotwise.cli.dev import local_services

    with local_services(settings, start=start) as found:
        _require_services(found)
        yield found


def cmd_dev(settings: Settings, args: argparse.Namespace) -> int:
    from slotwise.cli.dev import run_dev

    return run_dev(settings, host=args.host or settings.host, port=args.port or settings.port)


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    with ExitStack() as stack:
        if settings.metrics_token is not None:
            # first: the workers' metrics go to files there only if it is set when they import
            # the metrics client (forked ones inherit what this process imported)
            from slotwise.kit.metrics_dir import multiprocess_dir, too_late

            if too_late():  # an import moved ahead of this: the workers would not add up
                raise RuntimeError("prometheus_client was imported before the metrics directory")
            stack.enter_context(multiprocess_dir())
        _serve(settings, args)
    return 0


def _serve(settings: Settings, args: argparse.Namespace) -> None:
    from slotwise.cli.serve import serve

    with _services(settings, start=False) as found:
        require_secret_keys(found)
        # the server's workers read their settings from the environment
        os.environ["DATABASE_URL"] = found.database_url or ""
        os.environ["REDIS_URL"] = found.redis_url or ""
        os.environ["SLOTWISE_SECRET_KEYS"] = found.secret_keys
        serve(
            args.host or found.host,
            args.port or found.port,
            args.workers,
            args.server,
            trusted_proxies=found.trusted_proxies,
            shutdown_timeout=found.shutdown_timeout_seconds,
        )


def cmd_worker(settings: Settings, args: argparse.Namespace) -> int:
    # the worker's metrics stay in its process, served on their own port when one is set
    os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)
    from slotwise.kit import metrics
    from slotwise.kit.logs import configure_logging
    from slotwise.worker import run_worker

    configure_logging(settings.log_level, settings.log_format or "json")
    with _services(settings, start=False) as found:
        require_secret_keys(found)
        if found.worker_metrics_port is not None and found.metrics_token is not None:
            metrics.serve_in_thread(found.host, found.worker_metrics_port, found.metrics_token)
        run_worker(found, burst=args.burst)
    return 0


def cmd_migrate(settings: Settings, args: argparse.Namespace) -> int:
    from slotwise.cli.migrate import upgrade

    with _services(settings) as found:
        assert found.database_url is not None  # noqa: S101 - checked by _services
        upgrade(found.database_url, args.revision)
    print(f"database migrated to {args.revision}")
    return 0


def openapi_document(settings: Settings) -> str:
    from slotwise.app import create_app

    schema = create_app(settings).openapi_schema.to_schema()
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def cmd_openapi(settings: Settings, args: argparse.Namespace) -> int:
    path = Path(args.output)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(openapi_document(settings), encoding="utf-8")
    print(f"wrote {path}")
    return 0


def cmd_company_create(settings: Settings, args: argparse.Namespace) -> int:
    from slotwise.cli.company import create_company_command

    with _services(settings) as found:
        result = create_company_command(
            found,
            name=args.name,
            owner_email=args.owner_email,
            owner_given_name=args.owner_given_name,
            owner_family_name=args.owner_family_name,
            timezone=args.timezone,
            key_days=args.key_days,
        )
    print(json.dumps(result))
    return 0


def cmd_company_rate_limit(settings: Settings, args: argparse.Namespace) -> int:
    from slotwise.cli.company import rate_limit_command

    with _services(settings) as found:
        result = rate_limit_command(
            found,
            args.company_id,
            per_minute=args.per_minute,
            burst=args.burst,
            per_hour=args.per_hour,
            per_day=args.per_day,
            reset=args.reset,
        )
    print(json.dumps(result))
    return 0


def cmd_user_set_role(settings: Settings, args: argparse.Namespace) -> int:
    from slotwise.cli.users import set_role_command

    with _services(settings) as found:
        result = set_role_command(found, args.company_id, email=args.email, role=args.role)
    print(json.dumps(result))
    return 0


def cmd_secrets_rotate(settings: Settings, args: argparse.Namespace) -> int:
    from slotwise.cli.secrets import rotate_command

    with _services(settings) as found:
        result = rotate_command(found)
    print(json.dumps(result))
    return 1 if result["unreadable"] else 0


def cmd_secrets_new_key(settings: Settings, args: argparse.Namespace) -> int:
    from slotwise.kit.sealing import new_key

    print(new_key())
    return 0


def _add_secrets_commands(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    secrets = sub.add_parser("secrets", help="keys sealing stored secrets (SLOTWISE_SECRET_KEYS)")
    secrets_sub = secrets.add_subparsers(dest="secrets_command", required=True)
    new_key = secrets_sub.add_parser("new-key", help="print a fresh key")
    new_key.set_defaults(func=cmd_secrets_new_key)
    rotate = secrets_sub.add_parser(
        "rotate", help="seal every stored secret under the newest key (the first listed)"
    )
    rotate.set_defaults(func=cmd_secrets_rotate)


def _add_user_commands(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    user = sub.add_parser("user", help="operator commands for users")
    user_sub = user.add_subparsers(dest="user_command", required=True)
    set_role = user_sub.add_parser("set-role", help="make a user the owner, an admin or a member")
    set_role.add_argument("company_id")
    set_role.add_argument("--email", required=True)
    set_role.add_argument("--role", required=True, choices=["owner", "admin", "member"])
    set_role.set_defaults(func=cmd_user_set_role)


def _add_company_commands(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    company = sub.add_parser("company", help="operator commands for tenants")
    company_sub = company.add_subparsers(dest="company_command", required=True)
    create = company_sub.add_parser("create", help="company + owner + first platform API key")
    create.add_argument("--name", required=True)
    create.add_argument("--owner-email", required=True)
    create.add_argument("--owner-given-name", default="Owner")
    create.add_argument("--owner-family-name", default="")
    create.add_argument("--timezone", default="UTC")
    create.add_argument("--key-days", type=int, default=90)
    create.set_defaults(func=cmd_company_create)
    limits = company_sub.add_parser("rate-limit", help="set or reset a company's rate limit")
    limits.add_argument("company_id")
    limits.add_argument("--per-minute", type=int)
    limits.add_argument("--burst", type=int)
    limits.add_argument("--per-hour", type=int)
    limits.add_argument("--per-day", type=int)
    limits.add_argument("--reset", action="store_true", help="back to the default policy")
    limits.set_defaults(func=cmd_company_rate_limit)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="slotwise", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    dev = sub.add_parser("dev", help="run API + worker, with embedded PostgreSQL/Redis if unset")
    dev.add_argument("--host")
    dev.add_argument("--port", type=int)
    dev.set_defaults(func=cmd_dev)

    serve = sub.add_parser("serve", help="production API server")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--server", choices=["granian", "uvicorn"], default="granian")
    serve.set_defaults(func=cmd_serve)

    worker = sub.add_parser("worker", help="arq job worker")
    worker.add_argument("--burst", action="store_true", help="exit when the queue is empty")
    worker.set_defaults(func=cmd_worker)

    migrate = sub.add_parser("migrate", help="alembic upgrade")
    migrate.add_argument("revision", nargs="?", default="head")
    migrate.set_defaults(func=cmd_migrate)

    openapi = sub.add_parser("openapi", help="write the OpenAPI document")
    openapi.add_argument("--output", default=str(OPENAPI_PATH))
    openapi.set_defaults(func=cmd_openapi)

    _add_company_commands(sub)
    _add_user_commands(sub)
    _add_secrets_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings(os.environ)
        result: int = args.func(settings, args)
    except SettingsError as exc:
        print(f"slotwise: configuration error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return result
