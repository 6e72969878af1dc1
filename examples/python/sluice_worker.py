#!/usr/bin/env python3
"""A Sluice remote worker in plain Python (3.9+, standard library only).

Use it as a library:

    from sluice_worker import Worker

    worker = Worker("http://localhost:8080", slots=4, api_key="...")

    @worker.job("resize-image", schema={"type": "object", "required": ["url"]})
    def resize(payload, ctx):
        ctx.progress(50, "halfway")          # renews the lease too
        if ctx.cancelled:                     # the job was cancelled (the server answered 410)
            return None
        return {"resized": payload["url"]}   # the job's result (any JSON)

    worker.run()                              # until SIGTERM / SIGINT

or run the demo:

    python3 examples/python/sluice_worker.py --url http://localhost:8080 --type resize-image --slots 4

What it does: registers its types (PUT /api/job-types/{type}, when given a schema and an admin key or
no keys configured), claims jobs for its free slots only (POST /api/workers/{id}/claim, long-polling),
runs each on a thread of its own pool, renews the leases of the jobs it holds from a background thread
(POST /api/jobs/{id}/heartbeat), and reports each end (POST /api/jobs/{id}/complete or /fail). A
handler that raises fails the job (retried with back-off while attempts remain); raising
PermanentFailure fails it for good. On SIGTERM it stops claiming, lets running jobs finish for up to
--grace seconds, and hands back what is still running (POST /api/jobs/{id}/release), so nothing waits
for a lease to run out.
"""
import argparse
import json
import logging
import os
import signal
import socket
import threading
import time
import traceback
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

log = logging.getLogger("sluice_worker")


class PermanentFailure(Exception):
    """Raise from a handler when retrying cannot help: the job fails at once, whatever attempts are left."""


class LeaseLost(Exception):
    """The lease no longer holds the job (it was recovered after the lease ran out): stop, report nothing."""


class _HttpError(Exception):
    def __init__(self, status, body):
        super().__init__("HTTP %s: %s" % (status, body[:300]))
        self.status = status
        self.body = body


class Context:
    """What a handler gets beside the payload: the job's id and attempt, progress, and whether it was cancelled."""

    def __init__(self, worker, job):
        self._worker = worker
        self.id = job["id"]
        self.type = job["type"]
        self.attempt = job["attempt"]
        self.lease_token = job["leaseToken"]
        self.cancelled = False
        self.lease_lost = False

    def progress(self, percent, message=""):
        """Reports progress (0-100); renews the lease at the same time."""
        self._worker._renew(self, {"progress": int(percent), "message": str(message)})


