// The peer of Sluice's drain benchmark: BullMQ drains N no-op jobs at a given concurrency on a given
// Redis, the jobs enqueued first in batches (addBulk), as Sluice's drain does. One unmeasured warm-up
// drain of N/5 first. Prints one JSON line: jobs/s, Redis CPU ms per 1,000 jobs, Redis commands per
// job. Installed and run by bench/side-by-side.sh; nothing here is tuned per run.
//
//   node bench/peer/bullmq-drain.mjs redis://127.0.0.1:6400 50000 8 1000
import { Queue, Worker } from 'bullmq';
import IORedis from 'ioredis';

const [url, jobs = '50000', concurrency = '8', batch = '1000'] = process.argv.slice(2);
const n = Number(jobs);
const connection = { url, maxRetriesPerRequest: null };

async function info(redis) {
  const text = await redis.info();
  const field = (name) => Number((text.match(new RegExp(`^${name}:(.*)$`, 'm')) || [])[1] || 0);
  return { cpu: field('used_cpu_sys') + field('used_cpu_user'), commands: field('total_commands_processed') };
}

async function drain(count, redis) {
  const name = `peer-${Math.random().toString(36).slice(2)}`;
  const queue = new Queue(name, { connection: new IORedis(url, { maxRetriesPerRequest: null }) });
  for (let from = 0; from < count; from += Number(batch)) {
    const size = Math.min(Number(batch), count - from);
    await queue.addBulk(Array.from({ length: size }, () => ({ name: 'noop', data: {} })));
  }
  const before = await info(redis);
  let first = 0;
  let last = 0;
  let done = 0;
  const finished = new Promise((resolve) => {
    const worker = new Worker(name, async () => {}, { connection: new IORedis(url, { maxRetriesPerRequest: null }),
      concurrency: Number(concurrency) });
    worker.on('active', () => { if (!first) first = performance.now(); });
    worker.on('completed', () => {
      done += 1;
      if (done === count) {
        last = performance.now();
        resolve(worker);
      }
    });
  });
  const worker = await finished;
  const after = await info(redis);
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  return {
    jobsPerSecond: count / ((last - first) / 1000),
    redisCpuMsPer1000: (after.cpu - before.cpu) * 1000 / (count / 1000),
    commandsPerJob: (after.commands - before.commands) / count,
  };
}

const redis = new IORedis(url);
await drain(Math.max(1000, Math.floor(n / 5)), redis);
const result = await drain(n, redis);
console.log(JSON.stringify(result));
await redis.quit();
process.exit(0);
