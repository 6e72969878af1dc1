package dev.sluice.queue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * What operators and clients do to jobs after they were submitted: cancel, retry, purge a dead
 * letter, pause and resume a priority. Each change of more than one key is one script.
 */
@Component
public class JobOperations {

    private final StringRedisTemplate redis;
    private final Partitions partitions;
    private final LuaScripts scripts;

    JobOperations(StringRedisTemplate redis, Partitions partitions) {
        this.redis = redis;
        this.partitions = partitions;
        this.scripts = partitions.scripts();
    }

    /**
     * Cancels a job: at once when it waits, by interrupting its worker when it runs.
     *
     * @return the job's state after the call and whether this call changed it ({@code RUNNING} and
     *         changed: the interruption is under way), or empty when there is no such job
     */
    public Optional<Cancel> cancel(String id, Duration retention) {
        RedisKeys keys = partitions.of(id);
        List<String> keyList = new ArrayList<>(6);
        keyList.add(keys.job(id));
        keyList.addAll(keys.queues());
        keyList.add(keys.retrying());
        keyList.add(keys.scheduled());
        List<?> reply = redis.execute(scripts.cancel, keyList, id, Long.toString(retention.toMillis()),
                keys.cancelChannel(), keys.eventsChannel());
        return reply == null || reply.isEmpty() || reply.get(0) == null ? Optional.empty()
                : Optional.of(new Cancel(JobState.fromWire((String) reply.get(0)), ((Long) reply.get(1)) == 1L));
    }

    /** @param changed whether this call cancelled the job or asked its worker to stop */
    public record Cancel(JobState state, boolean changed) {
    }

    /**
     * @param requeued whether this call queued the job again
     * @param state    the job's state after the call (unchanged when it could not be retried)
     */
    public record Retry(boolean requeued, JobState state) {
    }

    /**
     * Queues a dead, failed or cancelled job again, as new.
     *
     * @return whether it was queued and its state, or empty when there is no such job
     */
    public Optional<Retry> retry(String id) {
        RedisKeys keys = partitions.of(id);
        List<String> keyList = new ArrayList<>(5);
        keyList.add(keys.job(id));
        keyList.addAll(keys.queues());
        keyList.add(keys.dead());
        String state = redis.execute(scripts.retry, keyList, id, keys.wakeChannel(), keys.eventsChannel());
        if (state == null) {
            return Optional.empty();
        }
        return Optional.of(state.equals("requeued") ? new Retry(true, JobState.QUEUED)
                : new Retry(false, JobState.fromWire(state)));
    }

    /**
     * Stops every node from taking jobs of this priority until {@link #resume}; queued jobs stay queued.
     * Written to every partition (each claim reads its own), the last partition last: readers take
     * partition 0's set as the namespace's.
     */
    public void pause(Priority priority) {
        for (RedisKeys keys : partitions.all()) {
            redis.opsForSet().add(keys.paused(), priority.wire());
        }
    }

    /** Lets nodes take jobs of this priority again (in every partition), and wakes them. */
    public void resume(Priority priority) {
        for (RedisKeys keys : partitions.all()) {
            redis.opsForSet().remove(keys.paused(), priority.wire());
        }
        for (RedisKeys keys : partitions.all()) { // each partition's dispatchers look at it again
            redis.convertAndSend(keys.wakeChannel(), "resumed");
        }
    }

    /**
     * Removes a dead job for good (its record and its dead-letter entry).
     *
     * @return {@code DEAD} when it was removed; the job's state, unchanged, when it is not dead; empty
     *         when there is no such job
     */
    public Optional<JobState> purgeDead(String id) {
        RedisKeys keys = partitions.of(id);
        String state = redis.execute(scripts.purge, List.of(keys.job(id), keys.dead()), id);
        return Optional.ofNullable(state).map(JobState::fromWire);
    }
}
