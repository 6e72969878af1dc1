package dev.sluice.jobs;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import tools.jackson.databind.JsonNode;

import org.springframework.stereotype.Component;

import dev.sluice.queue.Enqueue;
import dev.sluice.queue.Job;
import dev.sluice.queue.JobState;
import dev.sluice.queue.JobStore;
import dev.sluice.queue.NewJob;
import dev.sluice.queue.Partitions;
import dev.sluice.queue.Priority;

/**
 * Turns requests into queued (or scheduled) jobs: every request is validated before anything is
 * written, then all of them are enqueued in one atomic script call, which also enforces capacity and
 * idempotency.
 */
@Component
public class JobSubmitter {

    private final JobTypes types;
    private final JobRequestReader reader;
    private final JobStore store;
    private final List<JobObserver> observers;
    private final RemoteTypes remoteTypes;
    private final org.springframework.beans.factory.ObjectProvider<Callback.Policy> callbacks;
    private final Partitions partitions;

    JobSubmitter(JobTypes types, RemoteTypes remoteTypes, JobRequestReader reader, JobStore store,
            List<JobObserver> observers, org.springframework.beans.factory.ObjectProvider<Callback.Policy> callbacks,
            Partitions partitions) {
        this.callbacks = callbacks;
        this.partitions = partitions;
        this.types = types;
        this.remoteTypes = remoteTypes;
        this.reader = reader;
        this.store = store;
        this.observers = observers;
    }

    /**
     * What a submission did.
     *
     * @param jobs       the jobs created (empty when replayed)
     * @param batchId    the batch they form, when tracked
     * @param replayedId when the Idempotency-Key was seen before with the same request: the id (job or
     *                   batch) the first request created; null otherwise
     */
    public record Submitted(List<Job> jobs, String batchId, String replayedId) {
        public boolean replayed() {
            return replayedId != null;
        }
    }

    public Job submit(JobRequest request) {
        return submit(request, null).jobs().get(0);
    }

    public Submitted submit(JobRequest request, Idempotency idempotency) {
        NewJob job = prepare(request);
        return enqueue(List.of(job), idempotency, job.id(), null);
    }

    private NewJob prepare(JobRequest request) {
        Checked checked = new Checked();
        NewJob job = prepare(new JobRequestReader.Read(request, List.of()), "", checked);
        checked.throwIfAny();
        return job;
    }

    /**
     * Submits a job on behalf of something else the client created ({@code ownerId}, an order say):
     * a replayed Idempotency-Key then answers with that owner's id.
     */
    public Submitted submit(JobRequest request, Idempotency idempotency, String ownerId) {
        return submit(request, idempotency, ownerId, null);
    }

    /** As above, and creates {@code record} in the same atomic step: neither exists without the other. */
    public Submitted submit(JobRequest request, Idempotency idempotency, String ownerId, Enqueue.Record record) {
        return enqueue(List.of(prepare(request)), idempotency, ownerId, null, record);
    }

    /** Submits many jobs, all or none, untracked (no batch record). */
    public List<Job> submitAll(List<JobRequest> requests) {
        return submitAll(requests, null, false).jobs();
    }

    /**
     * Validates every request, then enqueues them all in one atomic script call: all or none. The
     * violations of every invalid request are reported together, each field prefixed with
     * {@code jobs[i].}. When {@code tracked}, the jobs form a batch whose progress can be read.
     */
    public Submitted submitAll(List<JobRequest> requests, Idempotency idempotency, boolean tracked) {
        Checked checked = new Checked();
        List<NewJob> jobs = new ArrayList<>(requests.size());
        for (int i = 0; i < requests.size(); i++) {
            jobs.add(prepare(new JobRequestReader.Read(requests.get(i), List.of()), "jobs[" + i + "].", checked));
        }
        checked.throwIfAny();
        return enqueueAll(jobs, idempotency, tracked);
    }

    /** Reads one job's JSON, checks all of it (every mistake at once), and enqueues it. */
    public Submitted submitJson(JsonNode body, String owner, Idempotency idempotency) {
        Checked checked = new Checked();
        NewJob job = prepare(reader.read(body, "", owner), "", checked);
        checked.throwIfAny();
        return enqueue(List.of(job), idempotency, job.id(), null);
    }

