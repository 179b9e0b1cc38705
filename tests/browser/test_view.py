"""The farmhand view in headless Chromium: the web page and a report.

1. Starts `farmhand serve` (the built binary) on a free loopback port, with
   an API token, and loads `/`.
2. Uploads the CSV pair examples/workers.csv and examples/demands.csv (the
   real POST /v1/sheets/problem, nothing stubbed), types the token, asks for
   three stand-ins per slot, presses Match and waits for the plan.
3. Asserts the map has farms, workers and the date's assignment lines, the
   chart has its bars and the selected date, the unfilled table has rows
   with stand-ins, the schedule has rows, the date stepper moves (buttons and
   arrow keys); that the solution downloads as JSON, the assignments,
   unfilled and stand-in sheets as CSV byte for byte what `farmhand match
   --format csv` writes (byte order mark included) and the map as a GeoJSON
   FeatureCollection; and that there was no console error, no failed request
   and no request to another host.
4. Uploads a workers CSV with bad rows (CP949, as Korean Excel saves it) and
   asserts that every issue is listed by file, line and column; sends an
   invalid JSON problem and asserts that every issue is listed, naming the
   JSON path and the worker's id.
5. Writes a report with `farmhand match --report` from the same CSV pair,
   opens it over file:// and asserts the same, and that it made no request
   at all.

Screenshots go to OUT/page.png, OUT/report.png and OUT/csv-errors.png. Prints one line per
check group and closes with `browser: N passed, M failed`.
"""

import argparse
import base64
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

TOKEN = "browser-test-token"
TIMEOUT_MS = 30_000


class Watch:
    """Console errors, page errors, failed requests and foreign requests."""

    def __init__(self, page, allowed_prefixes):
        self.problems = []
        self.requests = []
        self.allowed = allowed_prefixes
        page.on("console", self._console)
        page.on("pageerror", lambda err: self.problems.append(f"page error: {err}"))
        page.on("requestfailed", self._failed)
        page.on("request", self._request)
        page.on("response", self._response)

    def _console(self, msg):
        if msg.type == "error":
            self.problems.append(f"console error: {msg.text}")

    def _failed(self, request):
        # A download's blob: navigation is reported as aborted; it is not a
        # request to anything.
        if request.url.startswith("blob:"):
            return
        self.problems.append(f"request failed: {request.method} {request.url} ({request.failure})")

    def _request(self, request):
        self.requests.append(request.url)
        if not request.url.startswith(self.allowed):
            self.problems.append(f"request to another origin: {request.url}")

    def _response(self, response):
        if response.status >= 400:
            self.problems.append(f"HTTP {response.status}: {response.request.method} {response.url}")

    def take(self):
        problems, self.problems = self.problems, []
        return problems


class Checks:
    def __init__(self, name):
        self.name = name
        self.failures = []

    def that(self, condition, what):
        if not condition:
            self.failures.append(what)

    def report(self):
        if self.failures:
            print(f"browser: FAIL {self.name}:")
            for f in self.failures:
                print(f"  - {f}")
        else:
            print(f"browser: ok   {self.name}")
        sys.stdout.flush()
        return not self.failures


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(binary, out):
    port = free_port()
    log = open(out / "server.log", "w")
    env = dict(os.environ, FARMHAND_API_TOKEN=TOKEN, RUST_LOG="warn")
    proc = subprocess.Popen(
        [binary, "serve", "--addr", f"127.0.0.1:{port}", "--shutdown-grace", "2"],
        stdout=log, stderr=subprocess.STDOUT, env=env,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        if proc.poll() is not None:
            raise SystemExit(f"browser: the server died at start; see {out / 'server.log'}")
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=1):
                return proc, base
        except OSError:
            time.sleep(0.1)
    proc.terminate()
    raise SystemExit("browser: the server did not answer /healthz")


