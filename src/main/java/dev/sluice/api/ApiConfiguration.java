package dev.sluice.api;

import tools.jackson.core.StreamReadConstraints;
import tools.jackson.databind.json.JsonMapper;

import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.module.SimpleModule;
import tools.jackson.databind.type.LogicalType;

import org.springframework.boot.jackson.autoconfigure.JsonFactoryBuilderCustomizer;
import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.web.servlet.config.annotation.AsyncSupportConfigurer;
import org.springframework.web.servlet.config.annotation.ViewControllerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

import dev.sluice.config.SluiceProperties;

@Configuration(proxyBeanMethods = false)
class ApiConfiguration implements WebMvcConfigurer {

    private final SluiceProperties properties;

    ApiConfiguration(SluiceProperties properties) {
        this.properties = properties;
    }

    /** Long-polls end on their own at max-wait; the container's timeout is only a backstop. */
    @Override
    public void configureAsyncSupport(AsyncSupportConfigurer configurer) {
        configurer.setDefaultTimeout(properties.api().maxWait().plusSeconds(30).toMillis());
    }

    /** The dashboard (static/index.html) is at / and at /dashboard. */
    @Override
    public void addViewControllers(ViewControllerRegistry registry) {
        registry.addViewController("/dashboard").setViewName("forward:/index.html");
    }

    /** What the API may hold in memory for requests at once (bodies, listing pages). */
    @Bean
    MemoryBudget memoryBudget() {
        return new MemoryBudget(properties.api().bodiesInFlightBytes());
    }

    @Bean
    FilterRegistrationBean<BodyLimitFilter> bodyLimitFilter(JsonMapper json, MemoryBudget budget) {
        var registration = new FilterRegistrationBean<>(
                new BodyLimitFilter(properties.api().maxBodySize().toBytes(), properties.api().bodyReadTimeout(),
                        budget, json));
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 10);
        registration.addUrlPatterns("/api/*");
        return registration;
    }

    /** Request bodies may not nest deeper or hold longer strings than the settings allow. */
    @Bean
    JsonFactoryBuilderCustomizer requestLimits() {
        return factory -> factory.streamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(properties.api().maxJsonDepth())
                .maxStringLength(properties.api().maxStringLength())
                .build());
    }

    /**
     * Request bodies are read strictly: an unknown field is refused rather than dropped (a typo such as
     * {@code run_at} must not run a job now), {@code 7.9} is not 7, a number is not a string, and a
     * string with a lone surrogate is refused rather than stored as {@code ?}.
     */
    @Bean
    JsonMapperBuilderCustomizer strictRequests() {
        return builder -> builder.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .withCoercionConfig(LogicalType.Textual, textual -> textual
                        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
                .addModule(new SimpleModule("sluice-strict-strings").addDeserializer(String.class,
                        new ValidUnicodeStrings()));
    }
}
