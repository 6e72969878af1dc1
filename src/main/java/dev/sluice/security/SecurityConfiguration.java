package dev.sluice.security;

import java.util.List;

import jakarta.servlet.DispatcherType;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import org.springframework.security.web.firewall.RequestRejectedHandler;

import dev.sluice.config.SluiceProperties;
import dev.sluice.web.Problems;

/**
 * Who may call what, denied by default. Rules match the decoded, normalised path the way Spring MVC
 * routes it (path patterns), after Spring Security's strict firewall has refused what could be read
 * two ways: encoded slashes, dots and percent signs, {@code ;} parameters, {@code //}, {@code ..},
 * backslashes and control characters. The rules:
 * <ul>
 * <li>public: health, info, the OpenAPI document, Swagger UI and the dashboard's static files;</li>
 * <li>a producer key: submit jobs, batches and orders, and read, follow or cancel its own;</li>
 * <li>a worker key: claim jobs of the remote types it lists, renew their leases and report their
 * outcomes (the controller checks the types; the scripts check that the worker is the key's own);</li>
 * <li>everything else, including every route not named here (new ones too), needs an admin key.</li>
 * </ul>
 * Without any configured key the API is open (local development): every request is the admin.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

    private static final Logger log = LoggerFactory.getLogger(SecurityConfiguration.class);

    static final String[] PUBLIC = {"/actuator/health", "/actuator/health/**", "/actuator/info",
        "/v3/api-docs", "/v3/api-docs/**", "/swagger-ui.html", "/swagger-ui/**",
        "/", "/index.html", "/dashboard", "/dashboard.js", "/dashboard.css", "/favicon.ico"};

    @Bean
    SecurityFilterChain apiSecurity(HttpSecurity http, SluiceProperties properties, JsonMapper json) throws Exception {
        ApiKeys keys = keys(properties.security());
        http.csrf(csrf -> csrf.disable())
                .httpBasic(basic -> basic.disable())
                .formLogin(form -> form.disable())
                .logout(logout -> logout.disable())
                .requestCache(cache -> cache.disable())
                .sessionManagement(sessions -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .addFilterBefore(new ApiKeyAuthenticationFilter(keys), AnonymousAuthenticationFilter.class)
                .authorizeHttpRequests(rules -> rules
                        // the request was authorised when it came in; its error page, async completion
                        // (long polls, event streams) and forward (/dashboard) are part of the same answer
                        .dispatcherTypeMatchers(DispatcherType.ERROR, DispatcherType.ASYNC, DispatcherType.FORWARD)
                        .permitAll()
                        .requestMatchers(HttpMethod.GET, PUBLIC).permitAll()
                        .requestMatchers(HttpMethod.HEAD, PUBLIC).permitAll()
                        .requestMatchers(HttpMethod.POST, "/api/jobs", "/api/jobs/batch", "/api/batches",
                                "/api/orders").hasAnyRole("PRODUCER", "ADMIN")
                        .requestMatchers(HttpMethod.GET, "/api/jobs/{id}", "/api/jobs/{id}/events",
                                "/api/batches/{id}", "/api/orders/{id}")
                        .hasAnyRole("PRODUCER", "ADMIN")
                        .requestMatchers(HttpMethod.GET, "/api/job-types", "/api/job-types/{type}")
                        .hasAnyRole("PRODUCER", "WORKER", "ADMIN")
                        // a worker key: the remote-worker protocol, for its own types (checked per call)
                        .requestMatchers(HttpMethod.POST, "/api/workers/{workerId}/claim", "/api/workers/{workerId}/beat",
                                "/api/jobs/{id}/heartbeat", "/api/jobs/{id}/complete", "/api/jobs/{id}/fail",
                                "/api/jobs/{id}/release", "/api/jobs/complete")
                        .hasAnyRole("WORKER", "ADMIN")
                        .requestMatchers(HttpMethod.DELETE, "/api/jobs/{id}").hasAnyRole("PRODUCER", "ADMIN")
                        .anyRequest().hasRole("ADMIN"))
                .exceptionHandling(errors -> errors
                        .authenticationEntryPoint((request, response, e) -> {
                            response.setHeader("WWW-Authenticate",
                                    "ApiKey header=\"" + ApiKeyAuthenticationFilter.HEADER + "\"");
                            Problems.write(request, response, Problems.MISSING_API_KEY.detail(
                                    "Send a valid key in the " + ApiKeyAuthenticationFilter.HEADER + " header."), json);
                        })
                        .accessDeniedHandler((request, response, e) -> Problems.write(request, response,
                                Problems.FORBIDDEN.detail("This needs "
                                        + (request.getRequestURI().startsWith("/api/workers/") ? "a worker or admin" : "an admin")
                                        + " key; the key '" + Caller.of(request).name() + "' is a "
                                        + Caller.of(request).role().name().toLowerCase() + " key."), json)));
        return http.build();
    }

    /**
     * The firewall's refusals (an encoded slash, a {@code ;} parameter, {@code ..}) as problem+json;
     * the request never reaches a rule or a controller.
     */
    @Bean
    RequestRejectedHandler requestRejectedHandler(JsonMapper json) {
        return (request, response, e) -> Problems.write(request, response, Problems.REJECTED_REQUEST.detail(
                "The request's URL is not in canonical form or holds characters that are not allowed ("
                        + e.getMessage().replaceAll("[^\\x20-\\x7e]", "?") + ")."), json);
    }

    static ApiKeys keys(SluiceProperties.Security security) {
        List<SluiceProperties.Security.ApiKey> unset = security.apiKeys().stream()
                .filter(key -> key.hash() == null || key.hash().isEmpty()).toList();
        if (!unset.isEmpty()) {
            String names = unset.stream().map(SluiceProperties.Security.ApiKey::name).toList().toString();
            if (security.requireKeys()) {
                throw new IllegalStateException("API key " + names + " has no hash: set its "
                        + "sluice.security.api-keys[n].hash to sha256:<hex SHA-256 of the key> (compose: "
                        + "SLUICE_API_KEY_HASH), or set sluice.security.require-keys=false for a local trial without keys.");
            }
            log.warn("API key {} has no hash and is ignored (sluice.security.require-keys is false).", names);
            security = new SluiceProperties.Security(false, security.apiKeys().stream()
                    .filter(key -> !unset.contains(key)).toList());
        }
        if (security.apiKeys().isEmpty()) {
            if (security.requireKeys()) {
                throw new IllegalStateException("sluice.security.require-keys is set but no API key is configured: "
                        + "set sluice.security.api-keys[0].name, .hash (sha256:<hex>) and .role (producer|worker|admin), "
                        + "or set sluice.security.require-keys=false to run without keys on purpose.");
            }
            log.warn("No API keys configured: the API is open to anyone who can reach it (local development). "
                    + "Set sluice.security.api-keys to require keys.");
        }
        return new ApiKeys(security.apiKeys());
    }
}
