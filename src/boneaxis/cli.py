"""Command-line interface: ``boneaxis simulate|compare|calibrate|validate|parameters|drugs``.

Every user error ends as ONE line ``error: <message>`` on stderr (exit 2; a failed numerical
solution exits 3), never a traceback.  Warnings print as one line ``warning: <message>``.
Set ``BONEAXIS_DEBUG=1`` to see the traceback of an unexpected (internal) error.
"""

from __future__ import annotations

import importlib
import os
import sys
import warnings
from pathlib import Path
from typing import Annotated, Optional

import typer
from typer._click import exceptions as click_exc

from . import __version__
from .notice import DISCLAIMER

EXIT_USER_ERROR = 2
EXIT_SIMULATION_ERROR = 3
EXIT_INTERNAL_ERROR = 1

app = typer.Typer(
    name="boneaxis",
    help="Simulate how aromatase inhibitors reshape the sex-hormone axis and bone.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


class UserError(Exception):
    """A problem with what the user asked for (bad path, missing optional component)."""

    def __init__(self, message: str, exit_code: int = EXIT_USER_ERROR):
        super().__init__(message)
        self.exit_code = exit_code


def _one_line(text: object) -> str:
    return " ".join(str(text).split())


def _err(message: object) -> None:
    print(f"error: {_one_line(message)}", file=sys.stderr)


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    print(f"warning: {_one_line(message)}", file=sys.stderr)


def _disclaimer() -> None:
    typer.echo("")
    typer.echo(DISCLAIMER)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"boneaxis {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[Optional[bool], typer.Option(
        "--version", callback=_version, is_eager=True, help="Show the version and exit.")] = None,
) -> None:
    """boneaxis informs; it does not prescribe."""