    /**
     * Reads {@code {"jobs": [...]}}, checks every job (every mistake of every job at once, as
     * {@code jobs[i].field}), and enqueues all or none.
     */
    public Submitted submitAllJson(JsonNode body, String owner, Idempotency idempotency, boolean tracked,
            int maxBatchSize) {
        Checked checked = new Checked();
        JsonNode list = body == null || !body.isObject() ? null : body.get("jobs");
        if (body == null || !body.isObject()) {
            checked.add(new Violation("body", "must be a JSON object {\"jobs\": [...]}"));
        } else {
            body.propertyNames().stream().filter(name -> !name.equals("jobs") && !(tracked && name.equals("callback")))
                    .forEach(name -> checked.add(new Violation(JsonText.printable(name), "is not a known field")));
            if (list == null || !list.isArray() || list.isEmpty()) {
                checked.add(new Violation("jobs", "must be a non-empty array of jobs"));
            } else if (list.size() > maxBatchSize) {
                checked.add(new Violation("jobs", "must hold at most " + maxBatchSize + " jobs"));
            }
        }
        List<Violation> callbackViolations = new ArrayList<>();
        Callback callback = tracked ? reader.callback(body, "", callbackViolations) : null;
        callbackViolations.forEach(checked::add);
        checked.throwIfAny();
        List<NewJob> jobs = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            String path = "jobs[" + i + "].";
            jobs.add(prepare(reader.read(list.get(i), path, owner), path, checked));
        }
        checked.throwIfAny();
        if (callback != null) {
            String batchId = JobIds.next();
            return enqueue(jobs, idempotency, batchId, batchId, null, callbacks.getObject().spec(callback));
        }
        return enqueueAll(jobs, idempotency, tracked);
    }

    private Submitted enqueueAll(List<NewJob> jobs, Idempotency idempotency, boolean tracked) {
        String batchId = tracked ? JobIds.next() : null;
        return enqueue(jobs, idempotency, tracked ? batchId : jobs.get(0).id(), batchId);
    }

    private Submitted enqueue(List<NewJob> jobs, Idempotency idempotency, String ownerId, String batchId) {
        return enqueue(jobs, idempotency, ownerId, batchId, null);
    }

    private Submitted enqueue(List<NewJob> jobs, Idempotency idempotency, String ownerId, String batchId,
            Enqueue.Record record) {
        return enqueue(jobs, idempotency, ownerId, batchId, record, null);
    }

    /**
     * An id for something created with jobs (an order) in the partition a submission with this
     * Idempotency-Key and key would be placed in ({@link Partitions#place}); the jobs submitted with it
     * as their owner and a record then go to its partition.
     */
    public String newId(Idempotency idempotency, String key) {
        return JobIds.next(partitions.place(placement(idempotency), key));
    }

    /** One enqueue call with its options, into the partition the ids name. */
    private Enqueue.Result enqueueIn(List<NewJob> jobs, Idempotency idempotency, String ownerId, String batchId,
            Enqueue.Record record, String batchCallback) {
        Enqueue.Options options = batchId == null ? Enqueue.Options.NONE : Enqueue.Options.batch(batchId);
        if (record != null) {
            options = options.withRecord(record);
        }
        if (batchCallback != null) {
            options = options.withBatchCallback(batchCallback);
        }
        if (idempotency != null) {
            options = options.withIdempotency(idempotency.scope(), idempotency.key(), ownerId,
                    idempotency.fingerprint());
        }
        try {
            return store.enqueue(jobs, options);
        } catch (dev.sluice.queue.UnknownRemoteTypeException e) {
            throw new InvalidJobException(InvalidJobException.Kind.UNKNOWN_TYPE, List.of(new Violation("type",
                    "remote job type '" + e.type() + "' was removed while the jobs were being submitted")));
        }
    }

    private static String placement(Idempotency idempotency) {
        return idempotency == null ? null : Partitions.idempotencyPlacement(idempotency.scope(), idempotency.key());
    }

    private Submitted enqueue(List<NewJob> jobs, Idempotency idempotency, String ownerId, String batchId,
            Enqueue.Record record, String batchCallback) {
        Enqueue.Result result;
        if (!partitions.partitioned()) {
            result = enqueueIn(jobs, idempotency, ownerId, batchId, record, batchCallback);
        } else {
            // one call, one partition: a record's (its owner id names it), else by Idempotency-Key, else by
            // the first job's key, else the shallower of two; the ids made before are moved into it. A call
            // placed freely (none of those) that finds its partition full, or its master unreachable with
            // nothing sent, tries the others, shallowest first: a failover of one master does not stop it.
            boolean free = record == null && idempotency == null && jobs.get(0).key() == null;
            int first = record != null ? partitions.partitionOf(ownerId)
                    : partitions.place(placement(idempotency), jobs.get(0).key());
            List<Integer> order = new ArrayList<>(List.of(first));
            if (free) {
                java.util.stream.IntStream.range(0, partitions.count()).filter(p -> p != first).boxed()
                        .sorted(java.util.Comparator.comparingLong(partitions::observedDepth)).forEach(order::add);
            }
            List<String> before = jobs.stream().map(NewJob::id).toList();
            boolean ownedByJobOrBatch = before.contains(ownerId) || ownerId.equals(batchId);
            RuntimeException refused = null;
            result = null;
            for (int partition : order) {
                List<NewJob> placed = jobs.stream().map(job -> job.withId(JobIds.inPartition(job.id(), partition)))
                        .toList();
                try {
                    result = enqueueIn(placed, idempotency,
                            ownedByJobOrBatch ? JobIds.inPartition(ownerId, partition) : ownerId,
                            batchId == null ? null : JobIds.inPartition(batchId, partition), record, batchCallback);
                    jobs = placed;
                    batchId = batchId == null ? null : JobIds.inPartition(batchId, partition);
                    break;
                } catch (dev.sluice.queue.QueueFullException e) {
                    refused = e;
                } catch (RuntimeException e) {
                    if (!free || !dev.sluice.queue.RedisFailures.isOutage(e) || dev.sluice.queue.RedisFailures.mayHaveRun(e)) {
                        throw e; // it may have been written: another partition could make a second copy
                    }
                    refused = e;
                }
            }
            if (result == null) {
                throw refused;
            }
        }
        if (result instanceof Enqueue.Duplicate duplicate) {
            if (!duplicate.fingerprint().equals(idempotency.fingerprint())) {
                throw new IdempotencyConflictException(idempotency.key());
            }
            return new Submitted(List.of(), null, duplicate.ownerId());
        }
        Instant createdAt = ((Enqueue.Accepted) result).createdAt();
        for (NewJob job : jobs) {
            observers.forEach(o -> o.submitted(job.type(), job.priority()));
        }
        String batch = batchId;
        return new Submitted(jobs.stream().map(job -> {
            Instant due = job.runAt() != null ? job.runAt() : createdAt.plus(job.delay());
            boolean later = due.isAfter(createdAt);
            return new Job(job.id(), job.type(), job.priority(), later ? JobState.SCHEDULED : JobState.QUEUED,
                    job.payload(), null, null, null, 0, job.maxAttempts(), job.timeout(), createdAt, null, null,
                    later ? due : null, null, false, batch, null, null, job.owner(), job.key(), null);
        }).toList(), batchId, null);
    }

    /**
     * Checks one request: what its reader found, its type, and its payload against the type; adds
     * every violation (under {@code path}) to {@code checked}. Returns the job ready to enqueue, or
     * null when anything is wrong.
     */
    private NewJob prepare(JobRequestReader.Read read, String path, Checked checked) {
        read.violations().forEach(checked::add);
        JobRequest request = read.request();
        if (request == null || request.type() == null) {
            return null;
        }
        JobHandler<?> handler = types.find(request.type());
        RemoteTypes.RemoteType remote = handler != null ? null : remoteTypes.find(request.type()).orElse(null);
        if (handler == null && remote == null) {
            checked.unknownType(new Violation(path + "type", types.unknown(request.type())));
            return null;
        }
        String payload;
        try {
            payload = remote != null ? remoteTypes.validate(remote, request.payload())
                    : types.validate(handler, request.payload());
        } catch (InvalidJobException e) {
            e.violations().forEach(v -> checked.add(new Violation(path + v.field(), v.reason())));
            return null;
        }
        if (!read.violations().isEmpty()) {
            return null;
        }
        if (request.delay() != null && request.runAt() != null) {
            checked.add(new Violation(path + "runAt", "give delay or runAt, not both"));
            return null;
        }
        if (remote != null) {
            return new NewJob(JobIds.next(), request.type(),
                    request.priority() == null ? remote.priority() : request.priority(), payload,
                    request.maxAttempts() == null ? remote.maxAttempts() : request.maxAttempts(),
                    request.timeout() == null ? remote.timeout() : request.timeout(),
                    request.delay() == null ? Duration.ZERO : request.delay(), request.owner(), request.runAt(), true,
                    callbackSpec(request), request.key());
        }
        return new NewJob(JobIds.next(), request.type(),
                request.priority() == null ? Priority.NORMAL : request.priority(), payload,
                request.maxAttempts() == null ? handler.maxAttempts() : request.maxAttempts(),
                request.timeout() == null ? handler.timeout() : request.timeout(),
                request.delay() == null ? Duration.ZERO : request.delay(), request.owner(), request.runAt(), false,
                callbackSpec(request), request.key());
    }

    private String callbackSpec(JobRequest request) {
        return request.callback() == null ? null : callbacks.getObject().spec(request.callback());
    }

    /**
     * Every violation found in a submission. Its problem type: unknown-job-type when a type is unknown,
     * invalid-payload when only payloads are at fault, else invalid-request.
     */
    private static final class Checked {
        private final List<Violation> violations = new ArrayList<>();
        private boolean unknownType;

        void add(Violation violation) {
            violations.add(violation);
        }

        void unknownType(Violation violation) {
            unknownType = true;
            violations.add(violation);
        }

        void throwIfAny() {
            if (violations.isEmpty()) {
                return;
            }
            boolean payloadOnly = violations.stream().allMatch(v -> v.field().matches("(jobs\\[\\d+\\]\\.)?payload.*"));
            throw new InvalidJobException(unknownType ? InvalidJobException.Kind.UNKNOWN_TYPE
                    : payloadOnly ? InvalidJobException.Kind.INVALID_PAYLOAD : InvalidJobException.Kind.INVALID_REQUEST,
                    violations);
        }
    }
}
