package dev.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/**
 * docker-compose.yml cannot be run here (no Docker engine), so this keeps it honest: every SLUICE_*
 * and SPRING_* variable it sets must bind to a real property, and the ones Sluice owns must arrive
 * with the value given.
 */
class ComposeFileTests {

    @Test
    @SuppressWarnings("unchecked")
    void everyVariableTheComposeFileSetsBindsToARealProperty() throws IOException {
        Map<String, Object> compose = new Yaml().load(Files.readString(Path.of("docker-compose.yml")));
        Map<String, Object> sluice = (Map<String, Object>) ((Map<String, Object>) compose.get("services")).get("sluice");
        Map<String, Object> environment = (Map<String, Object>) sluice.get("environment");
        Map<String, Object> values = new HashMap<>();
        environment.forEach((name, value) -> values.put(name, resolve(String.valueOf(value))));
        assertThat(values).isNotEmpty();

        Set<String> known = springProperties();
        for (String name : values.keySet()) {
            assertThat(name).matches("(SLUICE|SPRING)_[A-Z0-9_]+");
            if (name.startsWith("SPRING_")) {
                assertThat(known).as("%s binds to a Spring Boot property", name).contains(canonical(name));
            }
        }

        StandardEnvironment env = new StandardEnvironment();
        env.getPropertySources().addFirst(new SystemEnvironmentPropertySource("compose-systemEnvironment", values));
        env.getPropertySources().addLast(new MapPropertySource("filler", Map.of(
                "sluice.security.api-keys[0].hash", "sha256:" + "0".repeat(64))));
        SluiceProperties bound = new Binder(ConfigurationPropertySources.get(env))
                .bindOrCreate("sluice", SluiceProperties.class);
        assertThat(bound.namespace()).isEqualTo(values.get("SLUICE_NAMESPACE"));
        assertThat(bound.workers().poolSize()).isEqualTo(Integer.parseInt((String) values.get("SLUICE_WORKERS_POOLSIZE")));
        assertThat(bound.dispatch().lease().toSeconds() + "s").isEqualTo(values.get("SLUICE_DISPATCH_LEASE"));
        assertThat(bound.dispatch().drainTimeout().toSeconds() + "s").isEqualTo(values.get("SLUICE_DISPATCH_DRAINTIMEOUT"));
        assertThat(bound.embeddedRedis().enabled()).isFalse();
        assertThat(bound.security().requireKeys()).isTrue();
        assertThat(bound.security().apiKeys()).hasSize(1);
        assertThat(bound.security().apiKeys().get(0).name()).isEqualTo(values.get("SLUICE_SECURITY_APIKEYS_0_NAME"));
        assertThat(bound.security().apiKeys().get(0).role()).isEqualTo(values.get("SLUICE_SECURITY_APIKEYS_0_ROLE"));
        Set<String> sluiceVariables = new HashSet<>(values.keySet());
        sluiceVariables.removeIf(name -> !name.startsWith("SLUICE_"));
        assertThat(sluiceVariables).containsExactlyInAnyOrder("SLUICE_NAMESPACE", "SLUICE_WORKERS_POOLSIZE",
                "SLUICE_DISPATCH_LEASE", "SLUICE_DISPATCH_DRAINTIMEOUT", "SLUICE_EMBEDDEDREDIS_ENABLED",
                "SLUICE_SECURITY_REQUIREKEYS", "SLUICE_SECURITY_APIKEYS_0_NAME", "SLUICE_SECURITY_APIKEYS_0_HASH",
                "SLUICE_SECURITY_APIKEYS_0_ROLE");
    }

    /** ${VAR:-default} as compose would resolve it with VAR unset; ${VAR:?message} (required) as "given". */
    private static String resolve(String value) {
        Matcher m = Pattern.compile("\\$\\{[A-Z_]+:-([^}]*)}").matcher(value);
        String defaults = m.replaceAll(match -> Matcher.quoteReplacement(match.group(1)));
        String required = Pattern.compile("\\$\\{[A-Z_]+:\\?[^}]*}").matcher(defaults).replaceAll("given");
        return Pattern.compile("\\$\\{[A-Z_]+}").matcher(required).replaceAll("");
    }

    @Test
    @SuppressWarnings("unchecked")
    void theRedisPasswordHasNoDefaultAndEveryUseRequiresIt() throws IOException {
        String text = Files.readString(Path.of("docker-compose.yml"));
        assertThat(text).doesNotContain("change-me");
        Matcher uses = Pattern.compile("\\$\\{REDIS_PASSWORD([^}]*)}").matcher(text);
        int count = 0;
        while (uses.find()) {
            assertThat(uses.group(1)).as("every use of REDIS_PASSWORD fails when it is unset").startsWith(":?");
            count++;
        }
        assertThat(count).isEqualTo(3);
    }

    /** SPRING_DATA_REDIS_SSL_ENABLED -> spring.data.redis.ssl.enabled */
    private static String canonical(String variable) {
        return variable.toLowerCase().replace('_', '.');
    }

    /** Every property Spring Boot documents, from the configuration metadata in its jars. */
    private static Set<String> springProperties() throws IOException {
        Set<String> names = new HashSet<>();
        JsonMapper json = JsonMapper.builder().build();
        for (Resource resource : new PathMatchingResourcePatternResolver()
                .getResources("classpath*:META-INF/spring-configuration-metadata.json")) {
            try (InputStream in = resource.getInputStream()) {
                for (JsonNode property : json.readTree(in).path("properties")) {
                    names.add(property.get("name").asString().replace("-", "."));
                }
            }
        }
        return names;
    }
}
