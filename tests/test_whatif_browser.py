"""The what-if simulator in a real browser: headless Chromium driven by selenium.

The reports are rendered once (``pii report … --formats html --renderer builtin``), opened from
``file://`` (no network), and the numbers the page's JavaScript shows — after the "plan
targets" and "cheapest path" buttons and after sliders and number boxes are set — are compared
with the analysis (``pii analyze --json`` and the library's own functions): Bắc Giang 2023 on
published data (48,45 and 9/63 at the plan's targets), an interval rank on published data
(Thanh Hóa 2024), two demo provinces of 2023 and one of 2024 (exact ranks).

Needs Debian's ``chromium`` and ``chromium-driver`` and the ``selenium`` package (test extra);
skipped, with the reason, where they are missing.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from conftest import ROOT, run_cli

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"

try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    SELENIUM = ""
except ImportError as exc:  # pragma: no cover - depends on the machine
    SELENIUM = str(exc)


def _skip_reason() -> str:
    if SELENIUM:
        return f"selenium cannot be imported ({SELENIUM}); pip install -e '.[test]'"
    for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not os.access(path, os.X_OK):
            return f"{path} not found; apt-get install {package}"
    return ""


pytestmark = [pytest.mark.e2e,
              pytest.mark.skipif(bool(_skip_reason()), reason=_skip_reason() or "ok")]

# name → (province, edition, data, params, lang)
CASES = {
    "bac-giang": ("bac-giang", 2023, "published", "params/bac-giang.yaml", "vi"),
    "thanh-hoa": ("thanh-hoa", 2024, "published", "", "vi"),
    "demo-bac-giang": ("bac-giang", 2023, "demo", "params/bac-giang.yaml", "vi"),
    "demo-lao-cai": ("lao-cai", 2023, "demo", "", "vi"),
    "demo-ca-mau": ("ca-mau", 2024, "demo", "", "en"),
}


def _html_path(out: Path, pid: str, edition: int, data: str, lang: str) -> Path:
    folder = out / ("demo" if data == "demo" else "") / str(edition) / pid
    return folder / (f"{pid}.html" if lang == "vi" else f"{pid}.{lang}.html")


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """Render each case's HTML report once; the analysis JSON of each case."""
    out = tmp_path_factory.mktemp("whatif")
    env = {"PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH"))
                                         if p)}
    found = {}
    for name, (pid, edition, data, params, lang) in CASES.items():
        args = ["report", pid, "--edition", edition, "--data", data, "--formats", "html",
                "--renderer", "builtin", "--out", out]
        args += ["--params", params] if params else []
        res = run_cli(*args, lang=lang, env=env)
        assert res.returncode == 0, (name, res.stderr)
        args = ["analyze", pid, "--edition", edition, "--data", data, "--json"]
        args += ["--params", params] if params else []
        res = run_cli(*args, env=env)
        assert res.returncode == 0, (name, res.stderr)
        found[name] = (_html_path(out, pid, edition, data, lang), json.loads(res.stdout))
    return found


@pytest.fixture(scope="module")
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="pii-chromium-")
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", f"--user-data-dir={profile}",
                "--window-size=1280,1600"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


class Page:
    """The simulator of one opened report."""

    def __init__(self, driver, path: Path) -> None:
        self.driver = driver
        driver.get(path.resolve().as_uri())
        self.section = driver.find_element(By.CSS_SELECTOR, "section.whatif")
        assert self.section.get_attribute("data-whatif-ready") == "1"  # the script ran
        self.model = json.loads(driver.execute_script(
            "return arguments[0].querySelector('script.whatif-model').textContent",
            self.section))

    def out(self, name: str) -> str:
        return self.driver.execute_script(
            "var e = arguments[0].querySelector('[data-out=\"' + arguments[1] + '\"]');"
            "return e ? e.textContent : null;", self.section, name)

    def click(self, preset: str) -> None:
        self.section.find_element(By.CSS_SELECTOR, f'button[data-preset="{preset}"]').click()

    def row(self, code: str) -> int:
        return [i["code"] for i in self.model["model"]["indicators"]].index(code)

    def slide(self, code: str, value: float) -> None:
        """Set a slider as a user would: value, then an ``input`` event."""
        self.driver.execute_script(
            "var s = arguments[0].querySelector('tr[data-wi=\"' + arguments[1] + '\"] "
            "input.wi-slider'); s.value = arguments[2];"
            "s.dispatchEvent(new Event('input', {bubbles: true}));",
            self.section, self.row(code), str(value))

    def type(self, code: str, text: str) -> None:
        box = self.section.find_element(
            By.CSS_SELECTOR, f'tr[data-wi="{self.row(code)}"] input.wi-box')
        box.send_keys(Keys.CONTROL, "a")  # select what is there, then type over it
        box.send_keys(text)

    def box(self, code: str) -> str:
        return self.section.find_element(
            By.CSS_SELECTOR, f'tr[data-wi="{self.row(code)}"] input.wi-box'
        ).get_attribute("value")

    def errors(self) -> list:
        return [e for e in self.driver.get_log("browser") if e["level"] == "SEVERE"]


