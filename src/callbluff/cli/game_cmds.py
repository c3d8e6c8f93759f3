"""Commands about the game of an offer: export it as a Gambit ``.efg`` file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from callbluff.cli.app import app, console, input_failure
from callbluff.errors import InputError


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and ``os.replace``."""
    directory = path.parent if str(path.parent) else Path(".")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    umask = os.umask(0)
    os.umask(umask)
    try:
        os.chmod(tmp_name, 0o666 & ~umask)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


@app.command("export")
def export(
    scenario: Annotated[str, typer.Argument(
        help="a built-in scenario id (see `callbluff scenarios`) or a YAML file")],
    output: Annotated[Path, typer.Option(
        "--output", "-o", help="the .efg file to write (replaced atomically)")],
    offer: Annotated[str | None, typer.Option(
        "--offer", help="the offer id (default: the scenario's first offer)")] = None,
    keep_labels: Annotated[bool, typer.Option(
        "--keep-labels",
        help="write labels exactly as they are, even where Gambit 16.7 would refuse "
        "them (non-ASCII, repeated spaces)")] = False,
) -> None:
    """Export the game of one offer as a Gambit extensive-form (.efg) file.

    Payoffs and probabilities are written as exact rationals; the file opens in
    Gambit (GUI, gambit-* tools, pygambit.read_efg).

    Example:

        callbluff export north-korea-2009 --offer all-in -o all-in.efg
    """
    # Imported here, not at the top: `callbluff --help` must not load the solver.
    from callbluff.game.bargain import compile_offer
    from callbluff.game.efg import write_efg
    from callbluff.scenario.loader import load_scenario

    try:
        loaded = load_scenario(scenario)
        offer_id = offer if offer is not None else loaded.offers[0].id
        if offer_id not in {o.id for o in loaded.offers}:
            raise InputError(
                f"no offer {offer_id!r}: expected one of "
                f"{', '.join(o.id for o in loaded.offers)}",
                file=scenario, field="--offer",
            )
        game = compile_offer(loaded, offer_id)
        text = write_efg(game, gambit_labels=not keep_labels)
        try:
            write_atomically(output, text)
        except OSError as err:
            raise InputError(
                f"cannot write the file: {err.strerror or err}", file=str(output)
            ) from None
    except InputError as err:
        raise input_failure(err, prefix=False) from None
    sizes = game.sizes()
    per_player = ", ".join(
        f"{name}: {sizes[f'infosets[{name}]']}" for name in game.players
    )
    console.print(
        f"wrote {output} (offer {offer_id}): {sizes['nodes']} nodes, "
        f"{sizes['terminals']} terminals, {sizes['infosets']} information sets "
        f"({per_player})",
        highlight=False, soft_wrap=True,
    )
