#!/usr/bin/env node
// A Sluice remote worker in Node 18+ (fetch, no dependencies).
//
// As a library:
//   import { Worker, PermanentFailure } from './sluice-worker.mjs';
//   const worker = new Worker({ url: 'http://localhost:8080', slots: 4, apiKey: process.env.SLUICE_API_KEY });
//   await worker.job('resize-image', async (payload, ctx) => {
//     await ctx.progress(50, 'halfway');          // renews the lease too
//     if (ctx.cancelled) return null;              // the job was cancelled (the server answered 410)
//     return { resized: payload.url };             // the result (any JSON)
//   }, { schema: { type: 'object', required: ['url'] } });
//   await worker.run();                            // until SIGTERM / SIGINT
//
// The demo:  node examples/node/sluice-worker.mjs --url http://localhost:8080 --type resize-image --slots 4
//
// Same protocol as examples/python/sluice_worker.py: claims only for free slots (long-polling), renews
// the leases of the jobs it holds, reports complete or fail, and on SIGTERM stops claiming, lets running
// jobs finish for up to --grace seconds and hands back the rest (POST /api/jobs/{id}/release).
import os from 'node:os';
import { appendFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

export class PermanentFailure extends Error {}

class HttpError extends Error {
  constructor(status, body) {
    super(`HTTP ${status}: ${body.slice(0, 300)}`);
    this.status = status;
  }
}

export class Worker {
  constructor({ url, workerId, slots = 4, apiKey, wait = '20s', grace = 25 }) {
    this.url = url.replace(/\/$/, '');
    this.workerId = workerId ?? `${os.hostname().replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 40)}-${process.pid}`;
    this.slots = slots;
    this.apiKey = apiKey;
    this.wait = wait;
    this.grace = grace;
    this.handlers = new Map();
    this.held = new Map(); // job id -> ctx
    this.stopping = false;
    this.renewEvery = 5000;
    this.wakeSlot = null;
  }

  /** Registers handler(payload, ctx) for a remote type; with a schema, declares the type too. */
  async job(type, handler, { schema, timeout, maxAttempts, priority, description = '' } = {}) {
    this.handlers.set(type, handler);
    if (schema !== undefined) {
      const definition = { description, payloadSchema: schema };
      if (timeout) definition.timeout = timeout;
      if (maxAttempts) definition.maxAttempts = maxAttempts;
      if (priority) definition.priority = priority;
      await this.request('PUT', `/api/job-types/${type}`, definition);
    }
  }

  // A claim in flight is not aborted: the server would still complete it for this worker, and its jobs
  // would wait out their lease. It returns within `wait`; what it brings is handed back at once.
  stop() {
    this.stopping = true;
    this.wakeSlot?.();
  }

  async run() {
    process.on('SIGTERM', () => this.stop());
    process.on('SIGINT', () => this.stop());
    const renewer = setInterval(() => this.renewAll(), 250);
    console.log(`worker ${this.workerId}: ${this.slots} slots, types ${[...this.handlers.keys()]}, at ${this.url}`);
    let backoff = 500;
    while (!this.stopping) {
      if (this.held.size >= this.slots) {
        await new Promise((resolve) => { this.wakeSlot = resolve; });
        continue;
      }
      let answer;
      try {
        answer = await this.request('POST', `/api/workers/${this.workerId}/claim`, {
          types: [...this.handlers.keys()].sort(), max: this.slots - this.held.size, slots: this.slots, wait: this.wait,
        });
        backoff = 500;
      } catch (e) {
        if (this.stopping) break;
        console.warn(`claim failed (${e.message}); retrying in ${backoff} ms`);
        await sleep(backoff);
        backoff = Math.min(backoff * 2, 10000);
        continue;
      }
      if (this.stopping) {
        for (const job of answer.body ?? []) await this.release(job.id, job.leaseToken);
        break;
      }
      const state = answer.headers.get('sluice-worker-state') ?? 'run';
      if (state === 'stop') break;
      if (state === 'quiet') { await sleep(2000); continue; }
      for (const job of answer.body ?? []) {
        const ctx = {
          id: job.id, type: job.type, attempt: job.attempt, leaseToken: job.leaseToken, cancelled: false,
          leaseLost: false, lastRenewal: Date.now(),
          progress: (percent, message = '') => this.renew(ctx, { progress: Math.round(percent), message: String(message) }),
        };
        const left = Math.max(600, Date.parse(job.leaseExpiresAt) - Date.now());
        this.renewEvery = Math.max(200, Math.min(this.renewEvery, left / 3));
        this.held.set(job.id, ctx);
        this.execute(job, ctx);
      }
    }
    await this.shutdown();
    clearInterval(renewer);
  }

  async execute(job, ctx) {
    try {
      const result = await this.handlers.get(job.type)(job.payload, ctx);
      if (!ctx.cancelled && !ctx.leaseLost) {
        await this.report(ctx, 'complete', { leaseToken: ctx.leaseToken, result: result ?? null });
      }
    } catch (e) {
      if (!ctx.cancelled && !ctx.leaseLost) {
        await this.report(ctx, 'fail', {
          leaseToken: ctx.leaseToken, retryable: !(e instanceof PermanentFailure),
          error: { type: e?.constructor?.name ?? 'Error', message: String(e?.message || e) },
        });
      }
    } finally {
      this.held.delete(job.id);
      this.wakeSlot?.();
    }
  }

  async report(ctx, verb, body) {
    for (const delay of [0, 500, 1000, 2000, 4000]) { // the same report again is harmless
      await sleep(delay);
      try {
        await this.request('POST', `/api/jobs/${ctx.id}/${verb}`, body);
        return;
      } catch (e) {
        if ([404, 409, 410].includes(e.status)) return;
      }
    }
  }

  async renewAll() {
    const now = Date.now();
    for (const ctx of this.held.values()) {
      if (now - ctx.lastRenewal >= this.renewEvery) await this.renew(ctx, {});
    }
  }

  async renew(ctx, extra) {
    if (ctx.cancelled || ctx.leaseLost) return;
    ctx.lastRenewal = Date.now();
    try {
      await this.request('POST', `/api/jobs/${ctx.id}/heartbeat`, { leaseToken: ctx.leaseToken, ...extra });
    } catch (e) {
      if (e.status === 410) ctx.cancelled = true;
      else if (e.status === 404 || e.status === 409) ctx.leaseLost = true;
    }
  }

  async shutdown() {
    const deadline = Date.now() + this.grace * 1000;
    console.log(`stopping: ${this.held.size} job(s) running, waiting up to ${this.grace} s`);
    while (this.held.size > 0 && Date.now() < deadline) await sleep(100);
    for (const ctx of [...this.held.values()]) { // still running: back to the head of its queue
      ctx.leaseLost = true;
      await this.release(ctx.id, ctx.leaseToken);
    }
    console.log(`worker ${this.workerId} stopped`);
  }

  async release(id, leaseToken) {
    try {
      await this.request('POST', `/api/jobs/${id}/release`, { leaseToken });
      console.log(`job ${id} handed back`);
    } catch (e) {
      console.warn(`job ${id} could not be handed back (${e.message}); its lease will run out`);
    }
  }

  async request(method, path, body, signal) {
    const headers = { 'Content-Type': 'application/json', Accept: 'application/json' };
    if (this.apiKey) headers['X-API-Key'] = this.apiKey;
    const response = await fetch(this.url + path, { method, headers, body: JSON.stringify(body), signal });
    const text = await response.text();
    if (response.status >= 400) throw new HttpError(response.status, text);
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const worker = new Worker({
    url: option('url', process.env.SLUICE_URL ?? 'http://localhost:8080'), workerId: option('worker-id'),
    slots: Number(option('slots', 4)), apiKey: option('api-key', process.env.SLUICE_API_KEY),
    wait: option('wait', '20s'), grace: Number(option('grace', 25)),
  });
  const type = option('type', 'resize-image');
  const log = option('log');
  const record = (line) => { if (log) appendFileSync(log, line + '\n'); };
  const schema = process.argv.includes('--no-register') ? undefined : {
    type: 'object', required: ['url'],
    properties: { url: { type: 'string' }, width: { type: 'integer', minimum: 1 },
      seconds: { type: 'number', minimum: 0, maximum: 600 } },
  };
  await worker.job(type, async (payload, ctx) => {
    record(`start ${worker.workerId} ${ctx.id} ${ctx.attempt}`);
    const end = Date.now() + (payload.seconds ?? 0.05) * 1000;
    while (Date.now() < end) {
      if (ctx.cancelled || ctx.leaseLost) return null;
      await sleep(Math.min(50, end - Date.now()));
    }
    record(`end ${worker.workerId} ${ctx.id} ${ctx.attempt}`);
    return { resized: payload.url, width: payload.width ?? 128, by: worker.workerId };
  }, { schema, timeout: '10m', description: 'demo: pretends to resize an image' });
  await worker.run();
  process.exit(0);
}
