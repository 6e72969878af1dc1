package dev.sluice.support;

import java.util.HashMap;
import java.util.Map;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import dev.sluice.config.SluiceProperties;

/** Builds the settings tree the way Spring binds it, defaults included, for tests without a context. */
public final class TestProperties {

    private TestProperties() {
    }

    /** @param overrides pairs of property name (without {@code sluice.}) and value */
    public static SluiceProperties sluice(String... overrides) {
        Map<String, String> map = new HashMap<>();
        for (int i = 0; i < overrides.length; i += 2) {
            map.put("sluice." + overrides[i], overrides[i + 1]);
        }
        return new Binder(new MapConfigurationPropertySource(map)).bindOrCreate("sluice", SluiceProperties.class);
    }
}