def _expected(name: str, values: dict[str, float]) -> tuple[float, list[int], dict]:
    """PII, rank interval and pillar scores for slider values, from the analysis's functions
    (effective weights, ``rank_interval``) — independent of the simulator's model."""
    from pii_lib.data.layers import load_dataset
    from pii_lib.method.context import edition_context, rank_interval

    pid, edition, data, _, _ = CASES[name]
    ctx = edition_context(load_dataset(data, edition))
    pii = ctx.get("score", pid, "PII")
    pillars = {p: ctx.get("score", pid, p) for p in ctx.framework.codes("pillar")}
    for code, value in values.items():
        delta = value - ctx.get("score", pid, code)
        pii += ctx.weight(code) * delta
        pillar = ctx.framework.pillar_of(code)
        if pillars[pillar] is not None:
            pillars[pillar] += delta * ctx.weight(code) / ctx.weight(pillar)
    return pii, list(rank_interval(ctx, pid, "PII", pii)), pillars


def _num(x: float | None, lang: str) -> str:
    from pii_lib.present.wording import number

    return number(x, lang)


def _rank(rank: list[int], n: int, lang: str) -> str:
    from pii_lib.present.narrative import rank_text
    from pii_lib.present.wording import wording

    return rank_text(wording(lang), None, rank, n)


def test_bac_giang_plan_targets_show_48_45_and_rank_9(pages, browser):
    path, analysis = pages["bac-giang"]
    page = Page(browser, path)
    assert page.out("pii") == "46,51" and page.out("rank") == "11/63"
    fetched = browser.execute_script(
        "return performance.getEntriesByType('resource').map(function (e) { return e.name; })")
    assert all(u.startswith(("data:", "file:")) for u in fetched), fetched  # no network
    page.click("plan")
    assert analysis["projection"]["pii"] == 48.45 and analysis["projection"]["rank"] == 9
    assert page.out("pii") == "48,45" and page.out("rank") == "9/63"
    assert page.out("pii-delta") == "+1,94 so với hiện tại"
    assert page.out("gap") == "đạt, hơn 0,70"
    for change in analysis["projection"]["pillars"]:
        assert page.out(f"pillar-{change['code']}") == _num(change["projected"], "vi")
    assert page.out("sub-IN") == "—"  # unknown today, unknown then
    page.click("cheapest")
    assert page.out("pii") == _num(analysis["goal"]["threshold_score"], "vi") == "47,75"
    assert page.out("rank") == "10/63" and page.out("gap") == "đạt"
    page.click("today")
    assert page.out("pii") == "46,51" and page.out("rank") == "11/63"
    assert page.out("gap") == "cần thêm 1,24"
    assert page.errors() == []


def test_bac_giang_sliders_and_boxes_match_the_analysis(pages, browser):
    path, _ = pages["bac-giang"]
    page = Page(browser, path)
    cases = [{"1.1.1": 55.55, "6.1.1": 80.0, "3.1.1": 12.34},
             {"6.1.1": 0.0, "7.1.2": 0.0, "3.1.1": 0.0, "1.2.1": 0.0},  # falls: an interval
             {"6.1.1": 100.0, "7.1.2": 100.0, "6.3.3": 100.0}]
    for values in cases:
        page.click("today")
        for code, value in values.items():
            page.slide(code, value)
        pii, rank, pillars = _expected("bac-giang", values)
        assert page.out("pii") == _num(pii, "vi"), values
        assert page.out("rank") == _rank(rank, 63, "vi"), values
        for code, score in pillars.items():
            assert page.out(f"pillar-{code}") == _num(score, "vi"), (values, code)
    page.click("today")
    page.type("6.1.1", "60,5")  # a number box, with the Vietnamese decimal comma
    pii, rank, _ = _expected("bac-giang", {"6.1.1": 60.5})
    assert page.out("pii") == _num(pii, "vi") and page.out("rank") == _rank(rank, 63, "vi")
    page.type("6.1.1", "abc")  # refused: the last valid value stays
    assert page.out("pii") == _num(pii, "vi")
    assert page.errors() == []


