// Drives Debian's headless Chromium through ParkTwin's browser client, for
// tests/tests/web_browser.rs (which starts the server, reads what this writes and asserts on it).
//
//   node browser.mjs park    URL OUT_DIR   load the map, wait for the park, screenshot, click a
//                                          layer's on/off box, screenshot again
//   node browser.mjs nowebgl URL OUT_DIR   the same page in a browser without WebGL
//   node browser.mjs signin  URL OUT_DIR   a server that lets only its people read: wait for the
//                                          sign-in, type the name (USER_NAME) and the password
//                                          (PASSWORD) as a person does, wait for the park
//   (WEBGPU=1 in the environment: a browser that offers WebGPU as well as WebGL2)
//   node browser.mjs wall    URL OUT_DIR   the video wall (URL ends in ?wall): screenshot, then
//                                          send it a view (VIEW: its JSON; TOKEN: an operator's)
//                                          and wait until the wall shows those layers
//
// It prints one JSON object: what the page did, every console error and page error, and timings.
// The map is drawn by SwiftShader (Chromium's software GPU), as on a machine without one.
import { chromium } from "playwright-core";
import { writeFileSync } from "node:fs";

const [mode, url, out] = process.argv.slice(2);
if (!mode || !url || !out) {
  console.error("usage: node browser.mjs park|nowebgl|wall|signin URL OUT_DIR");
  process.exit(2);
}
const args = [
  "--no-sandbox", "--no-first-run", "--disable-quic", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--enable-unsafe-swiftshader", "--ignore-gpu-blocklist",
];
if (process.env.WEBGPU === "1") {
  // WEBGPU=1: a browser that offers WebGPU (Dawn on SwiftShader's Vulkan). The compositor must
  // run on Vulkan too: with ANGLE on SwiftShader's GL, Chromium cannot share the WebGPU
  // canvas's images with it ("Could not find SharedImageBackingFactory") and the device is
  // lost at the first frame. ANGLE on SwiftShader's Vulkan offers no WebGL2 here, so this is
  // also a browser with WebGPU and no WebGL2.
  args.push("--enable-unsafe-webgpu", "--enable-features=Vulkan", "--use-vulkan=swiftshader",
    "--use-angle=vulkan", "--use-webgpu-adapter=swiftshader");
} else {
  // No GPU here: WebGL2 through ANGLE on SwiftShader; this Chromium then offers no WebGPU
  // adapter, and the page takes the WebGL2 module.
  args.push("--use-angle=swiftshader");
}
if (mode === "nowebgl") args.push("--disable-webgl", "--disable-3d-apis");
// How long a screenshot may wait for the page's next frame: a software GPU's frame takes
// seconds, and the first frame after an incident starts compiles the field's pipeline on the CPU
// (a CI run saw WebGPU on SwiftShader's Vulkan take over playwright's default 30 s).
const SHOT_MS = 180_000;
// Sends a JSON body from the page, as the page's own scripts would, with the operator's token
// (TOKEN); the answer's status.
const send = (page, method, path, body) => page.evaluate(async ([method, path, body, token]) => {
  const r = await fetch(path, { method, body,
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` } });
  return r.status;
}, [method, path, body, process.env.TOKEN]);

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args });
const report = { mode, console_errors: [], page_errors: [], requests_failed: [] };
try {
  const page = await browser.newPage({ viewport: { width: 1600, height: 1200 } });
  page.on("console", (m) => { if (m.type() === "error") report.console_errors.push(m.text()); });
  page.on("pageerror", (e) => report.page_errors.push(String(e)));
  page.on("requestfailed", (r) => report.requests_failed.push(`${r.url()}: ${r.failure()?.errorText}`));
  const started = Date.now();
  await page.goto(url, { waitUntil: "load" });
  if (mode === "nowebgl") {
    await page.waitForFunction(() => document.body.dataset.park === "failed", null, { timeout: 30_000 });
    report.problem = await page.textContent("#problem");
    await page.screenshot({ path: `${out}/nowebgl.png`, timeout: SHOT_MS });
  } else if (mode === "signin") {
    await page.waitForFunction(() => document.body.dataset.park === "sign-in", null, { timeout: 240_000, polling: 100 });
    report.asked_ms = Date.now() - started;
    const frame = () => page.evaluate(() => Number(document.body.dataset.frame ?? 0));
    const frames = async (n) => {
      const at = await frame();
      await page.waitForFunction((w) => Number(document.body.dataset.frame ?? 0) >= w, at + n,
        { timeout: 60_000, polling: 50 });
    };
    // Nothing of the park is read before the sign-in: the server refused the page's reads.
    report.cookies_before = (await page.context().cookies()).map((c) => c.name);
    await frames(3);
    await page.screenshot({ path: `${out}/sign-in.png`, timeout: SHOT_MS });
    // The form has the keyboard as it shows: the name, Tab to the password, Enter; each step in
    // frames of its own (a software GPU's frame takes seconds).
    await page.keyboard.type(process.env.USER_NAME);
    await frames(2);
    await page.keyboard.press("Tab");
    await frames(2);
    await page.keyboard.type(process.env.PASSWORD);
    await frames(2);
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => document.body.dataset.park === "drawn", null, { timeout: 240_000, polling: 100 });
    report.park_ms = Number(await page.evaluate(() => document.body.dataset.parkMs));
    const cookie = (await page.context().cookies()).find((c) => c.name === "parktwin_session");
    report.cookie = cookie ? { httpOnly: cookie.httpOnly, sameSite: cookie.sameSite, secure: cookie.secure } : null;
    // The page's scripts cannot read the session: it is HttpOnly.
    report.script_sees_cookie = await page.evaluate(() => document.cookie.includes("parktwin_session"));
    report.layers_after = (await page.evaluate(() => document.body.dataset.layers ?? "")).split(",").filter(Boolean);
    await page.waitForTimeout(3000);
    await page.screenshot({ path: `${out}/park.png`, timeout: SHOT_MS });
  } else if (mode === "wall") {
    await page.waitForFunction(() => document.body.dataset.park === "drawn", null, { timeout: 240_000, polling: 100 });
    report.park_ms = Number(await page.evaluate(() => document.body.dataset.parkMs));
    await page.waitForTimeout(4000);
    await page.screenshot({ path: `${out}/wall.png`, timeout: SHOT_MS });
    report.layers_before = (await page.evaluate(() => document.body.dataset.layers ?? "")).split(",").filter(Boolean);
    const sent = Date.now();
    const status = await send(page, "PUT", "/api/v1/wall", process.env.VIEW);
    if (status !== 200) throw new Error(`PUT /wall answered ${status}`);
    const want = JSON.parse(process.env.VIEW).layers.join(",");
    await page.waitForFunction((w) => document.body.dataset.layers === w, want, { timeout: 30_000, polling: 100 });
    report.followed_ms = Date.now() - sent;
    report.layers_after = (await page.evaluate(() => document.body.dataset.layers ?? "")).split(",").filter(Boolean);
  } else {
    // A cold SwiftShader compiles Bevy's shaders on the CPU: give the first frame time.
    await page.waitForFunction(() => document.body.dataset.park === "drawn", null, { timeout: 240_000, polling: 100 });
    report.park_ms = Number(await page.evaluate(() => document.body.dataset.parkMs));
    // The API the page chose, and the one the app's renderer says it runs on.
    report.api = await page.evaluate(() => document.body.dataset.api);
    report.gpu = await page.evaluate(() => document.body.dataset.gpu);
    report.gpu_adapter = await page.evaluate(() => document.body.dataset.gpuAdapter);
    report.module_ms = Number(await page.evaluate(() => document.body.dataset.moduleMs));
    report.wall_ms = Date.now() - started;
    // Let the labels and the live layers settle, then the first picture.
    await page.waitForTimeout(3000);
    await page.screenshot({ path: `${out}/park.png`, timeout: SHOT_MS });
    const state = () => page.evaluate(() => ({
      layers: (document.body.dataset.layers ?? "").split(",").filter(Boolean),
      toggles: JSON.parse(document.body.dataset.toggles ?? "{}"),
    }));
    const before = await state();
    report.layers_before = before.layers;
    const target = process.env.TOGGLE_LAYER ?? "tanks";
    const box = before.toggles[target];
    if (!box) throw new Error(`no on/off box for the layer ${target} on the panel`);
    // Pressed as a hand presses: the pointer arrives, the button goes down, comes up, each step
    // in frames of its own (data-frame counts the app's frames): egui takes a press and its
    // release within one frame as no click, and SwiftShader's frames take seconds, more when
    // the machine is busy. A person's hundred-millisecond press spans several frames on a GPU.
    const frame = () => page.evaluate(() => Number(document.body.dataset.frame ?? 0));
    const frames = async (n) => {
      const at = await frame();
      await page.waitForFunction((w) => Number(document.body.dataset.frame ?? 0) >= w, at + n,
        { timeout: 60_000, polling: 50 });
    };
    const centre = (b) => [b[0] + 9, b[1] + b[3] / 2];
    report.clicked = { layer: target, at: centre(box) };
    await page.mouse.move(...report.clicked.at);
    await frames(2);
    // The panel may have moved under the pointer (the live section above grew): follow the box.
    const moved = (await state()).toggles[target];
    if (moved && (moved[0] !== box[0] || moved[1] !== box[1])) {
      report.clicked.at = centre(moved);
      report.clicked.moved = true;
      await page.mouse.move(...report.clicked.at);
      await frames(2);
    }
    await page.mouse.down();
    await frames(2);
    await page.mouse.up();
    await page.waitForFunction(
      (id) => !(document.body.dataset.layers ?? "").split(",").includes(id), target, { timeout: 60_000 });
    await page.waitForTimeout(1500);
    report.layers_after = (await state()).layers;
    await page.screenshot({ path: `${out}/toggled.png`, timeout: SHOT_MS });
    // An incident started now (INCIDENT: its JSON; TOKEN: an operator's) reaches the open
    // page through the feed, and the GPU draws its field in WebGL2.
    if (process.env.INCIDENT) {
      const status = await send(page, "POST", "/api/v1/incidents", process.env.INCIDENT);
      if (status !== 201) throw new Error(`POST /incidents answered ${status}`);
      await page.waitForFunction(() => document.body.dataset.incidents === "1", null, { timeout: 60_000, polling: 200 });
      // The field's pipeline is compiled on first use, by SwiftShader on the CPU: give it time.
      await page.waitForTimeout(20_000);
      await page.screenshot({ path: `${out}/incident.png`, timeout: SHOT_MS });
    }
  }
} catch (e) {
  report.failure = String(e);
  try {
    const pages = browser.contexts().flatMap((c) => c.pages());
    if (pages[0]) await pages[0].screenshot({ path: `${out}/failure.png` });
  } catch {}
} finally {
  await browser.close();
}
writeFileSync(`${out}/report.json`, JSON.stringify(report, null, 2));
console.log(JSON.stringify(report));
process.exit(report.failure ? 1 : 0);
