package dev.sluice.bench;

import java.util.UUID;

import org.springframework.context.annotation.Profile;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import dev.sluice.queue.RedisKeys;

/**
 * The ceiling for HTTP submission: the same stack (Tomcat, Spring MVC, Jackson, Lettuce) doing the
 * least a queue can, one LPUSH of the body. Lives in test sources under the {@code bench} profile only,
 * so it never exists in the application.
 */
@RestController
@Profile("bench")
class CeilingEndpoint {

    private final StringRedisTemplate redis;
    private final String key;

    CeilingEndpoint(StringRedisTemplate redis, RedisKeys keys) {
        this.redis = redis;
        this.key = keys.everything().replace("*", "bench-lpush");
    }

    record Accepted(String id) {
    }

    @PostMapping("/bench/lpush")
    ResponseEntity<Accepted> lpush(@RequestBody String body) {
        redis.opsForList().leftPush(key, body);
        return ResponseEntity.accepted().body(new Accepted(UUID.randomUUID().toString()));
    }
}
