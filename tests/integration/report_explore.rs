//! The demo run's `index.html` driven in a real headless Chromium through the DevTools
//! protocol (over `--remote-debugging-pipe`): the mouse wheel zooms the flow map, the
//! pointer over a hub shows its numbers, a click on a heading sorts the hubs table, typing
//! filters it, the date range filters the event map, and the page makes no network request.
//! Without Chromium the test fails when CI is set and is skipped otherwise.

use std::io::{BufRead, BufReader, Write};
use std::os::fd::{AsFd, AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const CHROMIUM: &str = "/usr/bin/chromium";

/// A Chromium driven through the DevTools protocol on file descriptors 3 (commands in)
/// and 4 (replies and events out), attached to one page.
struct Browser {
    child: Child,
    to: std::io::PipeWriter,
    from: mpsc::Receiver<Value>,
    next: u64,
    session: String,
    /// Every event received, in order.
    events: Vec<Value>,
}

impl Browser {
    fn launch(profile: &Path) -> Browser {
        let (cmd_r, cmd_w) = std::io::pipe().unwrap();
        let (out_r, out_w) = std::io::pipe().unwrap();
        let (cmd_fd, out_fd) = (cmd_r.as_raw_fd(), out_w.as_raw_fd());
        let mut cmd = Command::new(CHROMIUM);
        cmd.args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--window-size=1280,900",
            "--remote-debugging-pipe",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("about:blank")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
        // SAFETY: between fork and exec only async-signal-safe calls (fcntl, dup2) run.
        unsafe {
            cmd.pre_exec(move || {
                let (a, b) = (
                    std::os::fd::BorrowedFd::borrow_raw(cmd_fd),
                    std::os::fd::BorrowedFd::borrow_raw(out_fd),
                );
                // Out of the way of 3 and 4 first, then onto them (dup2 clears close-on-exec).
                let (a, b) = (
                    rustix::io::fcntl_dupfd_cloexec(a, 10)?,
                    rustix::io::fcntl_dupfd_cloexec(b, 10)?,
                );
                let mut three = OwnedFd::from_raw_fd(3);
                let mut four = OwnedFd::from_raw_fd(4);
                rustix::io::dup2(a.as_fd(), &mut three)?;
                rustix::io::dup2(b.as_fd(), &mut four)?;
                std::mem::forget((three, four));
                Ok(())
            });
        }
        let child = cmd.spawn().expect("chromium starts");
        drop((cmd_r, out_w));
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(out_r);
            let mut buf = Vec::new();
            while r.read_until(0, &mut buf).is_ok_and(|n| n > 0) {
                buf.pop();
                if let Ok(v) = serde_json::from_slice::<Value>(&buf)
                    && tx.send(v).is_err()
                {
                    return;
                }
                buf.clear();
            }
        });
        let mut b = Browser {
            child,
            to: cmd_w,
            from: rx,
            next: 0,
            session: String::new(),
            events: Vec::new(),
        };
        let targets = b.call("Target.getTargets", json!({}));
        let page = targets["targetInfos"]
            .as_array()
            .and_then(|t| t.iter().find(|t| t["type"] == "page"))
            .expect("a page target")["targetId"]
            .clone();
        let attached = b.call("Target.attachToTarget", json!({"targetId": page, "flatten": true}));
        b.session = attached["sessionId"].as_str().expect("session").to_string();
        for m in ["Page.enable", "Network.enable", "Runtime.enable"] {
            b.call(m, json!({}));
        }
        b
    }

    /// Sends a command (to the page once attached) and waits for its reply.
    fn call(&mut self, method: &str, params: Value) -> Value {
        self.next += 1;
        let id = self.next;
        let mut msg = json!({"id": id, "method": method, "params": params});
        if !self.session.is_empty() {
            msg["sessionId"] = json!(self.session);
        }
        let mut bytes = serde_json::to_vec(&msg).unwrap();
        bytes.push(0);
        self.to.write_all(&bytes).unwrap();
        let v = self.wait(|v| v["id"] == id);
        assert!(v.get("error").is_none(), "{method}: {v}");
        v["result"].clone()
    }

    /// Waits for a message matching `want`, keeping the events that arrive meanwhile.
    fn wait(&mut self, want: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let v = self.from.recv_timeout(left).expect("chromium answers within 60 s");
            if v.get("method").is_some() {
                self.events.push(v.clone());
            }
            if want(&v) {
                return v;
            }
        }
    }

    /// Evaluates `js` in the page; its value as JSON.
    fn eval(&mut self, js: &str) -> Value {
        let r = self.call("Runtime.evaluate", json!({"expression": js, "returnByValue": true}));
        assert!(r.get("exceptionDetails").is_none(), "{js}: {r}");
        r["result"]["value"].clone()
    }

    /// The centre of the element `selector` picks, scrolled into view, in window pixels.
    fn centre(&mut self, selector: &str) -> (f64, f64) {
        let js = format!(
            "(() => {{ const e = {selector}; e.scrollIntoView({{block: 'center'}}); \
             const r = e.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; }})()"
        );
        let v = self.eval(&js);
        (v[0].as_f64().unwrap(), v[1].as_f64().unwrap())
    }

    fn mouse(&mut self, kind: &str, (x, y): (f64, f64), extra: Value) {
        let mut p = json!({"type": kind, "x": x, "y": y});
        if let Value::Object(m) = extra {
            p.as_object_mut().unwrap().extend(m);
        }
        self.call("Input.dispatchMouseEvent", p);
    }

    fn click(&mut self, at: (f64, f64)) {
        let button = json!({"button": "left", "clickCount": 1});
        self.mouse("mousePressed", at, button.clone());
        self.mouse("mouseReleased", at, button);
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn the_report_zooms_shows_numbers_sorts_filters_and_stays_offline() {
    if !std::path::Path::new(CHROMIUM).exists() {
        assert!(std::env::var_os("CI").is_none(), "{CHROMIUM} is missing; CI must install it");
        eprintln!("note: {CHROMIUM} not found; skipping the explorable report test");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    assert_cmd::Command::cargo_bin("divnet")
        .unwrap()
        .env("DIVNET_NOW", "2026-06-01T12:00:00Z")
        .args(["run", "--no-cache", "--out"])
        .arg(&out)
        .assert()
        .success();
    let profile = tempfile::tempdir().unwrap();
    let mut b = Browser::launch(profile.path());
    let url = format!("file://{}", out.join("index.html").display());
    b.call("Page.navigate", json!({"url": url}));
    b.wait(|v| v["method"] == "Page.loadEventFired");

    // Hover the top hub of the flow map: the tooltip shows its numbers.
    let hub = "[...document.querySelectorAll('#fig-flow_map rect.mark')]\
               .find(m => m.dataset.tip.includes('\\nrank: 1\\n'))";
    let at = b.centre(hub);
    b.mouse("mouseMoved", at, json!({}));
    let tip = b.eval(
        "[document.getElementById('tip').hidden, document.getElementById('tip').textContent]",
    );
    assert_eq!(tip[0], false, "tooltip shown");
    let text = tip[1].as_str().unwrap();
    assert!(text.contains("rank: 1") && text.contains("flow betweenness:"), "{text}");
    let expected = b.eval(&format!("{hub}.dataset.tip"));
    assert_eq!(tip[1], expected);

    // The wheel zooms the flow map about the pointer; a double-click resets it.
    let vb = |b: &mut Browser| -> Vec<f64> {
        let s = b.eval("document.querySelector('#fig-flow_map svg').getAttribute('viewBox')");
        s.as_str().unwrap().split(' ').map(|x| x.parse().unwrap()).collect()
    };
    let before = vb(&mut b);
    let map = b.centre("document.querySelector('#fig-flow_map svg')");
    b.mouse("mouseWheel", map, json!({"deltaX": 0, "deltaY": -400}));
    let after = vb(&mut b);
    assert!(after[2] < before[2] * 0.9, "zoomed in: {before:?} -> {after:?}");
    assert!(after[0] > 0.0 && after[1] > 0.0, "about the pointer: {after:?}");
    b.mouse("mousePressed", map, json!({"button": "left", "clickCount": 2}));
    b.mouse("mouseReleased", map, json!({"button": "left", "clickCount": 2}));
    assert_eq!(vb(&mut b), before, "double-click resets");

    // A click on "flow betweenness" sorts the hubs table, ascending then descending.
    let table = "[...document.querySelectorAll('h3')].find(h => h.textContent == 'Top transit hubs')\
                 .nextElementSibling.nextElementSibling";
    let column = |b: &mut Browser| -> Vec<f64> {
        let v = b.eval(&format!(
            "[...{table}.tBodies[0].rows].filter(r => !r.hidden).map(r => parseFloat(r.cells[3].textContent.replace(/,/g, '')))"
        ));
        v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect()
    };
    let heading = b.centre(&format!("{table}.tHead.rows[0].cells[3]"));
    b.click(heading);
    let up = column(&mut b);
    assert!(up.len() > 3 && up.windows(2).all(|w| w[0] <= w[1]), "ascending: {up:?}");
    b.click(heading);
    let down = column(&mut b);
    assert!(down.windows(2).all(|w| w[0] >= w[1]), "descending: {down:?}");

    // Typing in the box above the table keeps the matching rows.
    let box_at = b.centre(&format!("{table}.previousElementSibling"));
    b.click(box_at);
    b.call("Input.insertText", json!({"text": "Austria"}));
    let rows = b.eval(&format!(
        "[...{table}.tBodies[0].rows].filter(r => !r.hidden).map(r => r.textContent)"
    ));
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(rows[0].as_str().unwrap().contains("Austria"));

    // The risk table sorts by its flag count and filters by a state's name.
    let risk = "[...document.querySelectorAll('h3')].find(h => h.textContent.startsWith('Diversion-risk screen'))\
                .nextElementSibling.nextElementSibling";
    let flags = |b: &mut Browser| -> Vec<f64> {
        let v = b.eval(&format!(
            "[...{risk}.tBodies[0].rows].filter(r => !r.hidden).map(r => parseFloat(r.cells[2].textContent))"
        ));
        v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect()
    };
    let heading = b.centre(&format!("{risk}.tHead.rows[0].cells[2]"));
    b.click(heading);
    let up = flags(&mut b);
    assert!(up.len() > 3 && up.windows(2).all(|w| w[0] <= w[1]), "ascending: {up:?}");
    assert!(up.first() < up.last(), "the demo's states differ in flags: {up:?}");
    b.click(heading);
    let down = flags(&mut b);
    assert!(down.windows(2).all(|w| w[0] >= w[1]), "descending: {down:?}");
    let box_at = b.centre(&format!("{risk}.previousElementSibling"));
    b.click(box_at);
    b.call("Input.insertText", json!({"text": "Libya"}));
    let rows = b.eval(&format!(
        "[...{risk}.tBodies[0].rows].filter(r => !r.hidden).map(r => r.cells[1].textContent)"
    ));
    assert_eq!(rows, json!(["LBY"]));

    // The date range of the event map hides the events outside it.
    let count = |b: &mut Browser| {
        b.eval("[...document.querySelectorAll('#explore [data-day]')].filter(m => m.style.display != 'none').length")
            .as_u64()
            .unwrap()
    };
    let all = count(&mut b);
    assert!(all > 1000, "{all} events on the map");
    b.eval(
        "(() => { const f = document.getElementById('t-from'); f.value = '2023-05-01'; \
         f.dispatchEvent(new Event('input')); const t = document.getElementById('t-to'); \
         t.value = '2023-12-31'; t.dispatchEvent(new Event('input')); })()",
    );
    let in_2023 = count(&mut b);
    assert!(in_2023 > 0 && in_2023 < all / 2, "{in_2023} of {all} in May-December 2023");
    let label = b.eval("document.getElementById('t-count').textContent");
    assert_eq!(label, json!(format!("{in_2023} of {all} events shown")));

    // Nothing but the page itself was requested.
    let requests: Vec<String> = b
        .events
        .iter()
        .filter(|e| e["method"] == "Network.requestWillBeSent")
        .map(|e| e["params"]["request"]["url"].as_str().unwrap_or_default().to_string())
        .collect();
    assert!(!requests.is_empty(), "the page load itself is seen");
    for r in &requests {
        assert!(r == &url || r.starts_with("data:"), "network request {r}");
    }
}
