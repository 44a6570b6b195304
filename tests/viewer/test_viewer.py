#!/usr/bin/env python3
"""The trace viewer (viewer/index.html) in a real browser: headless Chromium driven by Selenium.

Runs chapter 06 for its trace, opens it in the page, steps to the worked example's first backward
record and reads δ and ∂L/∂w5 from the commentary (docs/chapters/06-backprop-shallow.md: δ_o1 =
0.138498562 and ∂E/∂w5 = δ_o1·out_h1 = 0.082167041; w5 is layers[2].W(0, 0)), clicks the edge w5
and the unit o1 and reads their formulas, opens a gradient check, then loads two traces of the
worked example whose specs differ in one initial weight (w6 = layers[2].W(0, 1): 0.45 and 0.46) and
finds that weight as the first difference. Last, the page `glassbox view` writes opens with its trace
inside. Last of all, every chapter's program writes its default trace, and each opens with every
event indexed and every view drawn without an error in the browser's console. A screenshot of each
view goes to --screenshots.

Exit 0 when every check holds, 1 when one fails (with what was expected and what the page showed),
2 when the browser or Selenium is missing (a failure too: configure with -DGLASSBOX_TEST_VIEWER=OFF
to leave this test out).
"""
import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

parser = argparse.ArgumentParser()
parser.add_argument("--source", required=True, help="the repository (viewer/, examples/)")
parser.add_argument("--bin", required=True, help="the folder of ch06_backprop_shallow and glassbox")
parser.add_argument("--work", required=True, help="a folder for the traces this test writes")
parser.add_argument("--screenshots", required=True, help="where the screenshots go")
parser.add_argument("--chromedriver", default="/usr/bin/chromedriver")
parser.add_argument("--chromium", default="/usr/bin/chromium")
parser.add_argument("--large", help="also open this (large) trace and print how long indexing took")
args = parser.parse_args()

try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError as e:
    print(f"viewer test: cannot import selenium ({e}): install python3-selenium (scripts/install-deps), "
          "or configure with -DGLASSBOX_TEST_VIEWER=OFF", file=sys.stderr)
    sys.exit(2)
for what, path in (("chromedriver", args.chromedriver), ("chromium", args.chromium)):
    if not os.access(path, os.X_OK):
        print(f"viewer test: {what} not found at {path}: install chromium and chromium-driver (scripts/install-deps), "
              "or configure with -DGLASSBOX_TEST_VIEWER=OFF", file=sys.stderr)
        sys.exit(2)

source, bindir = Path(args.source).resolve(), Path(args.bin).resolve()
work, shots = Path(args.work).resolve(), Path(args.screenshots).resolve()
work.mkdir(parents=True, exist_ok=True)
shots.mkdir(parents=True, exist_ok=True)
failures = []


def check(condition, what, shown=""):
    if condition:
        print(f"ok    {what}")
    else:
        print(f"FAIL  {what}" + (f"\n      the page shows: {shown}" if shown else ""))
        failures.append(what)


def run(*command):
    subprocess.run([str(c) for c in command], check=True, stdout=subprocess.DEVNULL, cwd=source)


# ---- the traces -------------------------------------------------------------------------------
ch06 = work / "ch06_backprop_shallow.json"
run(bindir / "ch06_backprop_shallow", "--quiet", "--trace", ch06)
gradcheck = work / "relu_kink.gradcheck.json"
subprocess.run([str(bindir / "glassbox"), "gradcheck", "examples/relu_kink.json", "--quiet", "--trace", str(gradcheck)],
               cwd=source, stdout=subprocess.DEVNULL)  # exit 1: the kink is not a pass, and that is what it shows
spec = json.loads((source / "examples/worked_example.json").read_text())
spec_a, spec_b = work / "worked_example_a.json", work / "worked_example_b.json"
spec_a.write_text(json.dumps(spec))
spec["network"]["layers"][1]["weights"][0][1] = 0.46  # w6: 0.45 → 0.46
spec_b.write_text(json.dumps(spec))
trace_a, trace_b = work / "a.json", work / "b.json"
run(bindir / "glassbox", "run", spec_a, "--quiet", "--trace", trace_a)
run(bindir / "glassbox", "run", spec_b, "--quiet", "--trace", trace_b)
# Fields a trace may gain (an optimizer's state and learning rate on updates, validation on epochs,
# anything new): trace a.json with them added by hand, for the page to show and not trip over.
extended = work / "extended.json"


def with_fields(line, fields):
    """The event on `line` (one element of the trace's array, with its comma) with `fields` set."""
    body = line.rstrip("\n")
    comma = body.endswith(",")
    event = json.loads(body[:-1] if comma else body)
    event.update(fields)
    return json.dumps(event, separators=(",", ":"), ensure_ascii=False) + ("," if comma else "") + "\n"



