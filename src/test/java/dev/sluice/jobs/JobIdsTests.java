package dev.sluice.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

class JobIdsTests {

    @Test
    void idsAreVersion7UuidsInCreationOrderAndUnique() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            ids.add(JobIds.next());
        }

        UUID first = UUID.fromString(ids.get(0));
        assertThat(first.version()).isEqualTo(7);
        assertThat(first.variant()).isEqualTo(2);
        assertThat(new HashSet<>(ids)).hasSize(ids.size());
        long millis = first.getMostSignificantBits() >>> 16;
        assertThat(millis).isCloseTo(System.currentTimeMillis(), org.assertj.core.data.Offset.offset(60_000L));
        String earlier = ids.get(0);
        String later = JobIdsTests.laterThan(earlier);
        assertThat(later.substring(0, 13)).isGreaterThan(earlier.substring(0, 13));
    }

    private static String laterThan(String id) {
        long millis = UUID.fromString(id).getMostSignificantBits() >>> 16;
        String next;
        do {
            next = JobIds.next();
        } while ((UUID.fromString(next).getMostSignificantBits() >>> 16) <= millis);
        return next;
    }
}
