package dev.sluice.bench;

import java.util.Properties;

import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;

/** Server-wide counters from INFO: CPU seconds, commands executed (scripts' inner commands included), memory. */
record RedisInfo(double cpuSeconds, long commands, long usedMemory) {

    static RedisInfo read(StringRedisTemplate redis) {
        Properties cpu = info(redis, "cpu");
        Properties stats = info(redis, "commandstats");
        Properties memory = info(redis, "memory");
        long commands = 0;
        for (String name : stats.stringPropertyNames()) {
            String value = stats.getProperty(name);
            int at = value.indexOf("calls=");
            if (name.startsWith("cmdstat_") && at >= 0) {
                commands += Long.parseLong(value.substring(at + 6, value.indexOf(',', at)));
            }
        }
        return new RedisInfo(Double.parseDouble(cpu.getProperty("used_cpu_sys"))
                + Double.parseDouble(cpu.getProperty("used_cpu_user")), commands,
                Long.parseLong(memory.getProperty("used_memory")));
    }

    static String version(StringRedisTemplate redis) {
        return info(redis, "server").getProperty("redis_version");
    }

    private static Properties info(StringRedisTemplate redis, String section) {
        return redis.execute((RedisCallback<Properties>) c -> c.serverCommands().info(section));
    }
}
