"""A browser as a client of the chat service: headless Chromium (Debian's
`chromium`) opens a page whose script uses the browser's own `WebSocket`,
with the token in the query (browsers cannot set headers), chats, sends a
frame that breaks the schema, and tries a connection without a token.
Driven over the DevTools protocol with Python's `websockets`. Exits
non-zero on any difference from the contract.

    python chat_browser.py ws://127.0.0.1:9100
"""

import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile

import websockets

PAGE = """<!DOCTYPE html><html><body><pre id="out"></pre><pre id="refused"></pre><script>
const out = document.getElementById('out');
const ws = new WebSocket('URL/chat/general?token=token-alice');
ws.onopen = () => {
  ws.send(JSON.stringify({action: 'chat', payload: {message: 'from a browser'}}));
  ws.send(JSON.stringify({action: 'chat', payload: {message: ''}}));
};
ws.onmessage = (e) => { out.textContent += e.data + '\\n'; };
const refused = document.getElementById('refused');
const anon = new WebSocket('URL/chat/general');
anon.onopen = () => { refused.textContent = 'open'; };
anon.onclose = (e) => { refused.textContent += 'closed ' + e.code; };
</script></body></html>"""


def check(condition, what):
    if not condition:
        raise SystemExit(f"FAILED: {what}")
    print(f"ok: {what}")


async def main(url):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("FAILED: chromium is not installed")
    # Chromium's helper processes may still write to the profile while it
    # is removed: leftovers are no failure.
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as tmp:
        page = os.path.join(tmp, "chat.html")
        with open(page, "w") as f:
            f.write(PAGE.replace("URL", url))
        profile = os.path.join(tmp, "profile")
        browser = subprocess.Popen(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             f"--user-data-dir={profile}", "--remote-debugging-port=0", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            port_file = os.path.join(profile, "DevToolsActivePort")
            for _ in range(150):
                if os.path.exists(port_file) and open(port_file).read().count("\n") >= 1:
                    break
                await asyncio.sleep(0.1)
            port, path = open(port_file).read().split("\n")[:2]
            async with websockets.connect(f"ws://127.0.0.1:{port}{path}", max_size=None) as cdp:
                ids = iter(range(1, 1_000_000))

                async def call(method, session=None, **params):
                    n = next(ids)
                    message = {"id": n, "method": method, "params": params}
                    if session:
                        message["sessionId"] = session
                    await cdp.send(json.dumps(message))
                    while True:
                        reply = json.loads(await asyncio.wait_for(cdp.recv(), 20))
                        if reply.get("id") == n:
                            return reply.get("result", {})

                target = (await call("Target.createTarget", url="file://" + page))["targetId"]
                session = (await call("Target.attachToTarget", targetId=target, flatten=True))["sessionId"]
                text = ""
                for _ in range(100):
                    result = await call("Runtime.evaluate", session,
                                        expression="[out.textContent, refused.textContent]",
                                        returnByValue=True)
                    text, refused = result.get("result", {}).get("value", ["", ""])
                    if text.count("\n") >= 3 and refused:
                        break
                    await asyncio.sleep(0.1)
        finally:
            # The browser and every helper process it started.
            os.killpg(browser.pid, signal.SIGKILL)
            browser.wait()
    frames = [json.loads(line) for line in text.splitlines() if line]
    check(len(frames) == 3, f"the browser received three frames: {frames}")
    check(frames[0] == {"action": "user_joined", "payload": {"user": "alice"}},
          "a browser admitted by the query token is told it joined")
    check(frames[1]["action"] == "chat_notification"
          and frames[1]["payload"]["message"] == "from a browser"
          and frames[1]["payload"]["user"] == "alice",
          "its chat comes back as a chat_notification")
    check(frames[2]["action"] == "error" and frames[2]["payload"]["code"] == "invalid"
          and frames[2]["payload"]["errors"][0]["field"] == "/payload/message",
          "its empty message gets the error frame naming /payload/message")
    check(refused.startswith("closed") and "open" not in refused,
          f"a browser without a token is refused before it opens ({refused})")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