def _lazy(module: str, what: str):
    """Import ``module``; a missing module (not yet installed/written) is a clear user error."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name and (module == exc.name or module.startswith(exc.name + ".")):
            raise UserError(f"'{what}' is not available in this installation "
                            f"(module {module} is missing)", EXIT_INTERNAL_ERROR) from None
        raise


def _writable(path: Path, what: str) -> Path:
    parent = path.expanduser().resolve().parent
    if not parent.is_dir():
        raise UserError(f"cannot write {what} {path}: directory {parent} does not exist")
    if path.is_dir():
        raise UserError(f"cannot write {what} {path}: it is a directory")
    return path


def _fmt(v: float) -> str:
    return f"{v:.3g}" if abs(v) < 1000 else f"{v:.0f}"


def summary_lines(df) -> list[str]:
    """Baseline (first row) and end (last row) of the headline outputs."""
    first, last = df.iloc[0], df.iloc[-1]
    rows = [
        ("estradiol (pg/mL)", "estradiol_pg_ml"),
        ("testosterone (ng/dL)", "testosterone_ng_dl"),
        ("LH (IU/L)", "lh_iu_l"),
        ("lumbar spine BMD change (%)", "bmd_lumbar_spine_pct_change"),
        ("total hip BMD change (%)", "bmd_total_hip_pct_change"),
    ]
    end_label = f"day {last['time_days']:g}"
    out = [f"{'':30s}{'baseline':>12s}{end_label:>12s}"]
    for label, col in rows:
        if col in df.columns:
            out.append(f"{label:30s}{_fmt(float(first[col])):>12s}{_fmt(float(last[col])):>12s}")
    return out


@app.command()
def simulate(
    file: Annotated[Path, typer.Argument(help="Scenario file (YAML or JSON).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="CSV file to write.")],
    plot: Annotated[Optional[Path], typer.Option("--plot", help="PNG figure to write.")] = None,
    monitoring: Annotated[bool, typer.Option(
        "--monitoring", help="Also print a guideline-based bone monitoring plan.")] = False,
) -> None:
    """Run one scenario; write its time series as CSV (and optionally a figure)."""
    import boneaxis

    if not file.is_file():
        raise UserError(f"scenario file not found: {file}")
    _writable(output, "CSV")
    if plot is not None:
        _writable(plot, "figure")
    sc = boneaxis.load_scenario(file)
    df = boneaxis.simulate(sc)
    try:
        df.to_csv(output, index=False)
    except OSError as exc:
        raise UserError(f"cannot write CSV {output}: {exc.strerror or exc}") from None
    if plot is not None:
        from .report.plots import plot_timeseries
        plot_timeseries(df, plot, title=file.stem)
    days = float(df["time_days"].iloc[-1])
    typer.echo(f"simulated {days:g} days ({len(df)} rows) -> {output}"
               + (f", figure -> {plot}" if plot is not None else ""))
    for line in summary_lines(df):
        typer.echo(line)
    if monitoring:
        from .report.monitoring import monitoring_plan
        typer.echo("")
        typer.echo(monitoring_plan(df, sc.patient.phenotype, sc.patient.age,  # ends with the disclaimer
                                   treatments=sc.treatments))
        return
    _disclaimer()


@app.command()
def compare(
    output: Annotated[Path, typer.Option("--output", "-o", help="Figure to write.")] = Path("compare.png"),
    csv: Annotated[Optional[Path], typer.Option("--csv", help="Also write the table as CSV.")] = None,
) -> None:
    """Men vs women on anastrozole, each beside themselves untreated (table + figure)."""
    _writable(output, "figure")
    if csv is not None:
        _writable(csv, "CSV")
    mod = _lazy("boneaxis.trials.compare", "compare")
    result = mod.run_compare()
    typer.echo(result.text())
    if csv is not None:
        result.table.to_csv(csv, index=False)
    result.figure(output)
    typer.echo(f"figure -> {output}" + (f", table -> {csv}" if csv is not None else ""))
    _disclaimer()


@app.command()
def calibrate() -> None:
    """Fit the free model parameters to the trial data."""
    fit = _lazy("boneaxis.calibration.fit", "calibrate")
    rc = fit.main()
    if isinstance(rc, int) and not isinstance(rc, bool) and rc != 0:
        raise typer.Exit(rc)


@app.command()
def validate(
    output: Annotated[Path, typer.Option("--output", "-o", help="Directory for the report.")],
) -> None:
    """Write the validation report (figures and tables) into a directory."""
    if output.exists() and not output.is_dir():
        raise UserError(f"cannot write the report into {output}: it is not a directory")
    validation = _lazy("boneaxis.report.validation", "validate")
    validation.write_report(output)
    typer.echo(f"validation report -> {output}")
    _disclaimer()


@app.command()
def parameters() -> None:
    """List the model parameters with their units and sources."""
    from .model.parameters import PARAMETERS

    rows = [(p.name, f"{p.value:.6g}", p.unit, p.source) for p in PARAMETERS.values()]
    w0 = max(len("name"), *(len(r[0]) for r in rows))
    w1 = max(len("value"), *(len(r[1]) for r in rows))
    w2 = max(len("unit"), *(len(r[2]) for r in rows))
    typer.echo(f"{'name':<{w0}}  {'value':>{w1}}  {'unit':<{w2}}  source")
    for name, val, unit, source in rows:
        typer.echo(f"{name:<{w0}}  {val:>{w1}}  {unit:<{w2}}  {source}")


@app.command()
def drugs() -> None:
    """List the drugs boneaxis knows, with route, default regimen and source."""
    from .model.pk import DRUGS

    w0 = max(len("drug"), *(len(n) for n in DRUGS))
    w1 = max(len("route"), *(len(d.route) for d in DRUGS.values()))
    w2 = max(len("default regimen"), *(len(d.default_regimen) for d in DRUGS.values()))
    typer.echo(f"{'drug':<{w0}}  {'route':<{w1}}  {'default regimen':<{w2}}  source")
    for name, d in DRUGS.items():
        typer.echo(f"{name:<{w0}}  {d.route:<{w1}}  {d.default_regimen:<{w2}}  {d.source}")


@app.command("export-sbml")
def export_sbml(
    file: Annotated[Optional[Path], typer.Argument(
        help="Scenario file (YAML or JSON); default: postmenopausal woman, 64 y, anastrozole "
             "1 mg daily for 5 years.")] = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="SBML file to write.")] = Path("model.xml"),
) -> None:
    """Export one scenario as an SBML L3V2 model (units, dosing events) for other tools."""
    if file is not None and not file.is_file():
        raise UserError(f"scenario file not found: {file}")
    _writable(output, "SBML")
    try:
        sbml = importlib.import_module("boneaxis.interop.sbml")
        text, info = sbml.build_sbml(file if file is not None else sbml.DEFAULT_SCENARIO)
        errors, warns = sbml.check_sbml(text)
    except ImportError as exc:
        raise UserError(str(exc)) from None
    except ValueError as exc:
        if type(exc).__name__ == "SBMLExportError":
            raise UserError(str(exc)) from None
        raise
    if errors:
        raise UserError(f"libSBML reports {len(errors)} error(s) in the export: {errors[0]}",
                        EXIT_INTERNAL_ERROR)
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UserError(f"cannot write SBML {output}: {exc.strerror or exc}") from None
    typer.echo(f"SBML L3V2 ({len(info.drugs)} drug(s), {info.n_events} event(s); libSBML: 0 errors, "
               f"{len(warns)} warning(s)) -> {output}")
    _disclaimer()


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.")] = 8000,
    workers: Annotated[int, typer.Option("--workers", help="Worker processes.")] = 1,
) -> None:
    """Start the web app (page + JSON API, OpenAPI at /docs); nothing else to install or start."""
    if not 0 <= port <= 65535:
        raise UserError(f"--port must be between 0 and 65535, got {port}")
    if workers < 1:
        raise UserError(f"--workers must be at least 1, got {workers}")
    web = _lazy("boneaxis.web.app", "serve")
    typer.echo(f"boneaxis web app on http://{host}:{port}/  (Ctrl+C to stop)")
    typer.echo(DISCLAIMER)
    web.serve(host=host, port=port, workers=workers)


trial_app = typer.Typer(
    help="Virtual trials: a population given each arm (built-in studies or your own file).",
    no_args_is_help=True,
)
app.add_typer(trial_app, name="trial")


@trial_app.command("list")
def trial_list() -> None:
    """List the built-in trials (each a study from the calibration targets, with its citation)."""
    vt = _lazy("boneaxis.trials.virtual_trial", "trial")
    trials = [vt.builtin_trial(name) for name in vt.builtin_names()]
    w = max(len("name"), *(len(t.name) for t in trials))
    typer.echo(f"{'name':<{w}}  {'n':>5}  {'duration':>9}  arms / citation")
    for t in trials:
        years = t.duration_h / vt.HOURS_PER_YEAR
        dur = f"{years:g} y" if years >= 1 else f"{t.duration_h / 24:g} d"
        typer.echo(f"{t.name:<{w}}  {t.population.n:>5}  {dur:>9}  {', '.join(t.arms)}")
        typer.echo(f"{'':<{w}}  {'':>5}  {'':>9}  {t.citation}")


@trial_app.command("run")
def trial_run(
    trial: Annotated[str, typer.Argument(help="Trial file (YAML) or the name of a built-in trial.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Directory for the results.")],
    n: Annotated[Optional[int], typer.Option("--n", help="Patients (overrides the file).")] = None,
    seed: Annotated[Optional[int], typer.Option("--seed", help="Seed (overrides the file).")] = None,
) -> None:
    """Run a virtual trial; write summary/differences as CSV and Parquet, print a table."""
    vt = _lazy("boneaxis.trials.virtual_trial", "trial")
    if output.exists() and not output.is_dir():
        raise UserError(f"cannot write results into {output}: it is not a directory")
    result = vt.run_trial(vt.resolve(trial), n=n, seed=seed)
    written = result.write(output)
    typer.echo(vt.text_table(result))
    typer.echo("")
    typer.echo(f"results -> {', '.join(str(p) for p in written)}")
    _disclaimer()


@app.command()
def sensitivity(
    n: Annotated[int, typer.Option("--n", help="Base samples N (power of 2); runs = N (2D+2).")] = 256,
    output: Annotated[Path, typer.Option("--output", "-o", help="Bar plot (PNG) to write.")] = Path("sensitivity.png"),
    parameter: Annotated[Optional[list[str]], typer.Option(
        "--parameter", "-p", help="Parameter to vary (repeatable; default: five bone/drug ones).")] = None,
    spread: Annotated[float, typer.Option("--spread", help="Relative range, +/- (0-1).")] = 0.5,
    endpoint: Annotated[str, typer.Option("--endpoint", help="Output column.")] = "bmd_lumbar_spine_pct_change",
    years: Annotated[float, typer.Option("--years", help="Time of the output (years).")] = 5.0,
) -> None:
    """Global (Sobol, SALib) sensitivity of an output to parameter ranges (postmenopausal woman on anastrozole)."""
    _writable(output, "figure")
    if n < 2:
        raise UserError("--n must be at least 2")
    sens = _lazy("boneaxis.population.sensitivity", "sensitivity")
    try:
        res = sens.sobol(n, tuple(parameter) if parameter else sens.DEFAULT_PARAMETERS, spread,
                         endpoint, years)
    except (ValueError, KeyError) as exc:
        raise UserError(str(exc)) from None
    typer.echo(res.table())
    res.plot(output)
    typer.echo(f"figure -> {output}")
    _disclaimer()


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit code (also used by ``python -m boneaxis.cli``)."""
    from .engine import SimulationError
    from .scenario import ScenarioError
    from .units import UnitError

    args = sys.argv[1:] if argv is None else list(argv)
    old_show = warnings.showwarning
    warnings.showwarning = _show_warning
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("default")
            warnings.showwarning = _show_warning
            cmd = typer.main.get_command(app)
            rc = cmd.main(args=args, prog_name="boneaxis", standalone_mode=False)
        return rc if isinstance(rc, int) and not isinstance(rc, bool) else 0
    except click_exc.NoArgsIsHelpError as exc:
        print(exc.ctx.get_help() if exc.ctx is not None else "usage: boneaxis COMMAND",
              file=sys.stderr)
        return EXIT_USER_ERROR
    except click_exc.UsageError as exc:
        _err(exc.format_message())
        return EXIT_USER_ERROR
    except click_exc.ClickException as exc:
        _err(exc.format_message())
        return exc.exit_code or EXIT_USER_ERROR
    except typer.Exit as exc:
        return int(getattr(exc, "exit_code", 0) or 0)
    except (typer.Abort, KeyboardInterrupt):
        _err("aborted")
        return 130
    except UserError as exc:
        _err(exc)
        return exc.exit_code
    except SimulationError as exc:
        _err(exc)
        return EXIT_SIMULATION_ERROR
    except (ScenarioError, UnitError) as exc:
        _err(exc)
        return EXIT_USER_ERROR
    except FileNotFoundError as exc:
        _err(f"file not found: {exc.filename or exc}")
        return EXIT_USER_ERROR
    except OSError as exc:
        where = f": {exc.filename}" if getattr(exc, "filename", None) else ""
        _err(f"{exc.strerror or exc}{where}")
        return EXIT_USER_ERROR
    except Exception as exc:  # an internal error: still one line unless debugging
        if os.environ.get("BONEAXIS_DEBUG"):
            raise
        _err(f"internal error ({type(exc).__name__}): {exc} "
             "(set BONEAXIS_DEBUG=1 for the traceback)")
        return EXIT_INTERNAL_ERROR
    finally:
        warnings.showwarning = old_show


if __name__ == "__main__":
    sys.exit(main())