def test_interval_rank_on_published_data(pages, browser):
    path, analysis = pages["thanh-hoa"]
    page = Page(browser, path)
    assert page.out("rank") == "26/63"
    code = page.model["model"]["indicators"][0]["code"]
    page.slide(code, 100)
    pii, rank, _ = _expected("thanh-hoa", {code: 100.0})
    assert rank[0] < rank[1]
    assert page.out("pii") == _num(pii, "vi")
    assert page.out("rank") == _rank(rank, 63, "vi") == f"{rank[0]}–{rank[1]}/63"
    assert page.errors() == []


@pytest.mark.parametrize("name", ["demo-bac-giang", "demo-lao-cai", "demo-ca-mau"])
def test_demo_provinces_give_exact_ranks_like_the_analysis(pages, browser, name):
    path, analysis = pages[name]
    lang = CASES[name][4]
    page = Page(browser, path)
    model = page.model["model"]
    assert model["rank"]["exact"] is True and len(model["indicators"]) == 52
    assert page.out("pii") == _num(analysis["pii"]["score"], lang)
    assert page.out("rank") == _rank([analysis["pii"]["rank"]] * 2, 63, lang)
    if analysis["projection"]["pii"] is not None:  # the plan's targets (Bắc Giang's params)
        page.click("plan")
        assert page.out("pii") == _num(analysis["projection"]["pii"], lang)
        assert page.out("rank") == _rank(analysis["projection"]["rank_range"], 63, lang)
    if analysis["goal"]["cheapest_path"]:
        page.click("cheapest")
        assert page.out("pii") == _num(analysis["goal"]["threshold_score"], lang)
        assert page.out("rank") == _rank([analysis["goal"]["rank"]] * 2, 63, lang)
    page.click("today")
    codes = [i["code"] for i in model["indicators"]]
    values = {codes[0]: 99.99, codes[5]: 0.5, codes[-1]: 73.25, codes[20]: 41.0}
    for code, value in values.items():
        page.slide(code, value)
    pii, rank, pillars = _expected(name, values)
    assert rank[0] == rank[1]
    assert page.out("pii") == _num(pii, lang) and page.out("rank") == _rank(rank, 63, lang)
    for code, score in pillars.items():
        assert page.out(f"pillar-{code}") == _num(score, lang), code
    # the raw value each slider position means (the edition's min and max are known)
    ind = model["indicators"][5]
    assert ind["national_min"] is not None
    raw = ind["national_min"] + (0.5 / 100 if ind["direction"] >= 0 else 1 - 0.5 / 100) * (
        ind["national_max"] - ind["national_min"])
    cell = page.section.find_element(By.CSS_SELECTOR, 'tr[data-wi="5"] .wi-raw').text
    assert cell.startswith(_num(raw, lang))
    assert page.box(codes[5]) == _num(0.5, lang)
    assert page.errors() == []


@pytest.mark.skipif(shutil.which("quarto") is None, reason="quarto not on PATH")
def test_the_simulator_works_the_same_in_the_quarto_html(tmp_path, browser):
    """Quarto keeps the simulator's raw HTML as written (no table processing) and its script
    runs in Quarto's page: Bắc Giang 2023's plan targets give 48,45 and 9/63 there too."""
    env = {"PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH"))
                                         if p)}
    res = run_cli("report", "bac-giang", "--edition", "2023", "--formats", "html", "--renderer",
                  "quarto", "--out", tmp_path, lang="vi", env=env)
    assert res.returncode == 0, res.stderr
    page = Page(browser, tmp_path / "2023" / "bac-giang" / "bac-giang.html")
    assert page.out("pii") == "46,51" and page.out("rank") == "11/63"
    page.click("plan")
    assert page.out("pii") == "48,45" and page.out("rank") == "9/63"
    page.slide("6.1.1", 0)
    assert page.out("pii") != "48,45"
    assert page.errors() == []
