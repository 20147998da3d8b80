"""The page in a real browser: Playwright for Python driving Debian's Chromium, headless.

Skipped (never failed) when /usr/bin/chromium or the playwright package is missing; never runs
``playwright install``.  A screenshot is saved under tests/artifacts/.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from pathlib import Path

import pytest

from boneaxis import DISCLAIMER

pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parent / "artifacts"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run",
        "--disable-dev-shm-usage"]
TIMEOUT_MS = 60_000


@pytest.fixture(scope="module")
def server():
    uvicorn = pytest.importorskip("uvicorn")
    from boneaxis.web.app import app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    th = threading.Thread(target=srv.run, daemon=True)
    th.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        if time.monotonic() > deadline or not th.is_alive():
            pytest.fail("the web server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    th.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as p:
        try:
            b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True,
                                  timeout=TIMEOUT_MS)
        except Exception as exc:  # a broken browser install is an environment problem
            pytest.skip(f"chromium did not start: {exc}")
        yield b
        b.close()


def _points(page, chart_id: str) -> int:
    """Number of drawn points in a chart's data lines."""
    return page.eval_on_selector_all(
        f"#{chart_id} path.series", "ps => ps.reduce((n, p) => n + (p.getAttribute('d') || '')"
        ".split(/[ML]/).length - 1, 0)")


def test_fill_run_switch_unit_compare_download(server, browser, tmp_path):
    ARTIFACTS.mkdir(exist_ok=True)
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = ctx.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server + "/")
    page.wait_for_selector("#phenotype option", state="attached")
    page.wait_for_selector("#treatments .treatment")
    assert " ".join(page.get_by_role("note").inner_text().split()) == DISCLAIMER

    # fill the form (by label, as a user would)
    page.get_by_label("Phenotype").select_option("postmenopausal_woman")
    page.get_by_label("Age (years)").fill("64")
    page.get_by_label("Years since menopause").fill("14")
    page.get_by_label("Estradiol", exact=True).fill("7")
    page.get_by_role("button", name="Adjuvant anastrozole 5 years").click()
    assert page.locator("#treatments .treatment").count() == 1
    page.get_by_label("Duration (years)").fill("2")
    page.get_by_role("button", name="Run simulation").click()
    page.wait_for_function("document.querySelector('#status').textContent.startsWith('Simulated')")
    assert _points(page, "chart-bmd") > 100
    assert _points(page, "chart-anastrozole") > 100
    assert "estradiol (pg/mL)" in page.inner_text("#chart-e2")
    assert "#s=" in page.url
    shared = page.url

    # switch a unit: the typed value is converted and the chart's axis follows
    page.get_by_label("Estradiol unit").select_option("pmol/L")
    assert float(page.get_by_label("Estradiol", exact=True).input_value()) == pytest.approx(25.7, abs=0.1)
    page.wait_for_function("document.querySelector('#chart-e2').textContent.includes('pmol/L')")

    # download the CSV
    with page.expect_download() as dl:
        page.get_by_role("button", name="Download CSV").click()
    csv = tmp_path / "out.csv"
    dl.value.save_as(csv)
    lines = csv.read_text().splitlines()
    assert lines[0].startswith("time_days,anastrozole_ng_ml,") and len(lines) == 732
    with page.expect_download() as dl:
        page.get_by_role("button", name="Download scenario file").click()
    sc_file = tmp_path / "scenario.json"
    dl.value.save_as(sc_file)
    import boneaxis
    assert boneaxis.load_scenario(sc_file).patient.phenotype == "postmenopausal_woman"

    page.screenshot(path=str(ARTIFACTS / "web_single.png"), full_page=True)

    # compare two scenarios
    page.get_by_role("button", name="Add to comparison").click()
    page.get_by_role("button", name="+ zoledronic acid").click()
    page.get_by_role("button", name="Add to comparison").click()
    page.get_by_label("Scenario 2 name").fill("with zoledronic acid")
    page.get_by_role("button", name="Compare scenarios").click()
    page.wait_for_function("document.querySelector('#status').textContent.startsWith('Compared 2')")
    summary = page.inner_text("#summary")
    assert "with zoledronic acid" in summary and "spine BMD %" in summary
    assert page.locator("#chart-bmd path.series").count() == 6
    with page.expect_download() as dl:
        page.get_by_role("button", name="Download CSV").click()
    dl.value.save_as(tmp_path / "cmp.csv")
    assert "with zoledronic acid: bmd_lumbar_spine_pct_change" in (tmp_path / "cmp.csv").read_text()
    page.screenshot(path=str(ARTIFACTS / "web_compare.png"), full_page=True)

    # the shared URL reloads the same result
    page2 = ctx.new_page()
    page2.set_default_timeout(TIMEOUT_MS)
    page2.goto(shared)
    page2.wait_for_function("document.querySelector('#status').textContent.startsWith('Simulated')")
    assert page2.get_by_label("Age (years)").input_value() == "64"
    assert _points(page2, "chart-bmd") == _points(page, "chart-bmd") // 2 or _points(page2, "chart-bmd") > 100

    # invalid input: a message next to the field, no crash
    page2.get_by_label("Age (years)").fill("12")
    page2.get_by_role("button", name="Run simulation").click()
    page2.wait_for_selector("#errors li")
    assert "age" in page2.inner_text("#errors")
    assert page2.get_by_label("Age (years)").get_attribute("aria-invalid") == "true"

    # phone-sized screen: no horizontal scrolling of the page
    phone = browser.new_context(viewport={"width": 375, "height": 740})
    p3 = phone.new_page()
    p3.set_default_timeout(TIMEOUT_MS)
    p3.goto(shared)
    p3.wait_for_function("document.querySelector('#status').textContent.startsWith('Simulated')")
    p3.screenshot(path=str(ARTIFACTS / "web_phone.png"), full_page=True)
    assert p3.evaluate("document.documentElement.scrollWidth") <= 375 + 1
    phone.close()
    ctx.close()
    assert not errors, errors