def counts(page):
    """What the view drew, counted in the page."""
    return page.evaluate(
        """() => ({
            farms: document.querySelectorAll('#map circle.farm').length,
            short: document.querySelectorAll('#map circle.farm.short').length,
            workers: document.querySelectorAll('#map circle.worker').length,
            lines: document.querySelectorAll('#map line.assignment').length,
            scale: document.querySelectorAll('#map .scale text').length,
            legend: document.querySelectorAll('#legend li').length,
            bars: document.querySelectorAll('#chart rect.bar').length,
            selected: document.querySelectorAll('#chart rect.bar.selected').length,
            dates: document.querySelectorAll('#date-select option').length,
            date: document.getElementById('date-select').value,
            figures: document.querySelectorAll('#figures .figure').length,
            unfilled: document.querySelectorAll('#unfilled-table tbody tr:not(.empty)').length,
            standins: Array.from(document.querySelectorAll('#unfilled-table tbody td:last-child'))
                .filter(td => td.textContent.includes(' km)')).length,
            schedule: document.querySelectorAll('#schedule-table tbody tr').length,
            fill: document.querySelector('#figures .figure .value')?.textContent || '',
        })"""
    )


def check_view(checks, page, expect):
    """The assertions shared by the page and the report."""
    c = counts(page)
    checks.that(c["farms"] == expect["farms"], f"{c['farms']} farm circles, expected {expect['farms']}")
    checks.that(c["workers"] == expect["workers"], f"{c['workers']} worker dots, expected {expect['workers']}")
    checks.that(c["lines"] > 0, "no assignment lines on the map")
    checks.that(c["scale"] == 1, "no scale bar")
    checks.that(c["legend"] >= 7, f"the legend has {c['legend']} entries")
    checks.that(c["bars"] == expect["dates"] and c["dates"] == expect["dates"],
                f"{c['bars']} bars and {c['dates']} dates, expected {expect['dates']}")
    checks.that(c["selected"] == 1, f"{c['selected']} selected bars")
    checks.that(c["figures"] >= 6, f"{c['figures']} headline figures")
    checks.that(c["fill"] == expect["fill"], f"fill rate shown {c['fill']!r}, expected {expect['fill']!r}")
    checks.that(c["unfilled"] == expect["unfilled"], f"{c['unfilled']} unfilled rows, expected {expect['unfilled']}")
    checks.that(c["standins"] > 0, "no stand-ins listed")
    checks.that(c["schedule"] == expect["workers"], f"{c['schedule']} schedule rows")

    # The stepper: the next date by button, back by the arrow key.
    first = c["date"]
    page.click("#next-date")
    after = counts(page)
    checks.that(after["date"] != first and after["selected"] == 1, "the next button did not move the date")
    page.locator("h1").click()  # focus out of any input, as a reader would
    page.keyboard.press("ArrowLeft")
    back = counts(page)
    checks.that(back["date"] == first, "ArrowLeft did not step back")
    checks.that(back["lines"] == c["lines"], "the lines changed stepping back and forth")
    # A busy mid-season date, for the screenshot: the chart's eighth bar.
    page.locator("#chart rect.bar").nth(min(7, c["bars"] - 1)).click()
    checks.that(counts(page)["date"] != first, "clicking a bar did not select its date")
    return c


def expectation(problem, solution):
    days = set()
    for d in problem["demands"]:
        days.update(date_range(d["start"], d["end"]))
    for a in solution["assignments"]:
        days.add(a["date"])
    return {
        "farms": len({d["farm_id"] for d in problem["demands"]}),
        "workers": len(problem["workers"]),
        "dates": len(date_range(min(days), max(days))) if days else 0,
        "unfilled": len(solution["unfilled"]),
        "fill": f"{100 * solution['summary']['fill_rate']:.1f}%",
    }


def date_range(start, end):
    from datetime import date, timedelta
    a, b = date.fromisoformat(start), date.fromisoformat(end)
    return [(a + timedelta(days=i)).isoformat() for i in range((b - a).days + 1)]


