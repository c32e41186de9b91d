"""`aftersales` command line (also `python -m bot`). Exit codes: 0 ok, 2 bad usage or input, 1 anything else."""
from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from typing import Sequence

from bot.config import Config, ConfigError, load_config
from bot.startup import StartupError

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "func"):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)  # a line per built-in plugin, every run
    try:
        return int(args.func(args) or EXIT_OK)
    except ConfigError as exc:
        print(f"aftersales: configuration error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except StartupError as exc:
        print(f"aftersales: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return EXIT_OK


def _parser() -> argparse.ArgumentParser:
    from bot.devices_cli import register as register_devices
    from bot.kb_cli import register as register_kb
    from bot.parts_cli import register as register_parts
    from bot.staff_cli import register as register_staff
    from nlp.cli import register as register_nlp

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", help="TOML config file (default: $AFTERSALES_CONFIG or ./aftersales.toml)")
    parser = argparse.ArgumentParser(prog="aftersales", description="After-sales service hub")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("serve", parents=[common], help="run the hub: HTTP, channels, workers").set_defaults(func=_serve)
    db = sub.add_parser("db", help="database maintenance").add_subparsers(dest="db_command")
    db.add_parser("upgrade", parents=[common], help="migrate the database to the newest schema").set_defaults(
        func=_db_upgrade)
    demo = sub.add_parser("demo", parents=[common], help="load demo technicians, supervisors and sample data")
    demo.add_argument("--if-empty", action="store_true", help="only when the database has no staff yet")
    demo.set_defaults(func=_demo)
    register_nlp(sub, configured_model=lambda path: load_config(path).nlp.model_path or None)
    register_kb(sub, common)
    register_staff(sub, common)
    register_parts(sub, common)
    register_devices(sub, common)
    return parser


def _config(args: argparse.Namespace) -> Config:
    return load_config(args.config)


def _serve(args: argparse.Namespace) -> int:
    from aiohttp import web

    from bot.app import build_app
    from bot.bootstrap import build_hub
    from bot.heap import freeze_startup_heap
    from bot.diagnostics import install_stack_dumps
    from bot.startup import check_escalations, listen, prepare_database, report_unreachable_staff

    config = _config(args)
    listeners = listen(config.server.host, config.server.port)
    try:
        prepare_database(config.database.url)
        check_escalations(config.database.url, config.sla)
        report_unreachable_staff(config.database.url, config.configured_channels)
        app = build_app(build_hub(config))
    except BaseException:
        for listener in listeners:
            listener.close()
        raise
    app.on_startup.append(install_stack_dumps)
    app.on_startup.append(freeze_startup_heap)
    web.run_app(app, sock=listeners, shutdown_timeout=10,
                print=lambda _: logging.getLogger("aftersales").info(
                    "serving on http://%s:%s (web chat at /chat)", config.server.host, config.server.port))
    logging.getLogger("aftersales").info("stopped")
    return EXIT_OK


def _db_upgrade(args: argparse.Namespace) -> int:
    from core.storage.migrate import upgrade_url

    upgrade_url(_config(args).database.url)
    return EXIT_OK


def _demo(args: argparse.Namespace) -> int:
    from bot.demo import load_demo
    from bot.startup import prepare_database

    url = _config(args).database.url
    prepare_database(url)
    loaded = asyncio.run(load_demo(url, only_if_empty=args.if_empty))
    print("demo data loaded" if loaded else "database already has staff; demo data not loaded")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
