// Keeps count of the app's script runs in window.__runs, for tests/e2e/conftest.py's settle():
// which reruns this page asked the server for, which run has finished for good, and whether a
// component that reports back once it is drawn (the sign-in page's cookie component) still has
// to. Added to every page before the app's own scripts (BrowserContext.add_init_script).
(() => {
  if (window.top !== window || window.__runs) return; // component frames have their own window
  const runs = (window.__runs = {
    asked: 0, // rerun requests sent (BackMsg.rerun_script): each click, Enter, page change …
    askedAtStart: 0, // `asked` when the latest run started (ForwardMsg.new_session)
    settledFor: -1, // `asked` of the latest run that finished for good
    running: false, // a run has started and not finished for good
    finished: 0, // runs finished for good so far
    drawn: 0, // `finished` as of two animation frames after the latest of them
    reported: new WeakMap(), // component window → `asked` when it sent its first value
  });
  // Two frames after a run finishes, the page has drawn what it got. Frames are asked for only
  // then: a page that asks for one on every frame keeps Chromium drawing 60 times a second
  // (about 8 % of a core per idle page), which slowed the whole suite.
  const afterTwoFrames = (n) =>
    requestAnimationFrame(() => requestAnimationFrame(() => (runs.drawn = Math.max(runs.drawn, n))));

  const bytes = (data) => {
    if (data instanceof ArrayBuffer) return new Uint8Array(data);
    if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    return null;
  };
  const varint = (b, i) => {
    let value = 0;
    let shift = 0;
    let byte;
    do {
      byte = b[i++];
      value += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    return [value, i];
  };
  // The top-level fields of a protobuf message: [[field number, varint value or bytes], …].
  const fields = (b) => {
    const out = [];
    let i = 0;
    while (i < b.length) {
      let tag;
      let value = null;
      [tag, i] = varint(b, i);
      const wire = tag & 7;
      if (wire === 0) [value, i] = varint(b, i);
      else if (wire === 2) {
        let n;
        [n, i] = varint(b, i);
        value = b.subarray(i, i + n);
        i += n;
      } else if (wire === 1) i += 8;
      else if (wire === 5) i += 4;
      else break;
      out.push([Math.floor(tag / 8), value]);
    }
    return out;
  };
  // ForwardMsg fields: new_session = 4, script_finished = 6 (0 finished, 1 compile error,
  // 2 stopped early for a rerun that follows, 3 a fragment's run finished).
  const received = (data) => {
    const b = bytes(data);
    if (!b) return;
    for (const [field, value] of fields(b)) {
      if (field === 4) {
        runs.running = true;
        runs.askedAtStart = runs.asked;
      } else if (field === 6 && value !== 2) {
        runs.running = false;
        runs.settledFor = runs.askedAtStart;
        runs.finished += 1;
        afterTwoFrames(runs.finished);
      }
    }
  };
  const Native = window.WebSocket;
  class Watched extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (event) => received(event.data));
    }
    send(data) {
      const b = bytes(data);
      if (b && b[0] === 0x5a) runs.asked += 1; // BackMsg field 11 (rerun_script) comes first
      return super.send(data);
    }
  }
  window.WebSocket = Watched;

  window.addEventListener("message", (event) => {
    const data = event.data;
    const value = data && data.isStreamlitMessage && data.type === "streamlit:setComponentValue";
    if (value && !runs.reported.has(event.source)) runs.reported.set(event.source, runs.asked);
  });

  // Settled: every rerun asked for has had its run, that run finished for good and the page
  // has drawn it (two frames since, the app showing "not running", no element still a
  // placeholder while its code loads), and no cookie component on the page is yet to report
  // back (it does once drawn, and the app then asks for another run: a moment later).
  window.__settled = () => {
    const app = document.querySelector("[data-testid='stApp']");
    if (!app || app.getAttribute("data-test-script-state") !== "notRunning") return false;
    if (runs.running || runs.settledFor !== runs.asked || runs.settledFor < 1) return false;
    if (runs.drawn < runs.finished) return false;
    if (app.querySelector("[data-testid='stSkeleton']")) return false;
    const cookies = document.querySelectorAll("iframe[title^='extra_streamlit_components.CookieManager']");
    return [...cookies].every((frame) => runs.asked > runs.reported.get(frame.contentWindow));
  };
})();
