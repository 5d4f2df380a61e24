"""`coach serve`: pick the source (webcam, video file, or the bundled sample), then run the local web server."""

from __future__ import annotations

import argparse
import socket
import threading
import webbrowser
from pathlib import Path

from coach.errors import CoachError
from coach.events import Routine, Settings
from coach.models import VARIANTS
from coach.routines import RoutineStore
from coach.server import ServeConfig, is_loopback

DEFAULT_PAIR_PORT = 8443  # coach.pairing.listener's default, here so that --help imports no TLS code


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "serve", help="run the live coach: local web server with the browser overlay",
        description="Run the live coach. Uses the webcam if there is one; without one it plays the bundled sample "
                    "circuit video. The page can also use the browser's own camera.")
    parser.add_argument("--source", metavar="FILE|INDEX", help="a video file, or a webcam index (default: webcam 0)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine "
                        "only)")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000)")
    parser.add_argument("--allow-remote", action="store_true", help="allow a --host other than this machine "
                        "(the coach has no login: anyone who can reach the port sees the camera view)")
    parser.add_argument("--routine", metavar="NAME", help="the routine to offer first (default: the last one used, or "
                        "the Full circuit); --rounds, --seconds, --per-side and --mode adjust it")
    parser.add_argument("--rounds", type=int, choices=(1, 2), help="rounds of the circuit (default: 1)")
    parser.add_argument("--seconds", type=_seconds, help="seconds per move, 30-60 (default: 30)")
    parser.add_argument("--per-side", action="store_true", help="give one-sided moves --seconds for each side")
    parser.add_argument("--mode", choices=("timed", "follow"), help="timed: the coach leads each set; follow: the "
                        "coach follows what you do (default: follow for a video file, timed for a camera)")
    parser.add_argument("--speed", type=_speed, default=1.0, help="video file pace: 1 = real time, 2 = twice as "
                        "fast, 0 = as fast as possible (results are the same at any speed)")
    parser.add_argument("--model", choices=VARIANTS, default=None, help="pin the pose model (default: full, "
                        "switching to lite by itself while full cannot keep up with a live camera)")
    parser.add_argument("--no-open", action="store_true", help="do not open the overlay in a browser")
    parser.add_argument("--pair", action="store_true", help="also listen on this computer's network address over "
                        "HTTPS so a phone or tablet can pair with a one-time code and be the camera or the display "
                        "(see the overlay's 'Use another device')")
    parser.add_argument("--pair-address", metavar="IP", help="the network address to listen on with --pair "
                        "(default: the one this computer's default route uses)")
    parser.add_argument("--pair-port", type=int, default=DEFAULT_PAIR_PORT,
                        help=f"the HTTPS port for --pair (default: {DEFAULT_PAIR_PORT})")
    parser.set_defaults(handler=run)


def _seconds(text: str) -> int:
    value = int(text) if text.isdigit() else -1
    if not 30 <= value <= 60:
        raise argparse.ArgumentTypeError("must be a whole number of seconds from 30 to 60")
    return value


