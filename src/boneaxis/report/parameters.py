"""Generate ``docs/parameters.md`` from the parameter table (``python -m boneaxis.report.parameters``)."""

from __future__ import annotations

import sys
from pathlib import Path

from ..model.parameters import PARAMETERS, fitted_file_info
from ..model.pk import DRUGS


def markdown() -> str:
    info = fitted_file_info()
    lines = [
        "# Model parameters",
        "",
        "Generated from `src/boneaxis/model/parameters.py` and `fitted_parameters.json` "
        f"(version `{info['version']}`, sha256 `{info['sha256'][:12]}`) by "
        "`python -m boneaxis.report.parameters docs/parameters.md`. Do not edit by hand.",
        "",
        "| name | value | unit | fitted | description | source |",
        "|---|---|---|---|---|---|",
    ]
    for p in PARAMETERS.values():
        fitted = f"yes, in [{p.bounds[0]:g}, {p.bounds[1]:g}]" if p.fitted else "no"
        lines.append(f"| `{p.name}` | {p.value:.4g} | {p.unit} | {fitted} | {p.description} | {p.source} |")
    lines += ["", "## Drugs", "", "| drug | route | ka (1/h) | ke (1/h) | F | V (L) | default | source |",
              "|---|---|---|---|---|---|---|---|"]
    for d in DRUGS.values():
        lines.append(f"| `{d.name}` | {d.route} | {d.ka_per_h:.4g} | {d.ke_per_h:.4g} | "
                     f"{d.bioavailability:g} | {d.volume_l:.4g} | {d.default_regimen} | {d.source} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    text = markdown()
    if argv:
        Path(argv[0]).write_text(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":  # pragma: no cover
    main()