class Worker:
    def __init__(self, url, worker_id=None, slots=4, api_key=None, wait="20s", grace=25.0):
        self.url = url.rstrip("/")
        self.worker_id = worker_id or "%s-%d" % (socket.gethostname().replace(".", "-")[:40], os.getpid())
        self.slots = int(slots)
        self.api_key = api_key
        self.wait = wait
        self.grace = float(grace)
        self._handlers = {}
        self._held = {}  # job id -> Context
        self._lock = threading.Condition()
        self._stopping = threading.Event()
        self._pool = ThreadPoolExecutor(max_workers=self.slots, thread_name_prefix="sluice-job")
        self._renew_every = 5.0

    # --- declaring work

    def job(self, type_name, schema=None, timeout=None, max_attempts=None, priority=None, description=""):
        """Decorator: registers fn(payload, ctx) for a remote job type; with a schema, declares the type too."""

        def register(fn):
            self._handlers[type_name] = fn
            if schema is not None:
                definition = {"description": description, "payloadSchema": schema}
                if timeout:
                    definition["timeout"] = timeout
                if max_attempts:
                    definition["maxAttempts"] = max_attempts
                if priority:
                    definition["priority"] = priority
                self._call("PUT", "/api/job-types/" + type_name, definition)
            return fn

        return register

    # --- running

    def run(self):
        """Claims and runs jobs until stop() or SIGTERM/SIGINT; then finishes or hands back what it holds."""
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, lambda *_: self.stop())
            signal.signal(signal.SIGINT, lambda *_: self.stop())
        renewer = threading.Thread(target=self._renew_loop, name="sluice-renew", daemon=True)
        renewer.start()
        log.info("worker %s: %d slots, types %s, at %s", self.worker_id, self.slots, sorted(self._handlers), self.url)
        backoff = 0.5
        while not self._stopping.is_set():
            with self._lock:
                while len(self._held) >= self.slots and not self._stopping.is_set():
                    self._lock.wait(0.5)
                free = self.slots - len(self._held)
            if self._stopping.is_set():
                break
            try:
                status, jobs, state = self._claim(free)
                backoff = 0.5
            except (OSError, _HttpError) as e:
                log.warning("claim failed (%s); retrying in %.1fs", e, backoff)
                self._stopping.wait(backoff)
                backoff = min(backoff * 2, 10)
                continue
            if self._stopping.is_set():  # stopped while the claim was out: hand back what it brought
                for job in jobs or []:
                    self._release(job["id"], job["leaseToken"])
                break
            if state == "stop":
                log.info("told to stop")
                break
            if state == "quiet":
                self._stopping.wait(2)
                continue
            for job in jobs or []:
                ctx = Context(self, job)
                with self._lock:
                    self._held[job["id"]] = ctx
                    self._renew_every = max(0.2, min(self._renew_every, self._seconds_left(job) / 3))
                self._pool.submit(self._execute, job, ctx)
        self._shutdown()

    def stop(self):
        self._stopping.set()
        with self._lock:
            self._lock.notify_all()

    def _claim(self, free):
        body = {"types": sorted(self._handlers), "max": free, "slots": self.slots, "wait": self.wait}
        status, data, headers = self._request("POST", "/api/workers/%s/claim" % self.worker_id, body)
        return status, data if status == 200 else [], headers.get("Sluice-Worker-State", "run")

    def _execute(self, job, ctx):
        try:
            result = self._handlers[job["type"]](job["payload"], ctx)
            if ctx.cancelled or ctx.lease_lost:
                return
            self._report(ctx, "complete", {"leaseToken": ctx.lease_token, "result": result})
        except LeaseLost:
            pass
        except PermanentFailure as e:
            self._report(ctx, "fail", {"leaseToken": ctx.lease_token, "retryable": False,
                                       "error": {"type": type(e).__name__, "message": str(e) or type(e).__name__}})
        except Exception as e:  # the job fails; Sluice retries it with back-off while attempts remain
            log.debug("job %s failed: %s", job["id"], traceback.format_exc())
            self._report(ctx, "fail", {"leaseToken": ctx.lease_token,
                                       "error": {"type": type(e).__name__, "message": str(e) or type(e).__name__}})
        finally:
            with self._lock:
                self._held.pop(job["id"], None)
                self._lock.notify_all()

    def _report(self, ctx, verb, body):
        for delay in (0, 0.5, 1, 2, 4):  # the same report again is harmless: the server answers it as before
            time.sleep(delay)
            try:
                self._call("POST", "/api/jobs/%s/%s" % (ctx.id, verb), body)
                return
            except _HttpError as e:
                if e.status in (404, 409, 410):
                    log.info("job %s: %s not recorded (%s)", ctx.id, verb, e.status)
                    return
            except OSError as e:
                log.warning("job %s: %s failed (%s); retrying", ctx.id, verb, e)

    def _renew_loop(self):
        while True:
            time.sleep(self._renew_every)
            with self._lock:
                held = list(self._held.values())
            for ctx in held:
                self._renew(ctx, {})
            if not held and not self._stopping.is_set():
                try:  # an idle worker between long polls stays registered
                    self._request("POST", "/api/workers/%s/beat" % self.worker_id, {})
                except (OSError, _HttpError):
                    pass

    def _renew(self, ctx, extra):
        if ctx.cancelled or ctx.lease_lost:
            return
        body = {"leaseToken": ctx.lease_token}
        body.update(extra)
        try:
            self._call("POST", "/api/jobs/%s/heartbeat" % ctx.id, body)
        except _HttpError as e:
            if e.status == 410:
                ctx.cancelled = True
            elif e.status in (404, 409):
                ctx.lease_lost = True
        except OSError as e:
            log.warning("job %s: lease renewal failed (%s)", ctx.id, e)

    def _shutdown(self):
        deadline = time.time() + self.grace
        with self._lock:
            while self._held and time.time() < deadline:
                self._lock.wait(0.2)
            left = list(self._held.values())
        for ctx in left:  # still running after the grace period: back to the head of its queue, attempt given back
            ctx.lease_lost = True
            self._release(ctx.id, ctx.lease_token)
        self._pool.shutdown(wait=False)
        log.info("worker %s stopped", self.worker_id)

    def _release(self, job_id, lease_token):
        try:
            self._call("POST", "/api/jobs/%s/release" % job_id, {"leaseToken": lease_token})
            log.info("job %s handed back", job_id)
        except (OSError, _HttpError) as e:
            log.warning("job %s could not be handed back (%s); its lease will run out", job_id, e)

    @staticmethod
    def _seconds_left(job):
        expires = datetime.fromisoformat(job["leaseExpiresAt"].replace("Z", "+00:00")).timestamp()
        return max(0.6, expires - time.time())

    # --- HTTP

    def _call(self, method, path, body):
        status, data, _ = self._request(method, path, body)
        return data

    def _request(self, method, path, body):
        request = urllib.request.Request(self.url + path, method=method, data=json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json", "Accept": "application/json"})
        if self.api_key:
            request.add_header("X-API-Key", self.api_key)
        try:
            with urllib.request.urlopen(request, timeout=90) as response:
                raw = response.read()
                return response.status, json.loads(raw) if raw else None, response.headers
        except urllib.error.HTTPError as e:
            raise _HttpError(e.code, e.read().decode("utf-8", "replace"))


def main():
    parser = argparse.ArgumentParser(description="A demo Sluice remote worker")
    parser.add_argument("--url", default=os.environ.get("SLUICE_URL", "http://localhost:8080"))
    parser.add_argument("--type", default="resize-image")
    parser.add_argument("--slots", type=int, default=4)
    parser.add_argument("--worker-id", default=None)
    parser.add_argument("--api-key", default=os.environ.get("SLUICE_API_KEY"))
    parser.add_argument("--wait", default="20s")
    parser.add_argument("--grace", type=float, default=25.0)
    parser.add_argument("--no-register", action="store_true", help="do not declare the type (it exists already)")
    parser.add_argument("--log", default=None, help="append one line per job start and end to this file")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")

    worker = Worker(args.url, worker_id=args.worker_id, slots=args.slots, api_key=args.api_key, wait=args.wait,
                    grace=args.grace)
    schema = None if args.no_register else {
        "type": "object", "required": ["url"],
        "properties": {"url": {"type": "string"}, "width": {"type": "integer", "minimum": 1},
                       "seconds": {"type": "number", "minimum": 0, "maximum": 600}}}
    record_lock = threading.Lock()

    def record(line):
        if args.log:
            with record_lock, open(args.log, "a") as out:
                out.write(line + "\n")

    @worker.job(args.type, schema=schema, timeout="10m", description="demo: pretends to resize an image")
    def resize(payload, ctx):
        record("start %s %s %s" % (worker.worker_id, ctx.id, ctx.attempt))
        seconds = float(payload.get("seconds", 0.05))
        end = time.time() + seconds
        while time.time() < end:
            if ctx.cancelled or ctx.lease_lost:
                return None
            time.sleep(min(0.05, max(0, end - time.time())))
        record("end %s %s %s" % (worker.worker_id, ctx.id, ctx.attempt))
        return {"resized": payload["url"], "width": payload.get("width", 128), "by": worker.worker_id}

    worker.run()


if __name__ == "__main__":
    main()