def _speed(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError("must be a number from 0 (as fast as possible) to 100")
    return value


def resolve_source(spec: str | None) -> tuple[str | None, str, str, str]:
    """(source_spec, kind, display name, note for the user). Raises CoachError for a bad --source."""
    from coach.live import sample_video
    from coach.sources import SourceError, open_source

    if spec is not None:
        try:
            open_source(spec).close()  # fail now, with one sentence, rather than when the page starts a session
        except SourceError as exc:
            raise CoachError(str(exc)) from None
        if spec.strip().isdigit():
            return spec.strip(), "webcam", f"webcam {spec.strip()}", ""
        return str(Path(spec)), "file", Path(spec).name, ""
    try:
        open_source(0).close()
        return "0", "webcam", "webcam 0", ""
    except SourceError:
        pass
    sample = sample_video()
    if sample is None:
        note = "No webcam found on this machine: use this device's camera from the page, or pass --source FILE."
        return None, "none", "", note
    note = ("No webcam found on this machine, so the bundled sample circuit video is playing; use this device's "
            "camera from the page, or pass --source FILE.")
    return str(sample), "file", sample.name, note


def _routine(args: argparse.Namespace, base: Settings) -> Routine | None:
    """The --routine, with the timing options given on the command line applied to it (RoutineError: no such name)."""
    if args.routine is None:
        return None
    routine = RoutineStore(base=base).get(args.routine)
    given = {"rounds": args.rounds, "seconds": args.seconds, "per_side": args.per_side or None, "mode": args.mode}
    return Routine.model_validate({**routine.model_dump(), **{k: v for k, v in given.items() if v is not None}})


def _check_port_free(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise CoachError(f"Cannot listen on {host}:{port} ({exc.strerror}); pass another --port or --host.") \
                from None


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from coach.server import create_app

    if not 1 <= args.port <= 65535:
        raise CoachError(f"--port must be 1-65535, not {args.port}.")
    if not is_loopback(args.host) and not args.allow_remote:
        raise CoachError(f"--host {args.host} would let other machines open the coach and see the camera view, and "
                         "it has no login; add --allow-remote if you mean it, or keep the default 127.0.0.1.")
    pair_address = _pair_address(args) if args.pair else None
    _check_port_free(args.host, args.port)  # before the camera or video is opened
    if pair_address is not None:
        _check_port_free(pair_address, args.pair_port)
    _routine(args, Settings())  # an unknown name is said before the camera or video is opened
    source_spec, kind, name, note = resolve_source(args.source)
    mode = args.mode or ("follow" if kind == "file" else "timed")
    settings = Settings(rounds=args.rounds or 1, seconds=args.seconds or 30, per_side=args.per_side, mode=mode)
    config = ServeConfig(source_spec=source_spec, source_kind=kind, source_name=name, source_note=note,
                         speed=args.speed, settings=settings, host=args.host, port=args.port, model=args.model,
                         routine=_routine(args, settings),
                         autostart=args.source is None and kind == "file")  # the demo starts by itself
    if note:
        print(f"coach: {note}")
    if not is_loopback(args.host):
        print(f"coach: warning: listening on {args.host}, not only this machine: anyone on your network can open the "
              "coach and see the camera view (see SECURITY.md).")
    url_host = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
    url = f"http://{url_host}:{args.port}/"
    print(f"coach: source: {name or 'browser camera only'}; open {url} (Ctrl+C to stop)")
    if not args.no_open:  # a moment after start-up, so the page finds the server listening
        threading.Timer(1.0, webbrowser.open, (url,)).start()
    # No per-message deflate: most of what crosses the socket is JPEG, which does not shrink, and compressing a 640x480
    # frame took 1.0 ms (zlib, on the event loop between a pose and the tabs; in the page for its camera frames).
    options = {"log_level": "warning", "ws_max_size": 4 * 1024 * 1024, "ws_per_message_deflate": False}
    if pair_address is None:
        uvicorn.run(create_app(config), host=args.host, port=args.port, **options)
        return 0
    import asyncio

    from coach.pairing.listener import lan_server, open_lan, serve_with_lan

    lan = open_lan(pair_address, args.pair_port, config.history_dir)
    made = "made a new certificate" if lan.certificate.created else "reusing its certificate"
    print(f"coach: pairing on {lan.url} ({made}; SHA-256 {lan.certificate.fingerprint_sha256}); open 'Use another "
          "device' in the overlay for a code")
    app = create_app(config, lan=lan)
    main = uvicorn.Server(uvicorn.Config(app, host=args.host, port=args.port, **options))
    asyncio.run(serve_with_lan(main, lan_server(app, lan, **options)))
    return 0


def _pair_address(args: argparse.Namespace) -> str:
    """The LAN address for --pair (checked, or found); --pair keeps the main listener on loopback."""
    import ipaddress

    from coach.pairing.listener import lan_address

    if not is_loopback(args.host):
        raise CoachError("--pair keeps the coach itself on this computer: leave out --host/--allow-remote (paired "
                         "devices reach it over HTTPS with a code instead).")
    if not 1 <= args.pair_port <= 65535 or args.pair_port == args.port:
        raise CoachError(f"--pair-port must be 1-65535 and differ from --port, not {args.pair_port}.")
    if args.pair_address is None:
        found = lan_address()
        if found is None:
            raise CoachError("--pair found no network address on this computer; connect to your home network or "
                             "pass --pair-address IP.")
        return found
    try:
        ipaddress.ip_address(args.pair_address)
    except ValueError:
        raise CoachError(f"--pair-address must be an IP address of this computer, not {args.pair_address!r}.") \
            from None
    return args.pair_address