with open(trace_a) as f, open(extended, "w") as out:
    for line in f:
        if line.startswith('{"event":"update"') and '"parameter":"layers[2].W"' in line:
            line = with_fields(line, {"learning_rate": 0.25, "state": {"velocity": [[7.5, 0], [0, 0]], "step_count": 1},
                                      "unknown_field": [1, 2]})
        elif line.startswith('{"event":"epoch"'):
            line = with_fields(line, {"val_loss": 0.125, "val_accuracy": 0.5, "learning_rate": 0.25})
        out.write(line)
page = work / "a.html"
run(bindir / "glassbox", "view", trace_a, "-o", page)
# Every chapter's trace as the chapter writes it by default (its default level and settings) — but
# chapter 12, which trains on Fashion-MNIST for minutes: 2,000 of its images for one epoch (its step
# traced in full, 100, is then not reached and the trace stays small), and nothing without the data.
CHAPTER_OPTIONS = {"ch12_fashion_mnist": ["--limit", "2000", "--epochs", "1"]}
FASHION_MNIST = Path("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz")
chapter_traces = []
for program in sorted(bindir.glob("ch[0-9][0-9]_*")):
    if program.name == "ch12_fashion_mnist" and not FASHION_MNIST.exists():
        continue
    trace = work / "chapters" / f"{program.name}.json"
    trace.parent.mkdir(exist_ok=True)
    run(program, "--quiet", "--trace", trace, *CHAPTER_OPTIONS.get(program.name, []))
    chapter_traces.append(trace)

# ---- the browser ------------------------------------------------------------------------------
options = webdriver.ChromeOptions()
options.binary_location = args.chromium
for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1000",
             "--allow-file-access-from-files"):
    options.add_argument(flag)
started = time.monotonic()
driver = webdriver.Chrome(service=Service(args.chromedriver), options=options)
wait = WebDriverWait(driver, 10)


def text(css):
    return driver.find_element(By.CSS_SELECTOR, css).text


def number_after(pattern, haystack):
    """The number the regular expression's group 1 matches, or None."""
    m = re.search(pattern, haystack)
    return float(m.group(1)) if m else None


def close(x, expected, tolerance=5e-10):
    return x is not None and abs(x - expected) <= tolerance


def shot(name):
    driver.save_screenshot(str(shots / f"{name}.png"))


def open_files(*paths):
    driver.find_element(By.ID, "file").send_keys("\n".join(str(p) for p in paths))


def step_next():
    """Next record, and wait until the page shows it (the commentary changes)."""
    before = text("#commentary")
    driver.find_element(By.ID, "next").click()
    wait.until(lambda d: d.find_element(By.ID, "commentary").text != before)


def loaded(count):
    wait.until(lambda d: d.execute_script("return GB.traces.length") >= count)