def test_page(browser, base, inputs, problem, solution, cli_sheets, out):
    checks = Checks("page: / matches the example CSV pair, draws the plan and downloads it")
    context = browser.new_context(viewport={"width": 1366, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    watch = Watch(page, (base + "/", "blob:" + base, "data:"))
    page.goto(base + "/")
    checks.that(page.is_visible("#input-panel"), "no input panel")
    checks.that(page.is_hidden("#results"), "results shown before any match")
    page.fill("#token", TOKEN)
    page.fill("#standby", "3")
    page.set_input_files("#workers-file", str(inputs["workers"]))
    page.set_input_files("#demands-file", str(inputs["demands"]))
    page.click("#match-button")
    page.wait_for_selector("#results:not([hidden])")
    page.wait_for_selector("#map line.assignment", state="attached")
    checks.that("Solved" in page.text_content("#status"), f"status: {page.text_content('#status')!r}")
    check_view(checks, page, expectation(problem, solution))
    checks.that(page.evaluate("sessionStorage.getItem('farmhand-api-token')") == TOKEN,
                "the token is not kept in sessionStorage")

    with page.expect_download() as info:
        page.click("#download-json")
    downloaded = json.loads(Path(info.value.path()).read_text())
    checks.that(downloaded.get("assignments") and downloaded.get("summary"), "the JSON download is no solution")
    checks.that(len(downloaded["assignments"]) == len(solution["assignments"]),
                "the downloaded solution differs from the CLI's")

    # The sheets come from the server's export routes: exactly the CLI's
    # files, byte order mark and CRLF included (which only a Blob keeps).
    for button, name in (("#download-assignments-csv", "assignments.csv"),
                         ("#download-unfilled-csv", "unfilled.csv"),
                         ("#download-standby-csv", "standby.csv")):
        checks.that(page.is_visible(button), f"{button} is not shown")
        with page.expect_download() as info:
            page.click(button)
        data = Path(info.value.path()).read_bytes()
        checks.that(info.value.suggested_filename == "farmhand-" + name,
                    f"{button} saves as {info.value.suggested_filename!r}")
        checks.that(data.startswith(b"\xef\xbb\xbfdate,demand_id,farm_id,"),
                    f"{name} does not start with a BOM and its header: {data[:40]!r}")
        checks.that(data == (cli_sheets / name).read_bytes(),
                    f"{name} differs from `farmhand match --format csv`'s ({len(data)} bytes)")
    with page.expect_download() as info:
        page.click("#download-geojson")
    checks.that(info.value.suggested_filename == "farmhand-plan.geojson",
                f"the map saves as {info.value.suggested_filename!r}")
    geojson = json.loads(Path(info.value.path()).read_bytes())
    checks.that(geojson.get("type") == "FeatureCollection", "the GeoJSON is no FeatureCollection")
    kinds = [f["properties"]["kind"] for f in geojson.get("features", [])]
    checks.that(kinds.count("worker") == len(problem["workers"])
                and kinds.count("assignment") == len(solution["assignments"]),
                f"the map has {kinds.count('worker')} workers and {kinds.count('assignment')} lines")
    checks.that("Downloaded" in page.text_content("#status"), f"status: {page.text_content('#status')!r}")

    page.screenshot(path=str(out / "page.png"), full_page=True)
    for problem_seen in watch.take():
        checks.that(False, problem_seen)
    context.close()
    return checks.report()


def test_bad_csv(browser, base, demands_csv, out):
    """Bad rows in a CP949 workers sheet, against the real server."""
    checks = Checks("page: CSV files with bad rows list every issue by file, line and column")
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    watch = Watch(page, (base + "/", "data:"))
    # Excel on a Korean Windows saves "CSV (comma delimited)" as CP949: the
    # bytes must reach the server as they are, and the Korean id come back.
    workers = out / "workers-bad.csv"
    workers.write_bytes((
        "id,name,lat,lon,skills,availability\n"
        "w-완주-001,김민준,35.94,127.16,harvest:3,2027-04-05..2027-04-09\n"
        "w-완주-002,이서연,95.5,127.16,harvest:2,2027-04-05\n"
        "w-완주-001,박영수,35.90,127.10,,2027-04-31\n"
    ).encode("cp949"))
    page.goto(base + "/")
    page.fill("#token", TOKEN)
    page.set_input_files("#workers-file", str(workers))
    page.set_input_files("#demands-file", str(demands_csv))
    page.click("#match-button")
    page.wait_for_selector("#errors:not([hidden])")
    items = page.locator("#errors-list li").all_text_contents()
    checks.that(len(items) == 3, f"{len(items)} issues listed: {items}")
    expected = (("workers-bad.csv:3:lat", "95.5"), ("workers-bad.csv:4:id", "w-완주-001"),
                ("workers-bad.csv:4:availability", "2027-04-31"))
    for where, what in expected:
        checks.that(any(i.startswith(where + ":") and what in i for i in items),
                    f"no issue at {where} mentioning {what}: {items}")
    head = page.text_content("#errors-head")
    checks.that("The CSV files have 3 issues" in head, f"head: {head!r}")
    checks.that(page.is_hidden("#results"), "a plan is shown for invalid CSV files")
    page.locator("#input-panel").screenshot(path=str(out / "csv-errors.png"))
    unexpected = [p for p in watch.take() if "422" not in p]
    checks.that(not unexpected, f"unexpected: {unexpected}")
    context.close()
    return checks.report()


def test_invalid(browser, base, problem, out):
    checks = Checks("page: an invalid problem lists every issue with its row")
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    watch = Watch(page, (base + "/", "data:"))
    bad = json.loads(json.dumps(problem))
    bad["workers"][3]["location"]["lat"] = 123.5
    bad["demands"][1]["workers_per_day"] = 0
    # A warning alongside: listed apart, not counted among the issues.
    bad["workers"][5]["preferred_farms"] = ["no-such-farm"]
    path = out / "invalid-problem.json"
    path.write_text(json.dumps(bad, indent=2, ensure_ascii=False))
    page.goto(base + "/")
    page.fill("#token", TOKEN)
    page.set_input_files("#problem-file", str(path))
    page.click("#match-button")
    page.wait_for_selector("#errors:not([hidden])")
    items = page.locator("#errors-list li").all_text_contents()
    checks.that(len(items) == 2, f"{len(items)} issues listed: {items}")
    worker, demand = bad["workers"][3]["id"], bad["demands"][1]["id"]
    checks.that(any("workers[3].location.lat" in i and worker in i for i in items),
                f"no issue names workers[3].location.lat and {worker}: {items}")
    checks.that(any("demands[1].workers_per_day" in i and demand in i for i in items),
                f"no issue names demands[1].workers_per_day and {demand}: {items}")
    checks.that(page.is_hidden("#results"), "a plan is shown for an invalid problem")
    warned = page.locator("#errors-warnings li").all_text_contents()
    checks.that(len(warned) == 1 and "workers[5].preferred_farms" in warned[0]
                and "farm_not_in_demands" in warned[0],
                f"the warning alongside is not listed apart: {warned}")
    checks.that("1 warning" in page.text_content("#errors-warnings-head"),
                "the warnings' heading does not count them")

    # Without the token the page says what to do.
    page.fill("#token", "")
    page.click("#match-button")
    expect(page.locator("#errors-head")).to_contain_text("API token")

    # Only the expected answers: 422 and 401, nothing else.
    seen = watch.take()
    unexpected = [p for p in seen if "422" not in p and "401" not in p]
    checks.that(not unexpected, f"unexpected: {unexpected}")
    context.close()
    return checks.report()


def test_report(browser, binary, inputs, problem, out):
    checks = Checks("report: farmhand match --report of the CSV pair, opened over file://")
    report = out / "report.html"
    plan = out / "report-plan.json"
    run = subprocess.run([binary, "match", "--workers", str(inputs["workers"]), "--demands", str(inputs["demands"]),
                          "--standby", "3", "-o", str(plan), "--report", str(report), "-q"],
                         capture_output=True, text=True)
    if run.returncode != 0:
        checks.that(False, f"farmhand match --report failed: {run.stderr}")
        return checks.report()
    solution = json.loads(plan.read_text())
    context = browser.new_context(viewport={"width": 1366, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    url = report.resolve().as_uri()
    watch = Watch(page, (url, "data:"))
    page.goto(url)
    page.wait_for_selector("#map line.assignment", state="attached")
    checks.that(page.is_hidden("#input-panel"), "the report shows the input panel")
    check_view(checks, page, expectation(problem, solution))
    page.screenshot(path=str(out / "report.png"), full_page=True)
    for problem_seen in watch.take():
        checks.that(False, problem_seen)
    checks.that(watch.requests == [url], f"the report made requests: {watch.requests[1:]}")

    # The JSON download is the embedded solution as it is: none of the
    # fields the view adds for itself, so /v1/check takes it back.
    with page.expect_download() as info:
        page.click("#download-json")
    downloaded = json.loads(Path(info.value.path()).read_text())
    checks.that(downloaded == solution, "the report's JSON download is not the solution it embeds")
    context.close()
    return checks.report()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--examples", required=True, type=Path)
    parser.add_argument("--out", required=True, type=Path)
    args = parser.parse_args()
    out = args.out
    out.mkdir(parents=True, exist_ok=True)

    # A JSON problem, for the page's JSON path and its error listing.
    problem = json.loads((args.examples / "wanju-spring.json").read_text())

    workers_csv, demands_csv = args.examples / "workers.csv", args.examples / "demands.csv"
    inputs = {"workers": workers_csv, "demands": demands_csv}
    # What the page must show and download: the CLI's plan of the same pair
    # with the same three stand-ins, as JSON and as CSV sheets.
    sheets_args = [args.bin, "match", "--workers", str(workers_csv), "--demands", str(demands_csv),
                   "--standby", "3", "-q"]
    cli_sheets = out / "cli-sheets"
    subprocess.run(sheets_args + ["--format", "csv", "-o", str(cli_sheets)], check=True)
    solution = json.loads(subprocess.run(sheets_args, capture_output=True, text=True, check=True).stdout)

    server, base = start_server(args.bin, out)
    passed = failed = 0
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=args.chromium)
            # What the page shows is checked against the problem the server
            # reads from the pair (Korean ids and all).
            problem_for_page = sheets_problem(base, inputs)
            problem_for_page["options"]["standby_per_slot"] = 3
            results = [
                guarded(test_page, browser, base, inputs, problem_for_page, solution, cli_sheets, out),
                guarded(test_bad_csv, browser, base, demands_csv, out),
                guarded(test_invalid, browser, base, problem, out),
                guarded(test_report, browser, args.bin, inputs, problem_for_page, out),
            ]
            for ok in results:
                passed, failed = passed + ok, failed + (not ok)
            browser.close()
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
    print(f"browser: screenshots in {out / 'page.png'}, {out / 'report.png'} and {out / 'csv-errors.png'}")
    print(f"browser: {passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


def guarded(test, *args):
    """Runs one group; an exception (a timeout above all) fails that group."""
    try:
        return test(*args)
    except Exception as err:  # noqa: BLE001 - any error fails the group, and the run goes on
        print(f"browser: FAIL {test.__name__}: {type(err).__name__}: {err}")
        return False


def sheets_problem(base, inputs):
    def sheet(path):
        return {"name": path.name, "base64": base64.b64encode(path.read_bytes()).decode()}

    body = json.dumps({"workers": sheet(inputs["workers"]), "demands": sheet(inputs["demands"]),
                       "encoding": "auto"}).encode()
    req = urllib.request.Request(base + "/v1/sheets/problem", data=body, method="POST", headers={
        "content-type": "application/json", "authorization": f"Bearer {TOKEN}"})
    with urllib.request.urlopen(req, timeout=60) as res:
        return json.loads(res.read())


if __name__ == "__main__":
    sys.exit(main())
