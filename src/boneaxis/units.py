"""Quantities with units: parse user text ("15 pmol/L", "1 mg", "twice weekly") into model units.

The model works in fixed units (names carry them: ``e2_pg_ml``, ``t_ng_dl``, ``dose_mg``, hours).
Conversions between mass and molar concentrations use each hormone's molar mass, so
"15 pmol/L" and "15 pg/mL" of estradiol are both accepted and differ (15 pmol/L = 4.09 pg/mL).
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

import pint


class UnitError(ValueError):
    """A quantity whose number or unit cannot be understood."""


@lru_cache(maxsize=1)
def ureg() -> pint.UnitRegistry:
    reg = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
    reg.define("international_unit = [biological_activity] = IU")
    return reg


MOLAR_MASS_G_PER_MOL = {
    "estradiol": 272.38,       # PubChem CID 5757
    "testosterone": 288.42,    # PubChem CID 6013
}

_NUMBER_UNIT = re.compile(
    r"^\s*([-+]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|(?i:nan|inf(?:inity)?)\b))\s*(.*?)\s*$")


def _normalise_unit_text(unit: str) -> str:
    u = unit.strip()
    u = re.sub(r"(?<=[a-zA-Z])([23])\b", r"**\1", u)   # cm2 -> cm**2
    u = u.replace("µ", "u").replace("μ", "u")
    u = re.sub(r"\bmIU\b", "milliIU", u)
    u = re.sub(r"\bIU\b", "IU", u)
    u = re.sub(r"\bmo\b|\bmonths?\b", "month", u)
    u = re.sub(r"\b(?:y|yr|yrs)\b", "year", u)
    u = re.sub(r"\b(?:d)\b", "day", u)
    u = re.sub(r"\b(?:wk|wks)\b", "week", u)
    return u


def parse(text: object, what: str) -> pint.Quantity:
    """Parse ``"<number> <unit>"``; a bare number or a non-numeric value is an error."""
    if isinstance(text, bool) or text is None:
        raise UnitError(f"{what}: expected '<number> <unit>', got {text!r}")
    if isinstance(text, (int, float)):
        if not math.isfinite(text):
            raise UnitError(f"{what}: {text!r} is not a finite number")
        raise UnitError(f"{what}: {text!r} has no unit; write e.g. '{text} <unit>'")
    m = _NUMBER_UNIT.match(str(text))
    if not m:
        raise UnitError(f"{what}: expected '<number> <unit>', got {text!r}")
    number, unit = float(m.group(1)), m.group(2)
    if not math.isfinite(number):
        raise UnitError(f"{what}: {text!r} is not a finite number")
    if not unit:
        raise UnitError(f"{what}: {text!r} has no unit; write e.g. '{m.group(1)} <unit>'")
    try:
        u = ureg().Unit(_normalise_unit_text(unit))
    except Exception:
        raise UnitError(f"{what}: unknown unit {unit!r} in {text!r}") from None
    return number * u


def _to(q: pint.Quantity, unit: str, what: str, original: object) -> float:
    try:
        return float(q.to(unit).magnitude)
    except pint.DimensionalityError:
        raise UnitError(f"{what}: {original!r} cannot be expressed in {unit}") from None


def hormone_conc(text: object, hormone: str, unit: str) -> float:
    """A hormone concentration in ``unit`` (mass/volume); molar inputs use the molar mass."""
    q = parse(text, hormone)
    if q.check("[substance]/[length]**3"):
        q = q * (MOLAR_MASS_G_PER_MOL[hormone] * ureg().gram / ureg().mole)
    return _to(q, unit, hormone, text)


def shbg_nmol_l(text: object) -> float:
    """SHBG as a molar concentration of binding sites ('45 nmol/L'; mass units are ambiguous)."""
    return _to(parse(text, "shbg"), "nmol/L", "shbg", text)


def lh_iu_l(text: object) -> float:
    return _to(parse(text, "lh"), "IU/L", "lh", text)


def mass_mg(text: object, what: str = "dose") -> float:
    return _to(parse(text, what), "mg", what, text)


def bmd_g_cm2(text: object, site: str) -> float:
    return _to(parse(text, f"bmd {site}"), "g/cm**2", f"bmd {site}", text)


_FREQUENCY_WORDS = {
    "daily": 24.0, "once daily": 24.0, "twice daily": 12.0, "weekly": 168.0,
    "once weekly": 168.0, "twice weekly": 84.0, "three times weekly": 56.0,
    "monthly": 730.5, "every other day": 48.0,
}


def duration_h(text: object, what: str) -> float:
    """A time span in hours; accepts the frequency words above (``twice weekly`` = every 3.5 d)."""
    if isinstance(text, str) and text.strip().lower() in _FREQUENCY_WORDS:
        return _FREQUENCY_WORDS[text.strip().lower()]
    return _to(parse(text, what), "hour", what, text)