try:
    driver.get((source / "viewer" / "index.html").as_uri())
    open_files(ch06)
    loaded(1)
    wait.until(lambda d: d.find_element(By.ID, "commentary").text.startswith("forward"))
    check(text("#commentary").startswith("forward through layers[0]"), "the player opens at the first forward record",
          text("#commentary"))

    # Step to the worked example's first backward record: next, next.
    for _ in range(6):
        if text("#commentary").startswith("backward"):
            break
        step_next()
    commentary = text("#commentary")
    check(commentary.startswith("backward through layers[2]"), "‘next’ reaches the first backward record, layers[2]", commentary)
    # δ_o1 = 0.138498562 and ∂E/∂w5 = 0.082167041 (the lesson, to 9 decimals).
    check(close(number_after(r"δ of unit 0 = [-0-9.e]+ · [-0-9.e]+ = ([-0-9.e]+)", commentary), 0.138498562),
          "the commentary gives δ of unit 0 (o1) = ∂L/∂a · g′(z) = 0.138498562", commentary)
    check(close(number_after(r"∂L/∂W\(0, 0\) = δ · a_in = [-0-9.e]+ · [-0-9.e]+ = ([-0-9.e]+)", commentary), 0.082167041),
          "the commentary gives ∂L/∂W(0, 0), w5's gradient, = 0.082167041", commentary)
    lesson = " ".join((source / "docs/chapters/06-backprop-shallow.md").read_text().split())
    quoted = commentary[commentary.find("δ of unit 0"):]
    check(quoted.startswith("δ of unit 0") and quoted in lesson, "lesson 06 quotes this commentary as the page prints it", quoted)
    shot("steps")

    # Click the edge w5 = layers[2].W(0, 0): its formula.
    driver.execute_script('document.querySelector(\'[data-edge="2:0:0"]\').dispatchEvent(new MouseEvent("click", {bubbles: true}))')
    wait.until(lambda d: "layers[2].W(0, 0)" in d.find_element(By.ID, "explain").text)
    explain = text("#explain")
    check(close(number_after(r"\nw = ([-0-9.e]+)", explain), 0.40), "edge w5: w = 0.4 before the update", explain)
    check(close(number_after(r"∂L/∂w = δ0 · a_in0 = [-0-9.e]+ · [-0-9.e]+ = ([-0-9.e]+)", explain), 0.082167041),
          "edge w5: ∂L/∂w = δ0 · a_in0 = 0.082167041", explain)
    check(close(number_after(r"Δw = −η · ∂L/∂w = −0\.5 · [-0-9.e]+ = ([-0-9.e]+)", explain), -0.5 * 0.082167041),
          "edge w5: Δw = −η·∂L/∂w with η = 0.5", explain)
    check(close(number_after(r"w after = w \+ Δw = ([-0-9.e]+)", explain), 0.358916480), "edge w5: w after = 0.358916480", explain)
    shot("edge-w5")

    # Click the unit o1 (column 2, unit 0): z, a, δ with the numbers.
    driver.find_element(By.CSS_SELECTOR, '[data-unit="2:0"] circle').click()
    wait.until(lambda d: "unit 0 of layers[2]" in d.find_element(By.ID, "explain").text)
    explain = text("#explain")
    check(close(number_after(r"z0 = Σᵢ W\[0,i\]·xᵢ \+ b0 = .* = ([-0-9.e]+)\n", explain), 1.10590597, 5e-9),
          "unit o1: z = Σ W·x + b = 1.10590597", explain)
    check(close(number_after(r"a0 = sigmoid\(z0\) = ([-0-9.e]+)", explain), 0.751365070), "unit o1: a = sigmoid(z) = 0.75136507", explain)
    check(close(number_after(r"δ0 = ∂L/∂a0 · g′\(z0\) = 0\.74136507 · 0\.186815602 = ([-0-9.e]+)", explain), 0.138498562),
          "unit o1: δ = ∂L/∂a · g′(z) = 0.74136507 · 0.186815602 = 0.138498562", explain)
    shot("unit-o1")

    # The curves of chapter 06's runs (xor, circles).
    driver.find_element(By.CSS_SELECTOR, 'nav.tabs button[data-tab="curves"]').click()
    charts = driver.find_elements(By.CSS_SELECTOR, "#curves-plots svg.plot")
    check(len(charts) >= 2, "the Curves tab draws the loss and the accuracy per epoch", f"{len(charts)} charts")
    legend = text("#curves-runs")
    check("xor" in legend and "circles" in legend, "the curves are those of the runs xor and circles", legend)
    shot("curves")

    driver.find_element(By.CSS_SELECTOR, 'nav.tabs button[data-tab="stats"]').click()
    stats = text("#stats-body")
    check("layers[2].W" in stats and "∂L/∂θ" in stats, "the Statistics tab has the layers' weights and gradients", stats[:300])
    shot("statistics")

    # A gradient check and its verdicts.
    open_files(gradcheck)
    loaded(2)
    driver.find_element(By.CSS_SELECTOR, 'nav.tabs button[data-tab="gradcheck"]').click()
    wait.until(lambda d: "Check:" in d.find_element(By.ID, "gradcheck-body").text)
    body = text("#gradcheck-body")
    check("kink" in body and "layers[0].W" in body, "the Gradient check tab lists the ReLU kink's elements and verdicts", body[:300])
    shot("gradcheck")

    # Two traces that differ in one weight: the first difference is that weight.
    open_files(trace_a, trace_b)
    loaded(4)
    driver.find_element(By.CSS_SELECTOR, 'nav.tabs button[data-tab="diff"]').click()
    names = driver.execute_script("return GB.traces.map(t => t.name)")
    check(names == [ch06.name, gradcheck.name, trace_a.name, trace_b.name], "four traces are open, each once", str(names))
    driver.execute_script("document.getElementById('diff-a').value = '2'; document.getElementById('diff-b').value = '3';")
    driver.find_element(By.ID, "diff-first").click()
    wait.until(lambda d: d.find_elements(By.ID, "diff-address"))
    address = {row.find_element(By.TAG_NAME, "th").text: row.find_element(By.TAG_NAME, "td").text
               for row in driver.find_elements(By.CSS_SELECTOR, "#diff-address tr")}
    check(address.get("event") == "the header" and address.get("field") == "hyperparameters.network.layers[1].weights"
          and address.get("element") == "(0, 1)", "the first difference is w6, layers[1].weights(0, 1) of the spec in the header",
          str(address))
    check(text("#diff-value-a") == "0.45" and text("#diff-value-b") == "0.46", "its values are 0.45 and 0.46",
          text("#diff-value-a") + " / " + text("#diff-value-b"))
    shot("diff")
    driver.find_element(By.ID, "diff-next").click()
    wait.until(lambda d: "at event" in d.find_element(By.ID, "diff-verdict").text)
    address = {row.find_element(By.TAG_NAME, "th").text: row.find_element(By.TAG_NAME, "td").text
               for row in driver.find_elements(By.CSS_SELECTOR, "#diff-address tr")}
    check(address.get("kind") == "forward" and address.get("layer") == "2" and address.get("field") == "z"
          and address.get("element") == "(0, 0)", "the next difference is what w6 changes first: z of o1 in layers[2]'s forward pass",
          str(address))
    # Within a tolerance as wide as the change, the traces agree.
    driver.find_element(By.ID, "diff-rtol").clear()
    driver.find_element(By.ID, "diff-rtol").send_keys("0.1")
    driver.find_element(By.ID, "diff-first").click()
    wait.until(lambda d: "agree" in d.find_element(By.ID, "diff-verdict").text)
    check("agree within the tolerance" in text("#diff-verdict"), "with rtol 0.1 the two traces agree", text("#diff-verdict"))

    # New fields: the optimizer's state and learning rate, validation curves.
    open_files(extended)
    loaded(5)
    driver.find_element(By.CSS_SELECTOR, 'nav.tabs button[data-tab="steps"]').click()
    for _ in range(10):
        if "layers[2].W" in text("#commentary") and text("#commentary").startswith("update"):
            break
        step_next()
    commentary = text("#commentary")
    check("state: velocity 7.5, step_count 1" in commentary,
          "an update with a state: the commentary names the state's values", commentary)
    optimizer = text("#optimizer")
    check("velocity" in optimizer and "7.5" in optimizer and "0.25" in optimizer, "the optimizer's state and η are tabled", optimizer)
    shot("optimizer-state")
    driver.find_element(By.CSS_SELECTOR, 'nav.tabs button[data-tab="curves"]').click()
    check("extended.json (validation)" in text("#curves-plots"), "validation loss is drawn when epochs carry val_loss", text("#curves-plots")[:300])

    # The page `glassbox view` wrote carries its trace: it opens with no file chosen.
    driver.get(page.as_uri())
    wait.until(lambda d: d.find_element(By.ID, "commentary").text.startswith("forward"))
    check("a.json" in text("#trace-list") and "glassbox" in text("#trace-list"), "the page of `glassbox view` opens its inlined trace",
          text("#trace-list"))
    shot("glassbox-view")

    if args.large:
        driver.get((source / "viewer" / "index.html").as_uri())
        open_files(Path(args.large).resolve())
        WebDriverWait(driver, 120).until(lambda d: d.execute_script("return GB.traces.length") >= 1)
        wait.until(lambda d: d.find_element(By.ID, "commentary").text != "")
        ms = driver.execute_script("return GB.traces[0].loadMilliseconds")
        print(f"large trace: {os.path.getsize(args.large) / 1e6:.0f} MB, {driver.execute_script('return GB.traces[0].count')} "
              f"events, indexed in {ms:.0f} ms")
        t0 = time.monotonic()
        for _ in range(20):
            driver.find_element(By.ID, "next").click()
        driver.find_element(By.ID, "last").click()
        wait.until(lambda d: d.find_element(By.ID, "commentary").text != "")
        print(f"large trace: 20 × next and a jump to the last record in {1000 * (time.monotonic() - t0):.0f} ms")
        shot("large")
    errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    check(not errors, "no errors in the browser's console", "; ".join(e["message"] for e in errors))

    # Every chapter's default trace opens, and every view of it draws without an error in the console.
    check(len(chapter_traces) >= 11, f"every chapter's program was found ({len(chapter_traces)})")
    for trace in chapter_traces:
        driver.get((source / "viewer" / "index.html").as_uri())
        open_files(trace)
        loaded(1)
        wait.until(lambda d: d.find_element(By.ID, "commentary").text != "")
        events = sum(1 for line in trace.open() if line.startswith('{"event":'))
        count = driver.execute_script("return GB.traces[0].count")
        for tab in ("curves", "gradcheck", "stats", "steps"):
            buttons = driver.find_elements(By.CSS_SELECTOR, f'nav.tabs button[data-tab="{tab}"]')
            if buttons:
                buttons[0].click()
                time.sleep(0.05)
        trouble = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        check(count == events and not trouble, f"{trace.name}: {events} events indexed, every view drawn without an error",
              f"{count} events indexed; " + "; ".join(trouble))
finally:
    driver.quit()

print(f"viewer test: {time.monotonic() - started:.1f} s in the browser; screenshots in {shots}")
if failures:
    print(f"viewer test: {len(failures)} check(s) failed", file=sys.stderr)
    sys.exit(1)
